"""A real SMTP server on loopback that records what it receives, and dedicated Celery workers
that send to it."""

from __future__ import annotations

import email
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser

import pytest
from aiosmtpd.controller import Controller

from shootreview.celery import app
from tests.processes import (
    database_url_for_worker,
    free_port,
    point_celery_at,
    reset_celery_connections,
    start_celery_worker,
    stop_celery_worker,
)

FAST_REMINDERS = {
    "REMINDER_LEASE_SECONDS": "3",
    "REMINDER_RETRY_BASE_SECONDS": "1",
    "REMINDER_MAX_ATTEMPTS": "3",
}


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

    # A method, not a property: aiosmtpd inspects the handler's attributes on every connection.
    def messages(self) -> list[Message]:
        with self.lock:
            raw = list(self.raw)
        return [email.message_from_bytes(data) for data in raw]

    def message_ids(self) -> list[str]:
        with self.lock:
            return list(self.ids)

    def reset(self) -> None:
        with self.lock:
            self.raw.clear()
            self.ids.clear()
            self.fail_with = None
            self.delay = 0.0
            self.refused = 0


@pytest.fixture(scope="session")
def smtp_server():
    recorder = SmtpRecorder()
    # aiosmtpd logs every command at INFO; thousands of messages would flood the captured log.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    recorder.port = port
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
    for name, value in FAST_REMINDERS.items():
        setattr(settings, name, int(value))
    yield smtp_server
    smtp_server.reset()


class Workers:
    """Start, kill and restart real worker processes sending to the loopback SMTP server."""

    def __init__(self, redis_url: str, db_url: str, smtp_port: int, tmp_path):
        self.app = app
        self.redis_url = redis_url
        self.db_url = db_url
        self.smtp_port = smtp_port
        self.tmp_path = tmp_path
        self.queue = f"rem-{uuid.uuid4().hex[:8]}"
        self.procs = []
        self._previous = point_celery_at(app, redis_url, self.queue)

    def start(self):
        return self.start_with()

    def start_with(self, concurrency: int = 1, **env: str):
        proc = start_celery_worker(
            self.queue,
            self.redis_url,
            self.db_url,
            self.tmp_path / "worker.log",
            concurrency=concurrency,
            EMAIL_URL=f"smtp://127.0.0.1:{self.smtp_port}",
            **{**FAST_REMINDERS, **env},
        )
        self.procs.append(proc)
        return proc

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                stop_celery_worker(proc)
        self.app.conf.update(**self._previous)
        reset_celery_connections(self.app)

    def log(self) -> str:
        path = self.tmp_path / "worker.log"
        return path.read_text() if path.exists() else ""


@pytest.fixture
def workers(django_db_setup, django_db_blocker, redis_url, smtp, tmp_path):
    with django_db_blocker.unblock():
        db_url = database_url_for_worker()
    pool = Workers(redis_url, db_url, smtp.port, tmp_path)
    yield pool
    pool.stop_all()


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.2, on_tick=None) -> bool:
    deadline = time.monotonic() + timeout
    last_tick = 0.0
    while time.monotonic() < deadline:
        if predicate():
            return True
        if on_tick is not None and time.monotonic() - last_tick > 1.0:
            on_tick()
            last_tick = time.monotonic()
        time.sleep(interval)
    return predicate()
