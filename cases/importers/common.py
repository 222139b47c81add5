"""What both import formats share: reading the CSV into a table of rows, telling the format from
the header, the values of cells (dates, times, numbers, yes/no) and what an import reports.

Line numbers are the row numbers a spreadsheet shows (the header of a plain file is line 1; a
quoted cell spanning several lines is still one row).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from accounts.inputs import date_problem, one_line, text_problem

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# The longest report number a case stores (Shooting.report_number).
REPORT_NUMBER_MAX = 32
FORMAT_AUTO, FORMAT_TEMPLATE, FORMAT_KCPD = "auto", "template", "kcpd"
FORMAT_LABELS = {FORMAT_TEMPLATE: "Shoot review template", FORMAT_KCPD: "KCPD open data"}
# Clock skew between the records system and us should not turn a fresh report into an error.
FUTURE_SLACK = timedelta(minutes=10)

# Cells that may hold several lines (a spreadsheet's Alt+Enter); in every other column a line
# break or tab is only wrapping, and is read as a space.
MULTI_LINE_COLUMNS = {"summary"}
CSV_ERRORS = {
    "unexpected end of data": (
        "a cell opened with a quote on this row is never closed, so every row after it would be read "
        "as part of that cell"
    ),
    "',' expected after '\"'": "a quoted cell has more text after its closing quote",
}

YES = {"y", "yes", "true", "t", "1"}
NO = {"n", "no", "false", "f", "0"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not UTF-8, too large, no recognisable header)."""


@dataclass
class RowError:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ParsedShooting:
    """One report number's worth of rows, validated and turned into model values."""

    report_number: str
    line: int
    # Fields the file decides, on create and on every re-import.
    data: dict
    # Fields set only when the case is created (the app's people may edit them afterwards).
    create_only: dict = field(default_factory=dict)
    victims: list[dict] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    # False when the format gives labels instead of names (KCPD's "Victim 1"): no one to match.
    victims_named: bool = True


@dataclass
class Outcome:
    """What happens (or would happen) to one report number."""

    report_number: str
    line: int
    action: str  # created, updated, unchanged or skipped
    reason: str = ""
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    victims_added: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    shooting_id: int | None = None

    @property
    def text(self) -> str:
        """One line for the command's output and the preview table."""
        if self.action == "skipped":
            return f"skipped: {self.reason}"
        parts = []
        if self.changes:
            parts.append("fields " + ", ".join(self.changes))
        if self.victims_added:
            parts.append(("victims " if self.action == "created" else "victims added ") + ", ".join(self.victims_added))
        return self.action + (": " + "; ".join(parts) if parts else "")


@dataclass
class LinkedVictim:
    """A victim the import linked to a person already recorded (same name and date of birth)."""

    name: str
    report_number: str
    shooting_id: int
    person_id: int


@dataclass
class LeftSuggestion:
    """A victim the import gave a person of their own although people of a similar name are
    recorded: someone should look at the suggestions and confirm or reject them."""

    name: str
    report_number: str
    shooting_id: int
    person_id: int
    candidates: int


@dataclass
class ImportReport:
    format: str = ""
    dry_run: bool = True
    rows: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    linked: list[LinkedVictim] = field(default_factory=list)
    suggestions: list[LeftSuggestion] = field(default_factory=list)
    # Victims not looked at for suggestions (a very large import): their person pages offer them.
    unchecked: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(["created", "updated", "unchanged", "skipped"], 0)
        for outcome in self.outcomes:
            counts[outcome.action] += 1
        return counts


# --- Reading the file -------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark; anything else is refused
    rather than guessed, because a wrong guess garbles addresses without a visible error."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not UTF-8 text (first bad byte on line {line}). "
            "In a spreadsheet, save it as “CSV UTF-8” and try again."
        ) from None


