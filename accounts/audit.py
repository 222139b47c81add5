"""Writing and checking the audit trail (CJIS AU-2, AU-3, AU-8, AU-9).

`record()` is the one way a row is written. Rows form a SHA-256 chain: each row's hash covers
its own fields, the cases it showed and the previous row's hash, so altering or removing a row
(or one of its cases) breaks the chain from there on. Writers take a lock so that two requests
never chain onto the same row; the chain's order is the rows' id order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from .addresses import client_ip
from .inputs import printable
from .models import AuditEvent, AuditEventCase, User

# Refusals are logged under the name operators already filter on.
refusal_logger = logging.getLogger("shootreview.access")

GENESIS = "0" * 64
# The request being served (set by the audit middleware), so that rows written from model
# signals or services still name the actor, source address and session.
current_request: ContextVar = ContextVar("current_request", default=None)
# Any constant works; it names the advisory lock that serialises audit writers on PostgreSQL.
_ADVISORY_LOCK_KEY = 0x5AD17


def can_audit(user) -> bool:
    """Supervisors and administrators read the audit log and "who has seen this case"."""
    return user.is_authenticated and user.is_active and (user.is_superuser or user.role == User.Role.SUPERVISOR)


class AuditWriteError(RuntimeError):
    """The audit row could not be written: the request must fail closed."""


def session_hash(request) -> str:
    """A keyed hash of the session id: lets an auditor group a session's events without the log
    holding a usable session id."""
    key = getattr(getattr(request, "session", None), "session_key", None) if request is not None else None
    if not key:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()


def _canonical(row: AuditEvent, cases: list[int]) -> bytes:
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
    if cases:
        # Only when there are any: rows written before cases were recorded keep their hash.
        payload["cases"] = cases
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def row_digest(row: AuditEvent, cases=()) -> str:
    """The row's hash; `cases` are the ids of the cases it showed (AuditEventCase), in any order."""
    return hashlib.sha256(_canonical(row, sorted(set(cases)))).hexdigest()


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
    shown_case_ids=(),
) -> AuditEvent:
    """Append one audit row, with the cases it showed (`shown_case_ids`: every case on an agenda,
    a packet, the minutes). Raises AuditWriteError if it cannot be written."""
    if request is None:
        request = current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    shown = sorted({int(pk) for pk in shown_case_ids})
    row = AuditEvent(
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
        # and every request pays for this, so it stays at two statements (three on PostgreSQL),
        # and one more when the request showed cases of an agenda or a packet.
        with transaction.atomic(savepoint=False):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
            # Taken under the lock, so that times follow the chain's order as far as one clock can.
            row.at = timezone.now()
            row.prev_hash = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first() or GENESIS
            row.row_hash = row_digest(row, shown)
            row.save(force_insert=True)
            if shown:
                AuditEventCase.objects.bulk_create(AuditEventCase(event=row, case_id=pk) for pk in shown)
    except Exception as exc:  # any failure to write must stop the request, whatever it was
        raise AuditWriteError(f"could not write audit row for {event}") from exc
    return row


@dataclass
class ChainProblem:
    row_id: int
    problem: str


def verify_chain(batch_size: int = 5000) -> ChainProblem | None:
    """Walk the whole log in id order; return the first altered or missing row (or row whose
    cases were altered), or None."""
    expected_prev = None
    last_id = 0
    first = True
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not rows:
            return None
        cases: dict[int, list[int]] = {}
        for event_id, case_id in AuditEventCase.objects.filter(
            event_id__gt=last_id, event_id__lte=rows[-1].pk
        ).values_list("event_id", "case_id"):
            cases.setdefault(event_id, []).append(case_id)
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
            if row_digest(row, cases.get(row.pk, ())) != row.row_hash:
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


def showed_cases(request, case_ids) -> None:
    """Tell the request's audit row that its response shows these cases (every case on an agenda,
    a packet, the minutes), so that "who has seen this case" lists the viewer. Adds to what the
    request already showed; the row records them only if the response is not a refusal."""
    if request is None:
        return
    shown = getattr(request, "audit_cases", None)
    if shown is None:
        shown = request.audit_cases = set()
    shown.update(int(pk) for pk in case_ids if pk is not None)


def refuse(user, object_type: str, object_id, request=None):
    """Answer a request for something `user` may not see as if it did not exist (404), and hand
    the attempt to the audit trail. Every refusal in the app goes through this function, called
    from the `access_*` lookups of each app's access module: within a request the audit
    middleware writes the request's one row as a refusal; outside one, the row is written here."""
    request = request if request is not None else current_request.get()
    refusal_logger.warning(
        "refused access: user=%s object=%s:%s path=%s",
        getattr(user, "pk", None),
        object_type,
        object_id,
        getattr(request, "path", ""),
    )
    if request is not None:
        request.audit_refused = (object_type, str(object_id))
    else:
        record(
            "access.refused",
            actor=user if getattr(user, "is_authenticated", False) else None,
            object_type=object_type,
            object_id=object_id,
            outcome="refused",
        )
    raise Http404(f"No {object_type} matches the given query.")
