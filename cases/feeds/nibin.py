"""A NIBIN lead report: one row per lead, naming the cases whose casings or firearm it correlates.

Each row creates or updates the lead (its date, the examiner's answer, the examiner) and joins
the named cases exactly as a person does on the case page: by a firearm-trace note citing the
lead number, added by the importer through cases.services. That note's link keys join the cases,
open the work on the lead in each (cases.lead_work), and the reminder sweep tells the
investigators. A case that already cites the lead is left alone, so a re-import changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import User

from .. import access, lead_work, services
from ..importers.common import REPORT_NUMBER_MAX, RowError, check_not_future, parse_datetime
from ..lead_forms import LEAD_TIMES, LeadForm
from ..models import LinkKey, NibinLead, Note, Shooting
from ..note_forms import FirearmNoteForm, normalise_lead_numbers
from .common import FEED_NIBIN, FeedOutcome, FeedReport, Rollback, ignored, integrity_error, read, run

# Column key → the name the layout documents (docs/nibin-leads-example.csv, README).
COLUMNS = {
    "lead_number": "lead_number",
    "lead_date": "lead_date",
    "case_numbers": "case_numbers",
    "result": "result",
    "examiner": "examiner",
}
REQUIRED = ["lead_number", "lead_date", "case_numbers", "result"]
# The layout as the upload page and the README describe it: (column, required, what it holds).
LAYOUT = [
    ("lead_number", True, "The NIBIN lead number, one per row (spaces are ignored, letters compared in capitals)."),
    ("lead_date", True, "The date of the lead report (2026-03-14 or 3/14/2026, a time may follow); not in the future."),
    (
        "case_numbers",
        True,
        "The agencies' report numbers of the cases whose casings or firearm the lead correlates, separated by "
        "semicolons. Each must be a case in the shoot review.",
    ),
    ("result", True, "lead (a computer correlation), hit (confirmed by the examiner) or excluded."),
    ("examiner", False, "The firearms examiner; required for a hit or an exclusion."),
]
RESULTS = {
    "lead": NibinLead.Status.LEAD,
    "hit": NibinLead.Status.HIT,
    "excluded": NibinLead.Status.EXCLUDED,
}
# An examiner's answer is not undone by a lead report: the report of the correlation is usually
# older than the answer, and re-importing it must not set a confirmed hit back to a lead.
ANSWERED = {NibinLead.Status.HIT, NibinLead.Status.EXCLUDED}
EXAMINER_MAX = NibinLead._meta.get_field("examiner").max_length
CASE_SEPARATORS = ";,"
NOTE_TEXT = "From the NIBIN lead report: lead {number}, {result}{examiner}, dated {date}."


@dataclass
class LeadRow:
    line: int
    number: str
    received_at: datetime
    date_only: bool
    case_numbers: list[str]
    status: str
    examiner: str


@dataclass
class LeadPlan:
    row: LeadRow
    outcome: FeedOutcome
    lead: NibinLead | None
    lead_data: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)
    # The cases to join, each with the note that will cite the lead there.
    joins: list[tuple[Shooting, dict]] = field(default_factory=list)


def import_nibin_leads(
    content: bytes | str, *, user: User, dry_run: bool = False, request=None, filename: str = ""
) -> FeedReport:
    """Read a NIBIN lead report and (unless `dry_run`, or any row is wrong) apply it, all or nothing.

    Raises PermissionDenied when `user` may not import it, ImportFileError when the file cannot be
    read at all; every problem with a row is an error of the report naming its line."""
    report = FeedReport(FEED_NIBIN, dry_run=dry_run)
    return run(report, content, user, plan=_plan, write=_write, request=request, filename=filename)


# --- Reading and checking the rows ---------------------------------------------------------------


def _split_cases(cell: str) -> list[str]:
    parts = [cell]
    for separator in CASE_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [part.strip() for part in parts if part.strip()]


def _parse_row(line: int, row: dict[str, str], now: datetime) -> tuple[LeadRow | None, list[str]]:
    problems: list[str] = []
    numbers = normalise_lead_numbers(row.get("lead_number", ""))
    if not numbers:
        problems.append("lead_number: required")
    elif len(numbers) > 1:
        problems.append("lead_number: one lead number per row")
    elif len(numbers[0]) > 64:
        problems.append("lead_number: at most 64 characters")
    text = row.get("lead_date", "")
    received_at = None
    if not text:
        problems.append("lead_date: required")
    else:
        try:
            received_at = parse_datetime(text, "lead_date")
            check_not_future(received_at, "lead_date", now)
        except ValueError as exc:
            problems.append(str(exc))
            received_at = None
    cases = _split_cases(row.get("case_numbers", ""))
    if not cases:
        problems.append("case_numbers: required (the agencies' report numbers, separated by semicolons)")
    for number in cases:
        if len(number) > REPORT_NUMBER_MAX:
            problems.append(f"case_numbers: “{number}” is longer than {REPORT_NUMBER_MAX} characters")
    repeated = sorted({number for number in cases if cases.count(number) > 1})
    if repeated:
        problems.append("case_numbers: " + ", ".join(repeated) + " named more than once")
    result = row.get("result", "").strip().lower()
    status = RESULTS.get(result)
    if status is None:
        problems.append(f"result: “{row.get('result', '')}” should be lead, hit or excluded")
    examiner = row.get("examiner", "")
    if len(examiner) > EXAMINER_MAX:
        problems.append(f"examiner: at most {EXAMINER_MAX} characters")
    elif status in ANSWERED and not examiner:
        problems.append(f"examiner: required for a {result} (the examiner who gave the answer)")
    if problems:
        return None, problems
    date_only = len(text.strip()) <= 10
    return LeadRow(line, numbers[0], received_at, date_only, cases, status, examiner), []


def _rows(table, now: datetime, errors: list[RowError]) -> list[LeadRow]:
    rows: list[LeadRow] = []
    first_line: dict[str, int] = {}
    for line, cells in table.rows:
        parsed, problems = _parse_row(line, cells, now)
        errors.extend(RowError(line, problem) for problem in problems)
        if parsed is None:
            continue
        if parsed.number in first_line:
            errors.append(
                RowError(line, f"lead_number: {parsed.number} is already on line {first_line[parsed.number]}")
            )
            continue
        first_line[parsed.number] = line
        rows.append(parsed)
    return rows


def _form_errors(form, line: int, names: dict[str, str]) -> list[RowError]:
    return [
        RowError(line, f"{names.get(name, name)}: {message}")
        for name, messages in form.errors.items()
        for message in messages
    ]


def _lead_changes(row: LeadRow, lead: NibinLead | None, outcome: FeedOutcome) -> tuple[dict, dict, list[RowError]]:
    """The lead's new values (for services.update_nibin_lead), its history entry, and the errors of
    the same checks the lead page makes (the times in order, none in the future)."""
    status = row.status
    if lead is not None and lead.status in ANSWERED and status == NibinLead.Status.LEAD:
        kept = lead.get_status_display().split(" (")[0].lower()
        outcome.remarks.append(f"kept as {kept} (a lead report never undoes the examiner's answer)")
        status = lead.status
    stored_at = lead.lead_received_at if lead else None
    received_at = row.received_at
    # A date without a time is the day of a time already recorded on that day.
    if row.date_only and stored_at and timezone.localtime(stored_at).date() == timezone.localtime(received_at).date():
        received_at = stored_at
    times = {name: getattr(lead, name) if lead else None for name in LEAD_TIMES}
    times["lead_received_at"] = received_at
    form = LeadForm(data={"status": status, "examiner": row.examiner, **times})
    errors = [] if form.is_valid() else _form_errors(form, row.line, {"lead_received_at": "lead_date"})
    data: dict = {}
    history: dict = {}
    old_status = lead.status if lead else NibinLead.Status.LEAD
    if status != old_status:
        data["status"] = status
        history["status"] = [NibinLead.Status(old_status).label, NibinLead.Status(status).label]
    if received_at != stored_at:
        data["lead_received_at"] = received_at
        history["lead received"] = [_when(stored_at), _when(received_at)]
    # A blank examiner (a lead report before any answer) keeps the one recorded.
    if row.examiner and row.examiner != (lead.examiner if lead else ""):
        data["examiner"] = row.examiner
        history["examiner"] = [lead.examiner if lead else "", row.examiner]
    return data, history, errors


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _note_fields(row: LeadRow) -> tuple[dict, list[RowError]]:
    """The firearm-trace note citing the lead, checked by the form a person fills in."""
    examiner = f", examiner {row.examiner}" if row.examiner else ""
    text = NOTE_TEXT.format(
        number=row.number,
        result=NibinLead.Status(row.status).label.split(" (")[0].lower(),
        examiner=examiner,
        date=timezone.localtime(row.received_at).strftime("%Y-%m-%d"),
    )
    form = FirearmNoteForm(data={"nibin_leads": row.number, "etrace_status": "not_submitted", "text": text})
    if not form.is_valid():
        return {}, _form_errors(form, row.line, {})
    return form.note_fields(), []


def _plan(content: bytes | str, user: User, report: FeedReport) -> list[LeadPlan]:
    table, errors = read(content, COLUMNS, REQUIRED)
    report.rows = len(table.rows)
    report.ignored_columns = ignored(table, COLUMNS)
    rows = _rows(table, timezone.now(), errors) if not any(e.line == table.header_line for e in errors) else []
    # Cases the importer may not see are not told apart from cases that do not exist: the file
    # is refused either way, naming the line and the number it gave, and nothing else.
    named = {number for row in rows for number in row.case_numbers}
    cases = {s.report_number: s for s in access.shootings_visible_to(user).filter(report_number__in=named)}
    leads = {lead.number: lead for lead in NibinLead.objects.filter(number__in=[row.number for row in rows])}
    joined = set(
        LinkKey.objects.filter(kind=LinkKey.Kind.NIBIN, value__in=[row.number for row in rows]).values_list(
            "value", "shooting_id"
        )
    )
    plans: list[LeadPlan] = []
    for row in rows:
        unknown = [number for number in row.case_numbers if number not in cases]
        if unknown:
            errors.append(
                RowError(
                    row.line,
                    "case_numbers: no case you may see has the report number " + ", ".join(unknown),
                )
            )
            continue
        lead = leads.get(row.number)
        outcome = FeedOutcome(row.line, row.number, "created" if lead is None else "unchanged")
        outcome.lead_id = lead.pk if lead else None
        data, history, problems = _lead_changes(row, lead, outcome)
        fields, note_problems = _note_fields(row)
        errors.extend(problems + note_problems)
        plan = LeadPlan(row, outcome, lead, data, history)
        for number in row.case_numbers:
            shooting = cases[number]
            outcome.case_ids.append(shooting.pk)
            if (row.number, shooting.pk) in joined:
                outcome.remarks.append(f"{number} already cites the lead")
            else:
                plan.joins.append((shooting, fields))
        for name, (before, after) in history.items():
            outcome.changes[name] = (before, after)
        if plan.joins:
            outcome.changes["cases joined"] = ("", ", ".join(s.report_number for s, _ in plan.joins))
        if outcome.action == "unchanged" and outcome.changes:
            outcome.action = "updated"
        plans.append(plan)
    report.errors = errors
    report.outcomes = [plan.outcome for plan in plans]
    return plans


# --- Writing ---------------------------------------------------------------------------------------


def _write(plans: list[LeadPlan], user: User, report: FeedReport) -> None:
    for plan in plans:
        if plan.outcome.action == "unchanged":
            continue
        row = plan.row
        lead = plan.lead
        try:
            if lead is None:
                # Made before the notes cite it, so that the note does not make it with today's date.
                lead = NibinLead.objects.create(number=row.number, lead_received_at=row.received_at)
        except IntegrityError:
            raise integrity_error(row.line, f"lead {row.number}") from None
        plan.outcome.lead_id = lead.pk
        if plan.lead_data:
            try:
                lead = services.update_nibin_lead(lead, user, plan.lead_data)
            except ValidationError as exc:  # a value another writer stored meanwhile breaks the order
                raise Rollback(RowError(row.line, f"lead {row.number}: {'; '.join(exc.messages)}")) from None
        changes = dict(plan.history)
        if plan.joins:
            changes["cases joined"] = ["", ", ".join(shooting.report_number for shooting, _ in plan.joins)]
        if changes:
            lead_work.record_change(lead.pk, user, {"source": ["", "NIBIN lead report import"], **changes})
        for shooting, fields in plan.joins:
            note = services.add_note(shooting, user, Note.Kind.FIREARM, fields)
            plan.outcome.note_id = note.pk
