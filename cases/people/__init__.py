"""People across shootings: one record per person and the roles that tie them to shootings.
Uses cases.models and cases.access only; nothing below cases (and nothing of meetings) imports it."""
