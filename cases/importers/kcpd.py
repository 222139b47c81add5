"""The Kansas City Police Department's open-data crime CSV, as published: one row per person
involved in each offense of a report. Only firearm rows with IBRS 09A (murder) or 13A
(aggravated assault: with a firearm, a non-fatal shooting) become shootings; the rows of one
Report_No are one shooting, its victims the distinct VIC people (by Invl_No). Suspect and arrestee
rows are only counted: nothing that could identify them is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ..models import Division, Shooting, Victim
from .common import (
    Outcome,
    ParsedShooting,
    RowError,
    Table,
    check_not_future,
    combine,
    group_by_report,
    missing_columns,
    parse_age,
    parse_date,
    parse_decimal,
    parse_time,
    parse_yes_no,
)

# Column key (see common.column_key) → the name KCPD publishes; the upload page lists these.
KCPD_COLUMNS = {
    "report_no": "Report_No",
    "reported_date": "Reported_Date",
    "reported_time": "Reported_Time",
    "from_date": "From_Date",
    "from_time": "From_Time",
    "to_date": "To_Date",
    "to_time": "To_Time",
    "offense": "Offense",
    "ibrs": "IBRS",
    "description": "Description",
    "beat": "Beat",
    "address": "Address",
    "city": "City",
    "zip_code": "Zip Code",
    "rep_dist": "Rep_Dist",
    "area": "Area",
    "dvflag": "DVFlag",
    "invl_no": "Invl_No",
    "involvement": "Involvement",
    "race": "Race",
    "sex": "Sex",
    "age": "Age",
    "firearm_used_flag": "Firearm Used Flag",
    "location": "Location",
}
COLUMNS = set(KCPD_COLUMNS)
KCPD_REQUIRED = ["report_no", "ibrs", "firearm_used_flag", "from_date", "address", "involvement", "invl_no"]
KCPD_USED = {
    "Report_No": "report number; rows of one report are one shooting",
    "IBRS": "09A makes the shooting a homicide, 13A a non-fatal shooting; other codes are skipped",
    "Firearm Used Flag": "only Y / true rows are imported",
    "Reported_Date, Reported_Time": "reported",
    "From_Date, From_Time, To_Date, To_Time": "occurred from / to (site time zone)",
    "Address": "address",
    "Area": "division (CPD, EPD, MPD, NPD, SPD, SCP or the division's name)",
    "Beat": "beat",
    "DVFlag": "domestic-violence related (Y/N/U or true/false)",
    "Involvement, Invl_No": "VIC rows become victims named “Victim <Invl_No>”; SUS and ARR rows are only counted",
    "Sex, Age": "the victim's sex and age; a blank Age means a juvenile",
    "Location": "latitude and longitude, from POINT (lon lat) or (lat, lon)",
    "Description": "the first line of a new case's summary",
}
SHOOTING_CODES = {"09A": Shooting.Kind.HOMICIDE, "13A": Shooting.Kind.NONFATAL}
AREAS = {
    "CPD": Division.CENTRAL,
    "EPD": Division.EAST,
    "MPD": Division.METRO,
    "NPD": Division.NORTH,
    "SPD": Division.SOUTH,
    "SCP": Division.SHOAL_CREEK,
    "SCPD": Division.SHOAL_CREEK,
    **{value.upper(): value for value in Division.values},
}
_POINT = re.compile(r"POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)", re.IGNORECASE)
_PAIR = re.compile(r"\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)")


def parse_location(text: str) -> tuple[Decimal, Decimal] | None:
    """(latitude, longitude) from "POINT (-94.57 39.05)", "(39.05, -94.57)" or an address with
    the pair on its last line. Anything else, and the (0, 0) placeholder, is no location: the
    column is messy in the published data and a case is useful without coordinates."""
    match = _POINT.search(text)
    if match:
        longitude, latitude = match.groups()
    else:
        match = _PAIR.search(text)
        if not match:
            return None
        latitude, longitude = match.groups()
    try:
        lat = parse_decimal(latitude, "latitude", -90, 90)
        lon = parse_decimal(longitude, "longitude", -180, 180)
    except ValueError:
        return None
    if lat == 0 and lon == 0:
        return None
    return lat, lon


def _is_shooting_row(line: int, row: dict[str, str], errors: list[RowError]) -> bool:
    if row.get("ibrs", "").upper() not in SHOOTING_CODES:
        return False
    try:
        return bool(parse_yes_no(row.get("firearm_used_flag", ""), "Firearm Used Flag"))
    except ValueError as exc:
        errors.append(RowError(line, str(exc)))
        return False


def _times(row: dict[str, str], now: datetime) -> dict:
    reported = None
    if row.get("reported_date"):
        reported = combine(
            parse_date(row["reported_date"], "Reported_Date"), parse_time(row.get("reported_time", ""), "Reported_Time")
        )
    if row.get("from_date"):
        start = combine(parse_date(row["from_date"], "From_Date"), parse_time(row.get("from_time", ""), "From_Time"))
    elif reported is not None:
        start = reported
    else:
        raise ValueError("From_Date: required (or at least Reported_Date)")
    end = None
    if row.get("to_date"):
        to_date = parse_date(row["to_date"], "To_Date")
        end = combine(to_date, parse_time(row.get("to_time", ""), "To_Time"))
        if end < start:
            if row.get("to_time") or to_date != start.date():
                raise ValueError("To_Date/To_Time: earlier than From_Date/From_Time")
            # A To_Date of the same day without a time says nothing about the end.
            end = None
    check_not_future(start, "From_Date", now)
    check_not_future(end, "To_Date", now)
    check_not_future(reported, "Reported_Date", now)
    return {"occurred_from": start, "occurred_to": end, "reported_at": reported}


def _person(value: str) -> str:
    # Spreadsheet round trips turn 1 into "1.0".
    return re.sub(r"\.0+$", "", value.strip())


Rows = list[tuple[int, dict[str, str]]]


def _report(number: str, rows: Rows, location_key: str | None, now: datetime, errors: list[RowError]):
    """One ParsedShooting from the firearm 09A/13A rows of a report, or None after errors."""
    times, times_failed = _first_times(rows, now, errors)
    people, people_failed = _people(rows, errors)
    if times_failed or people_failed or times is None:
        return None
    first_line, first = rows[0]
    summary, remarks = _summary(first, people)
    return ParsedShooting(
        report_number=number,
        line=first_line,
        data=_shooting_data(number, rows, times, location_key, people),
        create_only={"summary": summary},
        victims=sorted(people.victims.values(), key=lambda v: _natural(v["name"])),
        remarks=remarks,
        # "Victim 1" is a label, not a name: it must never be offered as anyone's match.
        victims_named=False,
    )


def _first_times(rows: Rows, now: datetime, errors: list[RowError]) -> tuple[dict | None, bool]:
    """The first row's times (every row's are checked), and whether any row failed."""
    failed = False
    times = None
    for line, row in rows:
        try:
            row_times = _times(row, now)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            failed = True
            continue
        times = times or row_times
        if not row.get("address"):
            errors.append(RowError(line, "Address: required"))
            failed = True
    return times, failed


@dataclass
class _People:
    """Who a report lists: its victims by Invl_No, the others only counted, its DVFlag answers."""

    victims: dict[str, dict] = field(default_factory=dict)
    others: set[tuple[str, str]] = field(default_factory=set)
    dv_flags: list[bool] = field(default_factory=list)


def _people(rows: Rows, errors: list[RowError]) -> tuple[_People, bool]:
    """The people of a report's rows, and whether any row failed."""
    people = _People()
    failed = False
    for line, row in rows:
        try:
            dv = parse_yes_no(row.get("dvflag", ""), "DVFlag")
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            failed = True
            continue
        if dv is not None:
            people.dv_flags.append(dv)
        involvement = row.get("involvement", "").upper()
        person = _person(row.get("invl_no", ""))
        if involvement != "VIC":
            people.others.add((involvement, person))
            continue
        if not person:
            errors.append(RowError(line, "Invl_No: needed to tell the victims of a report apart"))
            failed = True
            continue
        fatal = row["ibrs"].upper() == "09A"
        if person in people.victims:
            # A victim listed under both codes died: the 09A row says so.
            if fatal:
                people.victims[person]["injury"] = Victim.Injury.FATAL
            continue
        try:
            people.victims[person] = _victim(row, person, fatal)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            failed = True
    return people, failed


