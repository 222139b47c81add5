"""A real SMTP server on loopback that records what it receives, for the tests whose mail goes
through Django's SMTP backend or a worker process. Loaded by tests/conftest.py as a plugin."""

from __future__ import annotations

import email
import logging
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser

import pytest
from aiosmtpd.controller import Controller

from tests.processes import free_port


@dataclass
class SmtpRecorder:
    """Answers like a mail server; `fail_with` makes it refuse recipients (e.g. a 4xx).

    It keeps each message as received and reads only its Message-ID on arrival: a full parse of
    every message in the server's thread would slow the 10,000-message benchmark it measures."""

    raw: list[bytes] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    fail_with: str | None = None
    delay: float = 0.0
    refused: int = 0
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if self.fail_with:
            with self.lock:
                self.refused += 1
            return self.fail_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            time.sleep(self.delay)
        data = envelope.original_content or envelope.content
        message_id = BytesHeaderParser().parsebytes(data)["Message-ID"]
        with self.lock:
            self.raw.append(data)
            self.ids.append(message_id)
        return "250 Message accepted for delivery"

    # Methods, not properties: aiosmtpd inspects the handler's attributes on every connection.
    def messages(self) -> list[Message]:
        with self.lock:
            raw = list(self.raw)
        return [email.message_from_bytes(data) for data in raw]

    def message_ids(self) -> list[str]:
        with self.lock:
            return list(self.ids)

    def email_url(self) -> str:
        """The EMAIL_URL that sends a worker process's mail here."""
        return f"smtp://127.0.0.1:{self.port}"

    def reset(self) -> None:
        with self.lock:
            self.raw.clear()
            self.ids.clear()
            self.fail_with = None
            self.delay = 0.0
            self.refused = 0


@pytest.fixture(scope="session")
def smtp_server():
    recorder = SmtpRecorder(port=free_port())
    # aiosmtpd logs every command at INFO; thousands of messages would flood the captured log.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port)
    controller.start()
    yield recorder
    controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """The loopback SMTP server, emptied, and this process's mail settings pointing at it."""
    smtp_server.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield smtp_server
    smtp_server.reset()
