"""CSV import of shootings: `upsert.import_shootings` reads a file in one of two formats (`template`,
`kcpd`), both built on `common`. Uses the cases models, access and services; nothing imports back."""