def _victim(row: dict[str, str], person: str, fatal: bool) -> dict:
    age = parse_age(row.get("age", ""), "Age")
    sex = row.get("sex", "").upper()[:1]
    return {
        # KCPD publishes no names; a neutral label keeps victims apart without inventing people.
        "name": f"Victim {person}",
        "age": age,
        "is_juvenile": "age" in row and age is None,
        "sex": sex if sex in Victim.Sex.values else Victim.Sex.UNKNOWN,
        "injury": Victim.Injury.FATAL if fatal else Victim.Injury.NONFATAL,
    }


def _shooting_data(number: str, rows: Rows, times: dict, location_key: str | None, people: _People) -> dict:
    """The fields the file decides, from the report's first row (and the kind from all of them)."""
    first = rows[0][1]
    kind = Shooting.Kind.HOMICIDE if any(row["ibrs"].upper() == "09A" for _, row in rows) else Shooting.Kind.NONFATAL
    area = first.get("area", "").strip()
    data = {
        "report_number": number,
        "kind": kind,
        **times,
        "address": first["address"],
        "division": AREAS.get(area.upper(), Division.OTHER) if area else "",
        "beat": first.get("beat", ""),
    }
    if location_key:
        location = parse_location(first.get(location_key, ""))
        data["latitude"], data["longitude"] = location or (None, None)
    if people.dv_flags:
        data["is_domestic_violence"] = any(people.dv_flags)
    if any(Victim.is_minor(v["age"], v["is_juvenile"]) for v in people.victims.values()):
        data["is_juvenile_involved"] = True
    return data


