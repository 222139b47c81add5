"""Saved searches: a person's case-list query kept under a name, run again by the case list's own
search, and the changes of its cases that person may see (what alerts judge by). Uses cases.models,
cases.access, cases.search and cases.forms; meetings.reminders sends the alerts."""