def column_key(name: str) -> str:
    """Header names compared without case, spaces or punctuation: KCPD has published
    "Firearm Used Flag", "Firearm_Used_Flag" and "location" over the years."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


@dataclass
class Table:
    header: list[str]  # column keys, in file order
    header_line: int
    rows: list[tuple[int, dict[str, str]]]  # (line, {column key: stripped cell})
    errors: list[RowError]


def _stray_quote(record: str) -> bool:
    """Whether a quote appears inside a cell that does not start with one (`12 "A" St`). Python's
    csv module keeps such a quote as text, but it is the usual sign of a broken row: a cell meant
    to be quoted, or a quote meant to be doubled. Quoted cells are checked by csv's strict mode."""
    state = "start"
    for char in record:
        if state == "quoted":
            state = "closing" if char == '"' else "quoted"
        elif state == "closing":  # after a quote inside a quoted cell: "" or the cell's end
            state = "quoted" if char == '"' else ("start" if char in ",\r\n" else "unquoted")
        elif char in ",\r\n":
            state = "start"
        elif char == '"':
            if state == "unquoted":
                return True
            state = "quoted"
        else:
            state = "unquoted"
    return False


def read_table(text: str) -> Table:
    """Rows as dicts keyed by column key. Lines before the header whose first cell starts with
    "#" are comments (our template documents itself that way); blank rows are ignored.

    A file that is not clean CSV (a quote never closed, text after a closing quote, a quote inside
    an unquoted cell) is refused whole, naming the row: read leniently, the cells after the fault
    would land silently in the wrong columns. A cell holding a control or text-direction character
    is an error of its row."""
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    line = 0
    try:
        for line, cells, record in _records(text):
            _refuse_stray_quote(line, record)
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                if not cells[0].lstrip().startswith("#"):
                    header, header_line = _header(line, cells, errors), line
                continue
            row = _row(line, cells, header, errors)
            if row is not None:
                rows.append((line, row))
    except csv.Error as exc:
        reason = CSV_ERRORS.get(str(exc), str(exc))
        raise ImportFileError(f"Line {line + 1} cannot be read as CSV: {reason}; nothing was imported.") from None
    if header is None:
        raise ImportFileError("The file is empty: there is no header row.")
    return Table(header=header, header_line=header_line, rows=rows, errors=errors)


def _records(text: str) -> Iterator[tuple[int, list[str], str]]:
    """(line, cells, the record's text as in the file) for each CSV record, strictly read: a
    broken record raises csv.Error."""
    raw_lines: list[str] = []

    def lines():
        for raw_line in io.StringIO(text, newline=""):
            raw_lines.append(raw_line)
            yield raw_line

    for line, cells in enumerate(csv.reader(lines(), strict=True), start=1):
        record = "".join(raw_lines)
        raw_lines.clear()
        yield line, cells, record


def _refuse_stray_quote(line: int, record: str) -> None:
    if _stray_quote(record):
        raise ImportFileError(
            f"Line {line} cannot be read as CSV: a quote inside a cell that does not start with one. "
            'Put the whole cell in quotes and double the quote inside it ("12 ""A"" St"); '
            "nothing was imported."
        )


def _header(line: int, cells: list[str], errors: list[RowError]) -> list[str]:
    """The header's column keys; a name holding a control character is an error of the file."""
    problems = [text_problem(cell) for cell in cells]
    if any(problems):
        errors.append(RowError(line, f"header: {next(p for p in problems if p)}"))
    return [column_key(cell) for cell in cells]


def _row(line: int, cells: list[str], header: list[str], errors: list[RowError]) -> dict[str, str] | None:
    """One row keyed by column key, or None when it is an error (too many cells, a bad character).
    A repeated or unnamed column keeps its first cell."""
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        errors.append(
            RowError(
                line,
                f"this row has {len(cells)} cells but the header has {len(header)} "
                "(is there a comma in a cell that is not in quotes?)",
            )
        )
        return None
    row: dict[str, str] = {}
    bad = False
    for key, cell in zip(header, cells, strict=False):
        if not key or key in row:
            continue
        multi_line = key in MULTI_LINE_COLUMNS
        problem = text_problem(cell, multi_line=True)
        if problem:
            errors.append(RowError(line, f"{key}: {problem}"))
            bad = True
        row[key] = cell.strip() if multi_line else one_line(cell)
    return None if bad else row


def missing_columns(table: Table, required: dict[str, str]) -> RowError | None:
    """The error of a header without some of the `required` columns (key: name as documented)."""
    missing = [name for key, name in required.items() if key not in table.header]
    if not missing:
        return None
    return RowError(table.header_line, "the header has no column " + ", ".join(missing) + " (required)")


