"""The REST API (/api/v1/): the same cases, notes, leads and meetings as the pages, for systems and
people with a token. It may use every app; none uses it. Rules stay in the apps' access, services
and forms modules: the API only parses, asks them, and writes JSON."""
