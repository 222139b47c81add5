"""eTrace results: one row per trace request, matched by its number to the firearm-trace note that
gives it (`etrace_number`). The status, time-to-crime, purchaser and dealer the file returns go
into the note as a new revision, through the same form checks and the same service as the note's
edit page; a cell left blank (eTrace did not return it) keeps what the note holds. A row that
changes nothing makes no revision, so a re-import changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User

from .. import access, services
from ..importers.common import RowError, column_key
from ..models import Note
from ..note_forms import FirearmNoteForm, display_value
from .common import FEED_ETRACE, FeedOutcome, FeedReport, Rollback, ignored, read, run

COLUMNS = {
    "trace_number": "trace_number",
    "status": "status",
    "time_to_crime_days": "time_to_crime_days",
    "purchaser": "purchaser",
    "dealer": "dealer",
}
REQUIRED = ["trace_number", "status"]
LAYOUT = [
    (
        "trace_number",
        True,
        "The eTrace request number, as given in the “eTrace request number” of a firearm-trace note "
        "(compared without case).",
    ),
    ("status", True, "not submitted, pending, completed or no trace."),
    ("time_to_crime_days", False, "Days from the first retail sale to the recovery: a whole number, 0 to 36500."),
    ("purchaser", False, "The purchaser eTrace returned (up to 120 characters)."),
    ("dealer", False, "The dealer (FFL) eTrace returned (up to 200 characters)."),
]
# Column → the note's field; the status is always given, the others only where eTrace returned them.
FIELDS = {
    "status": "etrace_status",
    "time_to_crime_days": "time_to_crime_days",
    "purchaser": "purchaser",
    "dealer": "dealer",
}
TRACE_NUMBER_MAX = FirearmNoteForm.base_fields["etrace_number"].max_length
# Status as the file may write it (the key or the label, in any case) → the note's value.
STATUSES = {
    **{column_key(value): value for value, _ in FirearmNoteForm.ETRACE_STATUSES},
    **{column_key(label): value for value, label in FirearmNoteForm.ETRACE_STATUSES},
}
# A trace that has come back is not set back to waiting by an older results file.
FINISHED = {"completed", "no_trace"}


@dataclass
class TracePlan:
    line: int
    outcome: FeedOutcome
    note: Note
    fields: dict


def import_etrace_results(
    content: bytes | str, *, user: User, dry_run: bool = False, request=None, filename: str = ""
) -> FeedReport:
    """Read an eTrace results file and (unless `dry_run`, or any row is wrong) revise the matching
    firearm-trace notes, all or nothing.

    Raises PermissionDenied when `user` may not import it, ImportFileError when the file cannot be
    read at all; every problem with a row is an error of the report naming its line."""
    report = FeedReport(FEED_ETRACE, dry_run=dry_run)
    return run(report, content, user, plan=_plan, write=_write, request=request, filename=filename)


def _parse(table, errors: list[RowError]) -> list[tuple[int, str, dict[str, str]]]:
    """(line, trace number, {note field: value as in the file}) for each good row."""
    rows = []
    first_line: dict[str, int] = {}
    for line, cells in table.rows:
        number = cells.get("trace_number", "")
        problems = []
        if not number:
            problems.append("trace_number: required")
        elif len(number) > TRACE_NUMBER_MAX:
            problems.append(f"trace_number: at most {TRACE_NUMBER_MAX} characters")
        elif number.upper() in first_line:
            problems.append(f"trace_number: {number} is already on line {first_line[number.upper()]}")
        status = STATUSES.get(column_key(cells.get("status", "")))
        if status is None:
            choices = ", ".join(label.lower() for _, label in FirearmNoteForm.ETRACE_STATUSES)
            problems.append(f"status: “{cells.get('status', '')}” should be one of {choices}")
        if problems:
            errors.extend(RowError(line, problem) for problem in problems)
            continue
        first_line[number.upper()] = line
        values = {"etrace_status": status}
        for column, name in FIELDS.items():
            if column != "status" and cells.get(column):
                values[name] = cells[column]
        rows.append((line, number, values))
    return rows


def _notes(user: User, numbers: list[str]) -> dict[str, list[Note]]:
    """Live firearm-trace notes the importer may see, by trace number in capitals: a number is
    matched without regard to case or surrounding spaces, as people type it either way."""
    wanted = {n for number in numbers for n in (number, number.upper(), number.lower())}
    found: dict[str, list[Note]] = {}
    notes = (
        access.notes_visible_to(user)
        .filter(kind=Note.Kind.FIREARM, retracted_at__isnull=True, fields__etrace_number__in=sorted(wanted))
        .select_related("shooting", "author_agency")
        .order_by("pk")
    )
    for note in notes:
        found.setdefault(str(note.fields.get("etrace_number", "")).strip().upper(), []).append(note)
    return found


def _plan(content: bytes | str, user: User, report: FeedReport) -> list[TracePlan]:
    table, errors = read(content, COLUMNS, REQUIRED)
    report.rows = len(table.rows)
    report.ignored_columns = ignored(table, COLUMNS)
    rows = _parse(table, errors) if not any(e.line == table.header_line for e in errors) else []
    notes = _notes(user, [number for _, number, _ in rows])
    plans = []
    for line, number, values in rows:
        matches = notes.get(number.upper(), [])
        # A note the importer may not see is not told apart from no note at all.
        if not matches:
            errors.append(
                RowError(line, f"trace_number: no firearm-trace note you may see gives eTrace request {number}")
            )
            continue
        if len(matches) > 1:
            cases = ", ".join(note.shooting.report_number for note in matches)
            errors.append(
                RowError(
                    line,
                    f"trace_number: {number} is on {len(matches)} firearm-trace notes ({cases}); correct them first",
                )
            )
            continue
        note = matches[0]
        if not access.can_edit_note(user, note):
            errors.append(
                RowError(
                    line,
                    f"trace_number: the note giving {number} (case {note.shooting.report_number}) is "
                    f"{note.author_agency.name}'s; only its author or a supervisor of that agency may revise it",
                )
            )
            continue
        outcome = FeedOutcome(line, number, note_id=note.pk, shooting_id=note.shooting_id, case_ids=[note.shooting_id])
        if note.fields.get("etrace_status") in FINISHED and values["etrace_status"] not in FINISHED:
            kept = display_value(Note.Kind.FIREARM, "etrace_status", note.fields["etrace_status"])
            outcome.remarks.append(f"status kept as {kept} (a finished trace is not reopened)")
            values["etrace_status"] = note.fields["etrace_status"]
        fields, problems = _revised(note, values, line)
        if problems:
            errors.extend(problems)
            continue
        for name in FIELDS.values():
            before, after = note.fields.get(name), fields.get(name)
            if before != after and not (before in (None, "") and after in (None, "")):
                outcome.changes[FirearmNoteForm.base_fields[name].label] = (
                    display_value(Note.Kind.FIREARM, name, before),
                    display_value(Note.Kind.FIREARM, name, after),
                )
        if outcome.changes:
            outcome.action = "updated"
        plans.append(TracePlan(line, outcome, note, fields))
    report.errors = errors
    report.outcomes = [plan.outcome for plan in plans]
    return plans


def _revised(note: Note, values: dict[str, str], line: int) -> tuple[dict, list[RowError]]:
    """The note's fields with the file's values, checked by the note's own form as its edit page
    checks them; only the trace's fields are taken from the form, the rest stay as stored."""
    data = {**FirearmNoteForm.initial_from(note), **values}
    data = {name: value for name, value in data.items() if value is not None and value is not False}
    form = FirearmNoteForm(data=data)
    if not form.is_valid():
        columns = {name: column for column, name in FIELDS.items()}
        return {}, [
            RowError(line, f"{columns.get(name, name)}: {message}")
            for name, messages in form.errors.items()
            for message in messages
        ]
    fields = dict(note.fields)
    for name in FIELDS.values():
        if name in values:
            fields[name] = form.note_fields()[name]
    return fields, []


def _write(plans: list[TracePlan], user: User, report: FeedReport) -> None:
    for plan in plans:
        if plan.outcome.action == "unchanged":
            continue
        try:
            services.revise_note(plan.note, user, plan.fields, restricted=plan.note.restricted_to_agency)
        except ValueError as exc:  # retracted meanwhile
            raise Rollback(RowError(plan.line, f"trace_number: {plan.outcome.key}: {exc}")) from None
