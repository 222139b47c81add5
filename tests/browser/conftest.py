"""The reminder workers (with retries short enough to watch), for browser walks that follow a
mail; the loopback SMTP server is the suite's own (tests/loopback_smtp.py)."""

from tests.reminders.conftest import smtp, workers  # noqa: F401
