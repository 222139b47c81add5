"""The case list as CSV, within need-to-know: the same cases the list shows, suspect names only
for those who may search suspects (and only from suspect notes they may see), never a witness;
what the meetings recorded of each case as the meetings app gives it (cases.meeting_history)."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone

from accounts.spreadsheet import safe_cell
from accounts.stored_dates import minute_text

from . import access, search
from .meeting_history import meeting_history
from .models import Note, Shooting, Victim

# Cases read per database round trip while streaming; their victims and suspects are read per chunk.
CHUNK_SIZE = 1000

COLUMNS = [
    "Report number",
    "Occurred",
    "Reported",
    "Kind",
    "Status",
    "Date cleared",
    "Counting state",
    "Address",
    "Division",
    "Beat",
    "Victims",
    "Lead investigator",
    "Flags",
    "Referred for prosecution to",
    "Charges filed",
    "Custody / bail",
    "Disposition",
    "Last activity",
]
SUSPECT_COLUMN = "Suspects"


def filename() -> str:
    return f"shootings-{timezone.localdate().isoformat()}.csv"


def _local(value, zone) -> str:
    return minute_text(value.astimezone(zone)) if value else ""


def _chunks(values: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _victims_by_case(ids: list[int]) -> dict[int, str]:
    found: dict[int, list[str]] = defaultdict(list)
    victims = Victim.objects.filter(shooting_id__in=ids).order_by("id")
    for shooting_id, name, age, is_juvenile in victims.values_list("shooting_id", "name", "age", "is_juvenile"):
        found[shooting_id].append(f"{name} ({Victim.age_words(age, is_juvenile)})")
    return {shooting_id: "; ".join(names) for shooting_id, names in found.items()}


def _suspects_by_case(user, ids: list[int]) -> dict[int, str]:
    """Names from the live suspect notes `user` may see, through the same field rule as the
    case page (access.visible_fields)."""
    found: dict[int, list[str]] = defaultdict(list)
    notes = (
        access.notes_visible_to(user)
        .filter(shooting_id__in=ids, kind=Note.Kind.SUSPECT, retracted_at__isnull=True)
        .only("shooting_id", "kind", "author_agency_id", "fields")
        .order_by("created_at", "id")
    )
    for note in notes:
        name = access.visible_fields(note, user).get("name")
        if name and name not in found[note.shooting_id]:
            found[note.shooting_id].append(name)
    return {shooting_id: "; ".join(names) for shooting_id, names in found.items()}


# Plain values rather than model objects: an export may hold every case, and building an object
# per row would be most of its work.
VALUES = [
    "id",
    "report_number",
    "occurred_from",
    "reported_at",
    "kind",
    "status",
    "cleared_on",
    "counting",
    "address",
    "division",
    "beat",
    "lead_investigator__first_name",
    "lead_investigator__last_name",
    "lead_investigator__username",
    *(field for field, _label in search.FLAGS.values()),
    "referred_to",
    "charges_filed",
    "custody_status",
    "disposition",
    "last_activity_at",
]
LABELS = {
    "kind": dict(Shooting.Kind.choices),
    "status": dict(Shooting.Status.choices),
    "counting": dict(Shooting.Counting.choices),
    "referred_to": dict(Shooting.Referral.choices),
    "custody_status": dict(Shooting.Custody.choices),
    "disposition": dict(Shooting.Disposition.choices),
}


def _label(row: dict, name: str) -> str:
    value = row[name]
    return LABELS[name].get(value, value) if value else ""


def _lead(row: dict) -> str:
    if not row["lead_investigator__username"]:
        return ""
    full = f"{row['lead_investigator__first_name']} {row['lead_investigator__last_name']}".strip()
    return full or row["lead_investigator__username"]


def _case_chunks(shootings: QuerySet[Shooting], ids: list[int] | None) -> Iterator[list[dict]]:
    if ids is None:
        yield from _chunks(shootings.values(*VALUES).iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE)
        return
    for start in range(0, len(ids), CHUNK_SIZE):
        part = ids[start : start + CHUNK_SIZE]
        found = {row["id"]: row for row in shootings.filter(pk__in=part).values(*VALUES)}
        yield [found[pk] for pk in part if pk in found]


def rows(user, shootings: QuerySet[Shooting], ids: list[int] | None = None) -> Iterator[list[str]]:
    """The header, then one row per case of `shootings` (already limited to what `user` may see),
    in its order; with `ids`, only those of them, in that order (the cases the request's audit
    row recorded before the file was sent). Related rows are read per chunk of cases: a fixed
    number of queries per chunk."""
    with_suspects = access.can_search_suspects(user)
    zone = timezone.get_current_timezone()
    meeting_columns = list(meeting_history.export_columns)
    no_meetings = [""] * len(meeting_columns)
    yield COLUMNS + meeting_columns + ([SUSPECT_COLUMN] if with_suspects else [])
    for chunk in _case_chunks(shootings, ids):
        ids = [row["id"] for row in chunk]
        victims = _victims_by_case(ids)
        meetings = meeting_history.export_cells(user, ids) if meeting_columns else {}
        suspects = _suspects_by_case(user, ids) if with_suspects else {}
        for s in chunk:
            row = [
                s["report_number"],
                _local(s["occurred_from"], zone),
                _local(s["reported_at"], zone),
                _label(s, "kind"),
                _label(s, "status"),
                s["cleared_on"].isoformat() if s["cleared_on"] else "",
                _label(s, "counting"),
                s["address"],
                s["division"],
                s["beat"],
                victims.get(s["id"], ""),
                _lead(s),
                "; ".join(label.lower() for field, label in search.FLAGS.values() if s[field]),
                _label(s, "referred_to"),
                s["charges_filed"],
                _label(s, "custody_status"),
                _label(s, "disposition"),
                _local(s["last_activity_at"], zone),
                *meetings.get(s["id"], no_meetings),
            ]
            if with_suspects:
                row.append(suspects.get(s["id"], ""))
            yield [safe_cell(cell) for cell in row]


class _Echo:
    """A file-like object whose write() hands back the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(data: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in data:
        yield writer.writerow(row)


def stream(user, shootings: QuerySet[Shooting], ids: list[int] | None = None) -> Iterator[str]:
    """The whole file, a line at a time: memory stays flat however many cases match (but for
    their ids, when given)."""
    # Spreadsheet programs read the file as UTF-8 (names with accents) only with a byte-order mark.
    yield "\ufeff"
    yield from csv_lines(rows(user, shootings, ids))
