"""The agenda of a meeting: which cases come up and why, the edits to it, and how items are drawn.
Uses meetings.models, .access, .cover and the cases and accounts apps; never views, printing, tasks."""
