"""Reminders of a meeting and of action items due, and saved searches' alerts: planning which are
owed, then sending them. Uses meetings.models, .access, .ics and the cases and accounts apps;
never views, agenda, printing."""
