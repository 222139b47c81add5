"""Our own CSV template (docs/import-template.csv documents every column in its opening comment
lines): one row per victim, the rows of one report_number are one shooting. A column missing
from the header leaves that field of an existing case alone; a blank cell in a present column
empties it.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone

from ..models import JUVENILE_UNDER, SUMMARY_MAX, Division, Shooting, Victim
from .common import (
    Outcome,
    ParsedShooting,
    RowError,
    Table,
    check_not_future,
    group_by_report,
    missing_columns,
    parse_age,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_yes_no,
)

# (column, required, what it holds) — the upload page and the template file document these.
TEMPLATE_COLUMNS: list[tuple[str, bool, str]] = [
    ("report_number", True, "Records-system report number, e.g. RB26000101. Rows with one number are one shooting."),
    ("kind", True, "homicide, nonfatal or shots_fired."),
    ("occurred_from", True, "When it happened (or the window's start): ISO 8601 (2026-03-14 21:40) or M/D/YYYY H:MM."),
    ("occurred_to", False, "End of the window, if the time is not known exactly. Same formats."),
    ("reported_at", False, "When it was reported. Same formats."),
    ("address", True, "Street address or block."),
    ("division", False, "Patrol division: " + ", ".join(Division.values) + "."),
    ("beat", False, "Patrol beat, up to 10 characters."),
    ("latitude", False, "Decimal degrees, e.g. 39.0473."),
    ("longitude", False, "Decimal degrees, e.g. -94.5551."),
    ("status", False, "open, cleared_arrest, cleared_exceptional or inactive. Blank: open when new, else unchanged."),
    ("summary", False, f"Short description, up to {SUMMARY_MAX} characters."),
    ("flags", False, "Any of domestic_violence, group, retaliation, juvenile, separated by semicolons."),
    ("victim_name", False, "One victim per row. Leave blank on a row without a victim (e.g. shots fired)."),
    ("victim_age", False, "Whole number, blank if unknown."),
    ("victim_juvenile", False, "yes if the victim is under 18 and the age is withheld."),
    ("victim_sex", False, "F, M or U (unknown)."),
    ("victim_injury", False, "fatal, nonfatal or none. Blank: fatal in a homicide, none if shots fired, or nonfatal."),
    ("victim_date_of_birth", False, "YYYY-MM-DD or M/D/YYYY. Links the victim to a person of this name and birth date"),
]  # fmt: skip
TEMPLATE_REQUIRED = [name for name, required, _ in TEMPLATE_COLUMNS if required]
SHOOTING_COLUMNS = [name for name, _, _ in TEMPLATE_COLUMNS if not name.startswith("victim_")]
VICTIM_COLUMNS = [name for name, _, _ in TEMPLATE_COLUMNS if name.startswith("victim_")]
COLUMNS = {name for name, _, _ in TEMPLATE_COLUMNS}
TEMPLATE_FLAGS = {
    "domestic_violence": "is_domestic_violence",
    "group": "is_group_involved",
    "retaliation": "is_retaliation_risk",
    "juvenile": "is_juvenile_involved",
}


def _choice(text: str, column: str, choices: type) -> str:
    value = text.strip().lower().replace("-", "_").replace(" ", "_")
    if value in choices.values:
        return value
    raise ValueError(f"{column}: “{text}” is not one of {', '.join(choices.values)}")


def _division(text: str) -> str:
    for value in Division.values:
        if value.lower() == text.lower():
            return value
    raise ValueError(f"division: “{text}” is not one of {', '.join(Division.values)}")


def _flags(text: str) -> dict[str, bool]:
    flags = dict.fromkeys(TEMPLATE_FLAGS.values(), False)
    for part in re.split(r"[;,|\s]+", text.strip().lower()):
        if not part:
            continue
        name = part.replace("-", "_")
        if name not in TEMPLATE_FLAGS:
            raise ValueError(f"flags: “{part}” is not one of {', '.join(TEMPLATE_FLAGS)}")
        flags[TEMPLATE_FLAGS[name]] = True
    return flags


def _template_shooting_value(column: str, text: str) -> dict:
    """The model fields one non-blank or blank template cell sets."""
    if column == "kind":
        return {"kind": _choice(text, column, Shooting.Kind)} if text else {}
    if column in {"occurred_from", "occurred_to", "reported_at"}:
        return {column: parse_datetime(text, column) if text else None}
    if column == "division":
        return {"division": _division(text) if text else ""}
    if column == "latitude":
        return {column: parse_decimal(text, column, -90, 90) if text else None}
    if column == "longitude":
        return {column: parse_decimal(text, column, -180, 180) if text else None}
    if column == "status":
        return {"status": _choice(text, column, Shooting.Status)} if text else {}
    if column == "flags":
        return _flags(text)
    if column == "summary" and len(text) > SUMMARY_MAX:
        raise ValueError(f"summary: {len(text)} characters, at most {SUMMARY_MAX}")
    return {column: text}


def _template_victim(row: dict[str, str], kind: str) -> dict | None:
    name = row.get("victim_name", "")
    if not name:
        if any(row.get(column) for column in VICTIM_COLUMNS):
            raise ValueError("victim_name: needed when the other victim columns are filled")
        return None
    age = parse_age(row.get("victim_age", ""), "victim_age")
    juvenile = bool(parse_yes_no(row.get("victim_juvenile", ""), "victim_juvenile"))
    if juvenile and age is not None and age >= JUVENILE_UNDER:
        raise ValueError(f"victim_age: {age} contradicts victim_juvenile “yes” (under {JUVENILE_UNDER})")
    sex = (row.get("victim_sex", "") or "U")[:1].upper()
    if sex not in Victim.Sex.values:
        raise ValueError(f"victim_sex: “{row['victim_sex']}” is not F, M or U")
    default_injury = {
        Shooting.Kind.HOMICIDE: Victim.Injury.FATAL,
        Shooting.Kind.SHOTS_FIRED: Victim.Injury.NONE,
    }.get(kind, Victim.Injury.NONFATAL)
    injury_text = row.get("victim_injury", "")
    injury = (
        _choice(injury_text.replace("non_fatal", "nonfatal"), "victim_injury", Victim.Injury)
        if injury_text
        else default_injury
    )
    born_text = row.get("victim_date_of_birth", "")
    born = parse_date(born_text, "victim_date_of_birth") if born_text else None
    if born and born > timezone.localdate():
        raise ValueError(f"victim_date_of_birth: {born_text} is in the future")
    victim = {"name": name, "age": age, "is_juvenile": juvenile, "sex": sex, "injury": injury}
    # Not a victim field: the import links the victim to a person by it (cases.people).
    return {**victim, "date_of_birth": born} if born else victim


Rows = list[tuple[int, dict[str, str]]]


def parse(table: Table, now: datetime) -> tuple[list[ParsedShooting], list[Outcome], list[RowError]]:
    errors = list(table.errors)
    missing = missing_columns(table, {name: name for name in TEMPLATE_REQUIRED})
    if missing:
        return [], [], [*errors, missing]
    present = [column for column in SHOOTING_COLUMNS if column in table.header and column != "report_number"]
    groups = group_by_report(table, "report_number", "report_number", errors)
    parsed = []
    for number, rows in groups.items():
        item = _report(number, rows, present, now, errors)
        if item is not None:
            parsed.append(item)
    return parsed, [], errors


def _report(number: str, rows: Rows, present: list[str], now: datetime, errors: list[RowError]):
    """One ParsedShooting from the rows of a report number, or None after errors."""
    first_line = rows[0][0]
    data: dict = {"report_number": number}
    failed: set[str] = set()
    for column in present:
        data.update(_column_value(number, rows, column, errors, failed))
    _require(data, number, first_line, errors, failed)
    if failed or not _times_in_order(data, first_line, now, errors):
        return None
    victims = _victims(rows, data["kind"], errors)
    if any(Victim.is_minor(v["age"], v["is_juvenile"]) for v in victims):
        data["is_juvenile_involved"] = True
    return ParsedShooting(report_number=number, line=first_line, data=data, victims=victims)


def _column_value(number: str, rows: Rows, column: str, errors: list[RowError], failed: set[str]) -> dict:
    """The fields one column sets. The first non-blank cell of a report decides; other rows may
    repeat it or stay blank. A column in error is added to `failed`."""
    chosen: tuple[int, dict] | None = None
    for line, row in rows:
        text = row.get(column, "")
        if not text:
            continue
        try:
            values = _template_shooting_value(column, text)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            failed.add(column)
            continue
        if chosen is None:
            chosen = (line, values)
        elif values != chosen[1]:
            errors.append(
                RowError(
                    line,
                    f"{column}: “{text}” differs from line {chosen[0]} for report {number} "
                    "(leave it blank on the other rows of a report, or repeat the same value)",
                )
            )
            failed.add(column)
    return chosen[1] if chosen else _template_shooting_value(column, "")


def _require(data: dict, number: str, first_line: int, errors: list[RowError], failed: set[str]) -> None:
    for column in ["kind", "occurred_from", "address"]:
        if not data.get(column) and column not in failed:
            errors.append(RowError(first_line, f"{column}: required for report {number}"))
            failed.add(column)


def _times_in_order(data: dict, first_line: int, now: datetime, errors: list[RowError]) -> bool:
    """Whether no time is in the future and the window does not end before it starts."""
    try:
        for column in ["occurred_from", "occurred_to", "reported_at"]:
            check_not_future(data.get(column), column, now)
    except ValueError as exc:
        errors.append(RowError(first_line, str(exc)))
        return False
    if data.get("occurred_to") and data["occurred_to"] < data["occurred_from"]:
        errors.append(RowError(first_line, "occurred_to: earlier than occurred_from"))
        return False
    return True


def _victims(rows: Rows, kind: str, errors: list[RowError]) -> list[dict]:
    """The report's victims, one a row; a row in error, or naming a victim twice, is left out."""
    victims, names = [], {}
    for line, row in rows:
        try:
            victim = _template_victim(row, kind)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            continue
        if victim is None:
            continue
        key = victim["name"].lower()
        if key in names:
            errors.append(RowError(line, f"victim_name: “{victim['name']}” is already on line {names[key]}"))
            continue
        names[key] = line
        victims.append(victim)
    return victims