def _summary(first: dict[str, str], people: _People) -> tuple[str, list[str]]:
    """A new case's summary, and the remarks of the import's outcome."""
    others = people.others - {("", "")}
    described = first.get("description") or first.get("offense") or ""
    summary = (
        f"Imported from KCPD open data{': ' + described if described else ''}. Victims listed: {len(people.victims)}."
    )
    remarks = []
    if others:
        summary += f" Other people listed (suspects, arrestees): {len(others)}, not imported."
        remarks.append(f"{len(others)} suspect/arrestee {'person' if len(others) == 1 else 'people'} not imported")
    return summary, remarks


def _natural(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def parse(table: Table, now: datetime) -> tuple[list[ParsedShooting], list[Outcome], list[RowError]]:
    errors = list(table.errors)
    missing = missing_columns(table, {key: KCPD_COLUMNS[key] for key in KCPD_REQUIRED})
    if missing:
        return [], [], [*errors, missing]
    location_key = next((key for key in table.header if "location" in key), None)
    groups = group_by_report(table, "report_no", "Report_No", errors)
    parsed, skipped = [], []
    for number, rows in groups.items():
        wanted = [(line, row) for line, row in rows if _is_shooting_row(line, row, errors)]
        if not wanted:
            codes = sorted({row.get("ibrs", "").upper() or "blank" for _, row in rows})
            reason = f"not a firearm 09A/13A row (IBRS {', '.join(codes)})"
            skipped.append(Outcome(number, rows[0][0], "skipped", reason=reason))
            continue
        item = _report(number, wanted, location_key, now, errors)
        if item is not None:
            parsed.append(item)
    return parsed, skipped, errors
