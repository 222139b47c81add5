"""What the NIBIN and eTrace imports share: who may run them, reading the file, the report they
return, and the audit row each run leaves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import audit
from accounts.models import AuditEvent, User

from .. import access
from ..importers.common import ImportFileError, RowError, Table, decode, missing_columns, read_table

FEED_NIBIN, FEED_ETRACE = "nibin", "etrace"
FEED_LABELS = {FEED_NIBIN: "NIBIN lead report", FEED_ETRACE: "eTrace results"}
ACTIONS = ["created", "updated", "unchanged"]


@dataclass
class FeedOutcome:
    """What happens (or would happen) to one row's lead or trace."""

    line: int
    key: str  # the lead number or the eTrace request number
    action: str = "unchanged"  # created, updated or unchanged
    # {"what": (before, after)} as text, for the preview and the command's output.
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    remarks: list[str] = field(default_factory=list)
    # The lead or the note the row is about, once it exists: the preview links to it.
    lead_id: int | None = None
    note_id: int | None = None
    shooting_id: int | None = None
    case_ids: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        if not self.changes:
            return self.action
        return f"{self.action}: " + "; ".join(
            f"{name} {before or '—'} → {after or '—'}" for name, (before, after) in self.changes.items()
        )


@dataclass
class FeedReport:
    """The result of one run: an outcome per row when the file is good, else the errors of its lines
    (and nothing written)."""

    feed: str
    dry_run: bool = True
    rows: int = 0
    outcomes: list[FeedOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def label(self) -> str:
        return FEED_LABELS[self.feed]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for outcome in self.outcomes:
            counts[outcome.action] += 1
        return counts

    @property
    def changed(self) -> bool:
        return any(outcome.action != "unchanged" for outcome in self.outcomes)

    def fail(self, errors: list[RowError]) -> FeedReport:
        """Refuse the whole file: the errors in line order, no outcomes (nothing was or will be written)."""
        self.errors = sorted(errors, key=lambda error: error.line or 0)
        self.outcomes = []
        return self


def check_importer(user: User, feed: str, request=None) -> None:
    """Refuse someone who may not run the import, with the refusal on record: the request's own
    audit row says it within a request (the API's too), a row of its own from the command."""
    if access.can_import_feeds(user):
        return
    request = getattr(request, "_request", request)
    if request is not None:
        request.audit_refused = ("import", feed)
    else:
        audit.record(
            "access.refused", actor=user, object_type="import", object_id=feed, outcome=AuditEvent.Outcome.REFUSED
        )
    raise PermissionDenied(
        "Only investigators, federal agents, coordinators and supervisors of a law-enforcement agency "
        "import NIBIN lead reports and eTrace results."
    )


def read(content: bytes | str, columns: dict[str, str], required: list[str]) -> tuple[Table, list[RowError]]:
    """The file as a table, and the errors of the file as a whole (a missing column) and of its
    rows (a control character). Raises ImportFileError when it cannot be read at all."""
    text = decode(content) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    table = read_table(text)
    errors = list(table.errors)
    missing = missing_columns(table, {key: columns[key] for key in required})
    if missing:
        errors.append(missing)
    if not table.rows and not errors:
        raise ImportFileError("The file has a header row but no rows to import.")
    return table, errors


def ignored(table: Table, columns: dict[str, str]) -> list[str]:
    return [key for key in table.header if key and key not in columns]


def record_run(report: FeedReport, user: User, *, request=None, filename: str = "") -> None:
    """One audit row per run, dry runs and refused files included. Within a request the request's
    own row says it (one row per request); from the command, a row of its own. The detail holds
    counts and line numbers only, never a value from the file."""
    detail = {
        "feed": report.feed,
        "dry_run": report.dry_run,
        "rows": report.rows,
        "counts": report.counts,
        "errors": len(report.errors),
        "error_lines": sorted({error.line for error in report.errors if error.line})[:20],
    }
    if filename:
        detail["file"] = filename[:120]
    cases = sorted({pk for outcome in report.outcomes for pk in outcome.case_ids})
    event = f"import.{report.feed}" + (".dry_run" if report.dry_run else "")
    # The API hands in its own request object, which wraps Django's.
    request = getattr(request, "_request", request)
    if request is not None:
        audit.annotate(request, event=event, object_type="import", object_id=report.feed, detail=detail)
        audit.showed_cases(request, cases)
        return
    audit.record(
        event,
        actor=user,
        object_type="import",
        object_id=report.feed,
        outcome=AuditEvent.Outcome.SUCCESS if report.ok else AuditEvent.Outcome.FAILURE,
        detail=detail,
        shown_case_ids=cases,
    )


class Rollback(Exception):
    """A row could not be written after all (someone changed the same thing meanwhile): the
    transaction is undone and the row's error reported."""

    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def run(
    report: FeedReport,
    content: bytes | str,
    user: User,
    *,
    plan: Callable[[bytes | str, User, FeedReport], list],
    write: Callable[[list, User, FeedReport], None],
    request=None,
    filename: str = "",
) -> FeedReport:
    """The frame of both imports: check the importer, plan every row (filling the report's
    outcomes or errors, no writes), then unless it is a dry run or anything is wrong write it all
    in one transaction, the command's audit row included, so that an import never stands without
    its record. A file that cannot be read raises ImportFileError, after its audit row."""
    check_importer(user, report.feed, request)
    try:
        plans = plan(content, user, report)
    except ImportFileError as exc:
        report.errors = [RowError(None, str(exc))]
        record_run(report, user, request=request, filename=filename)
        raise
    if report.errors:
        report.fail(report.errors)
    if report.dry_run or report.errors:
        record_run(report, user, request=request, filename=filename)
        return report
    try:
        with transaction.atomic():
            write(plans, user, report)
            record_run(report, user, request=request, filename=filename)
    except Rollback as exc:
        report.fail([exc.error])
        record_run(report, user, request=request, filename=filename)
    return report


def integrity_error(line: int, what: str) -> Rollback:
    return Rollback(RowError(line, f"{what} was just changed by someone else; nothing was imported — run it again"))
