"""Writing and checking the audit trail (CJIS AU-2, AU-3, AU-8, AU-9).

`record()` is the one way a row is written. Rows form a SHA-256 chain: each row's hash covers
its own fields and the previous row's hash, so altering or removing a row breaks the chain from
there on. Writers take a lock so that two requests never chain onto the same row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .inputs import printable
from .models import AuditEvent

GENESIS = "0" * 64
# The request being served (set by the audit middleware), so that rows written from model
# signals or services still name the actor, source address and session.
current_request: ContextVar = ContextVar("current_request", default=None)
# Any constant works; it names the advisory lock that serialises audit writers on PostgreSQL.
_ADVISORY_LOCK_KEY = 0x5AD17


class AuditWriteError(RuntimeError):
    """The audit row could not be written: the request must fail closed."""


def client_ip(request) -> str | None:
    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and request.META.get("HTTP_X_FORWARDED_FOR"):
        # Behind our own proxy (the same setting that trusts its TLS header), the first hop is the client.
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def session_hash(request) -> str:
    """A keyed hash of the session id: lets an auditor group a session's events without the log
    holding a usable session id."""
    key = getattr(getattr(request, "session", None), "session_key", None) if request is not None else None
    if not key:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()


def _canonical(row: AuditEvent) -> bytes:
    payload = {
        "at": row.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": row.actor_id,
        "actor_username": row.actor_username,
        "actor_name": row.actor_name,
        "source_ip": row.source_ip,
        "event": row.event,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "case_id": row.case_id,
        "outcome": row.outcome,
        "session_hash": row.session_hash,
        "detail": row.detail,
        "prev_hash": row.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def row_digest(row: AuditEvent) -> str:
    return hashlib.sha256(_canonical(row)).hexdigest()


def record(
    event: str,
    *,
    request=None,
    actor=None,
    object_type: str = "",
    object_id="",
    case_id: int | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit row. Raises AuditWriteError if it cannot be written."""
    if request is None:
        request = current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    row = AuditEvent(
        at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_username=getattr(actor, "username", "") or "",
        actor_name=(actor.get_full_name() if actor is not None else "")[:300],
        source_ip=client_ip(request),
        # What a request sent is kept, but a control character is written out as an escape: the
        # database cannot hold NUL, and a refused write would fail the request (503) for nothing.
        event=printable(event)[:80],
        object_type=printable(object_type)[:40],
        object_id=printable(str(object_id or ""))[:64],
        case_id=case_id,
        outcome=outcome,
        session_hash=session_hash(request),
        detail=printable(detail or {}),
    )
    try:
        # No savepoint: a failed write must doom the surrounding transaction anyway (fail closed),
        # and every request pays for this, so it stays at two statements (three on PostgreSQL).
        with transaction.atomic(savepoint=False):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
            row.prev_hash = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first() or GENESIS
            row.row_hash = row_digest(row)
            row.save(force_insert=True)
    except Exception as exc:  # any failure to write must stop the request, whatever it was
        raise AuditWriteError(f"could not write audit row for {event}") from exc
    return row


@dataclass
class ChainProblem:
    row_id: int
    problem: str


def verify_chain(batch_size: int = 5000) -> ChainProblem | None:
    """Walk the whole log in id order; return the first altered or missing row, or None."""
    expected_prev = None
    last_id = 0
    first = True
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            return None
        for row in rows:
            if first:
                first = False
                # After a purge the oldest kept row chains to a row that is gone on purpose;
                # the purge records that row's hash as its anchor.
                anchors = {GENESIS, *purge_anchors()}
                if row.prev_hash not in anchors:
                    return ChainProblem(row.pk, "the first row does not start the chain (rows before it are missing)")
            elif row.prev_hash != expected_prev:
                return ChainProblem(row.pk, "a row before this one is missing or was altered")
            if row_digest(row) != row.row_hash:
                return ChainProblem(row.pk, "this row was altered")
            expected_prev = row.row_hash
            last_id = row.pk


def purge_anchors() -> list[str]:
    return [
        d.get("anchor", "")
        for d in AuditEvent.objects.filter(event="audit.purge").values_list("detail", flat=True)
        if isinstance(d, dict)
    ]


def annotate(request, **values) -> None:
    """Let a view tell its request's audit row more: `event`, `object_type`, `object_id`,
    `case_id`, `detail` (a small dict; never note text, names or secrets)."""
    if request is None:
        return
    current = getattr(request, "audit", None) or {}
    current.update(values)
    request.audit = current
