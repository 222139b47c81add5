"""Fixtures shared by the meeting tests."""

# The agenda with every kind of sensitive note that the print tests build on.
from .test_pdf import agenda_meeting  # noqa: F401