def group_by_report(
    table: Table, column: str, label: str, errors: list[RowError]
) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """The table's rows by the report number in `column` (named `label` in errors), in the order
    of the file; a row without a number, or with one too long to store, is an error of its line."""
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in table.rows:
        number = row.get(column, "")
        if not number:
            errors.append(RowError(line, f"{label}: required"))
        elif len(number) > REPORT_NUMBER_MAX:
            errors.append(RowError(line, f"{label}: at most {REPORT_NUMBER_MAX} characters"))
        else:
            groups.setdefault(number, []).append((line, row))
    return groups


def detect_format(header: list[str]) -> str:
    keys = set(header)
    if {"report_no", "ibrs"} <= keys:
        return FORMAT_KCPD
    if {"report_number", "kind"} <= keys:
        return FORMAT_TEMPLATE
    raise ImportFileError(
        "The format cannot be told from the header row: expected our template (report_number, kind, "
        "occurred_from, address, …) or the KCPD open-data columns (Report_No, IBRS, …)."
    )


# --- Values -----------------------------------------------------------------------------------

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_US_DATETIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$")
_TIME = re.compile(r"^(\d{1,2}):?(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([AaPp][Mm])?$")
DATETIME_HELP = "use ISO 8601 like 2026-03-14 21:40, or M/D/YYYY H:MM"


def _hour(hour: int, meridiem: str | None) -> int:
    if not meridiem:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError
    return hour % 12 + (12 if meridiem.lower() == "pm" else 0)


def aware(value: datetime) -> datetime:
    """Times without an offset are local to the site (settings.TIME_ZONE), as RMS exports are."""
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_default_timezone())


def parse_datetime(text: str, column: str) -> datetime:
    match = _US_DATETIME.match(text)
    try:
        if match:
            month, day, year, hour, minute, second, meridiem = match.groups()
            value = datetime(  # noqa: DTZ001 - made aware in the site time zone just below
                int(year),
                int(month),
                int(day),
                _hour(int(hour or 0), meridiem),
                int(minute or 0),
                int(second or 0),
            )
        else:
            value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column}: “{text}” is not a date and time ({DATETIME_HELP})") from None
    _check_bounds(value, text, column)
    return aware(value)


def _check_bounds(value: date | datetime, text: str, column: str) -> None:
    problem = date_problem(value)
    if problem:
        raise ValueError(f"{column}: “{text}” is out of range. {problem}")


def parse_date(text: str, column: str) -> date:
    match = _US_DATE.match(text)
    try:
        if match:
            month, day, year = match.groups()
            value = date(int(year), int(month), int(day))
        else:
            # Newer KCPD exports carry ISO timestamps ("2024-01-05T00:00:00.000") in date columns.
            value = date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{column}: “{text}” is not a date (use M/D/YYYY)") from None
    _check_bounds(value, text, column)
    return value


def parse_time(text: str, column: str) -> time:
    if not text:
        return time(0, 0)
    match = _TIME.match(text)
    try:
        if not match:
            raise ValueError
        hour, minute, second, meridiem = match.groups()
        return time(_hour(int(hour), meridiem), int(minute), int(second or 0))
    except ValueError:
        raise ValueError(f"{column}: “{text}” is not a time (use H:MM)") from None


def combine(day: date, at: time) -> datetime:
    return aware(datetime.combine(day, at))  # noqa: DTZ001 - aware() applies the site time zone


def parse_decimal(text: str, column: str, low: int, high: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{column}: “{text}” is not a number") from None
    if not value.is_finite() or not low <= value <= high:
        raise ValueError(f"{column}: {text} is outside {low} to {high}")
    # The model keeps six decimal places (about 10 cm); more would fail validation.
    return value.quantize(Decimal("0.000001"))


def parse_age(text: str, column: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,6}(\.0+)?", text):
        raise ValueError(f"{column}: “{text}” is not a whole number")
    age = int(text.split(".")[0])
    if age > 120:
        raise ValueError(f"{column}: {age} is not a possible age")
    return age


def parse_yes_no(text: str, column: str) -> bool | None:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    if value in {"", "u", "unknown"}:
        return None
    raise ValueError(f"{column}: “{text}” should be yes or no")


def check_not_future(value: datetime | None, column: str, now: datetime) -> None:
    if value is not None and value > now + FUTURE_SLACK:
        raise ValueError(f"{column}: {timezone.localtime(value):%Y-%m-%d %H:%M} is in the future")
