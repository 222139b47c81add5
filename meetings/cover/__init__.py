"""The cover page a review opens with: counts of the review window and the year, the weekly chart.
Uses meetings.models, meetings.agenda.rules (the review window), cases and accounts; never views."""
