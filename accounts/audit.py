"""Writing and checking the audit trail (CJIS AU-2, AU-3, AU-8, AU-9).

`record()` is the one way a row is written. Rows form a SHA-256 chain: each row's hash covers
its own fields, the cases it showed and the previous row's hash, so altering or removing a row
(or one of its cases) breaks the chain from there on. The chain's order is `chain_seq`.

On PostgreSQL a request's row is written on its own, with no lock and no read: writers never wait
for one another. `seal()` then chains the rows written since it last ran, in one transaction, in
the order they became visible (a sequence hands out ids before commit, so a row may commit after a
row with a higher id: chaining in id order would have to wait for it). Celery beat seals every
AUDIT_SEAL_SECONDS, and `verify_audit` and `purge_audit` seal before they read the chain. Until it
is sealed a row is already append-only (the trigger refuses every change but the one-time seal).
On SQLite, whose writers take turns anyway, `record()` chains the row as it writes it.
"""

from __future__ import annotations

import contextlib
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
# Any constant works; it names the advisory lock that keeps two sealers from chaining onto the
# same row (writers never take it).
_SEALER_LOCK_KEY = 0x5AD17


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
        # and every request pays for this, so it stays at one statement on PostgreSQL (two on
        # SQLite), and one more when the request showed cases of an agenda or a packet.
        # A lone insert on PostgreSQL needs no transaction of its own (one round trip, not three).
        alone = connection.vendor == "postgresql" and not shown
        with contextlib.nullcontext() if alone else transaction.atomic(savepoint=False):
            row.at = timezone.now()
            if connection.vendor != "postgresql":
                # SQLite's writers take turns (immediate transactions): chain the row as it is written.
                last = AuditEvent.objects.filter(chain_seq__isnull=False).order_by("-chain_seq")
                last_seq, last_hash = last.values_list("chain_seq", "row_hash").first() or (0, GENESIS)
                row.chain_seq, row.prev_hash = last_seq + 1, last_hash
                row.row_hash = row_digest(row, shown)
            row.save(force_insert=True)
            if shown:
                AuditEventCase.objects.bulk_create(AuditEventCase(event=row, case_id=pk) for pk in shown)
    except Exception as exc:  # any failure to write must stop the request, whatever it was
        raise AuditWriteError(f"could not write audit row for {event}") from exc
    return row


def seal(*, wait: bool = True, batch_size: int = 2000) -> int:
    """Chain every row written but not yet sealed, in id order among themselves, after the last
    sealed row; return how many. One sealer at a time: with `wait` False (the beat task) it
    returns 0 at once if another is sealing."""
    sealed = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    if wait:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEALER_LOCK_KEY])
                    else:
                        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEALER_LOCK_KEY])
                        if not cursor.fetchone()[0]:
                            return sealed
            # A row with a hash but no place in the chain was not written by record(): it is left
            # for verify_chain to name, and sealing it would be refused anyway.
            waiting = AuditEvent.objects.filter(chain_seq__isnull=True, row_hash__isnull=True)
            rows = list(waiting.order_by("id")[:batch_size])
            if not rows:
                return sealed
            last = AuditEvent.objects.filter(chain_seq__isnull=False).order_by("-chain_seq")
            seq, prev = last.values_list("chain_seq", "row_hash").first() or (0, GENESIS)
            cases = _cases_of(rows)
            for row in rows:
                seq += 1
                row.chain_seq, row.prev_hash = seq, prev
                row.row_hash = prev = row_digest(row, cases.get(row.pk, ()))
            _write_seals(rows)
            sealed += len(rows)
        if len(rows) < batch_size:
            return sealed


def _write_seals(rows: list[AuditEvent]) -> None:
    # PostgreSQL only: on SQLite record() chains each row as it writes it, so seal() finds none.
    # One statement joined to arrays: bulk_update's CASE per column is quadratic in the batch.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent AS e SET chain_seq = v.seq, prev_hash = v.prev, row_hash = v.hash "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) AS v(id, seq, prev, hash) "
            "WHERE e.id = v.id",
            [
                [r.pk for r in rows],
                [r.chain_seq for r in rows],
                [r.prev_hash for r in rows],
                [r.row_hash for r in rows],
            ],
        )


def _cases_of(rows: list[AuditEvent]) -> dict[int, list[int]]:
    cases: dict[int, list[int]] = {}
    for event_id, case_id in AuditEventCase.objects.filter(event_id__in=[r.pk for r in rows]).values_list(
        "event_id", "case_id"
    ):
        cases.setdefault(event_id, []).append(case_id)
    return cases


def unsealed() -> tuple[int, object]:
    """How many rows wait for the sealer, and when the oldest of them was written (None: none)."""
    waiting = AuditEvent.objects.filter(chain_seq__isnull=True)
    return waiting.count(), waiting.order_by("id").values_list("at", flat=True).first()


@dataclass
class ChainProblem:
    row_id: int
    problem: str


def verify_chain(batch_size: int = 5000) -> ChainProblem | None:
    """Walk the whole sealed log in chain order; return the first altered or missing row (or row
    whose cases were altered), or a row that claims a hash outside the chain; None if whole."""
    outside = AuditEvent.objects.filter(chain_seq__isnull=True).exclude(row_hash=None).order_by("id").first()
    if outside is not None:
        return ChainProblem(outside.pk, "this row claims a hash but has no place in the chain (it was inserted)")
    expected_prev = None
    last_seq = None
    first = True
    while True:
        sealed = AuditEvent.objects.filter(chain_seq__isnull=False).order_by("chain_seq")
        rows = list((sealed if last_seq is None else sealed.filter(chain_seq__gt=last_seq))[:batch_size])
        if not rows:
            return None
        cases = _cases_of(rows)
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
            last_seq = row.chain_seq


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
