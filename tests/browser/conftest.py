"""The loopback SMTP server and the reminder workers, for browser walks that follow a mail."""

from tests.reminders.conftest import smtp, smtp_server, workers  # noqa: F401
