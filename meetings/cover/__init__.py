"""The cover page a review opens with: counts of the review window and the year (incidents, and people
as the city counts them: meetings.cover.people), the weekly chart.
Uses meetings.models, meetings.agenda.rules (the review window) and .source_stamp, cases and accounts; never views."""
