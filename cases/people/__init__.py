"""People across shootings: one record per person and the roles that tie them to shootings.
Uses cases.models, cases.access and cases.meeting_history's hooks only; nothing below cases (and
nothing of meetings) imports it."""
