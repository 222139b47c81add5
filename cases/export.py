"""The case list as CSV, within need-to-know: the same cases the list shows, suspect names only
for those who may search suspects (and only from suspect notes they may see), never a witness."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from . import access, search
from .models import Note, Shooting, Victim

# Rows fetched per database round trip while streaming; related rows are fetched per chunk.
CHUNK_SIZE = 1000
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


def safe_cell(value: object) -> str:
    """The value as text that a spreadsheet shows rather than evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def filename() -> str:
    return f"shootings-{timezone.localdate().isoformat()}.csv"


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _victims(shooting: Shooting) -> str:
    return "; ".join(f"{victim.name} ({victim.age_display})" for victim in shooting.victims.all())


def _flags(shooting: Shooting) -> str:
    return "; ".join(label.lower() for field, label in search.FLAGS.values() if getattr(shooting, field))


def _suspects(shooting: Shooting, user) -> str:
    names = []
    for note in shooting.export_suspects:
        name = access.visible_fields(note, user).get("name")
        if name and name not in names:
            names.append(name)
    return "; ".join(names)


def export_queryset(user, shootings: QuerySet[Shooting]) -> QuerySet[Shooting]:
    """`shootings` (already limited to what `user` may see) with what the export shows."""
    related = [Prefetch("victims", queryset=Victim.objects.order_by("id"))]
    if access.can_search_suspects(user):
        suspects = (
            Note.objects.visible_to(user)
            .filter(kind=Note.Kind.SUSPECT, retracted_at__isnull=True)
            .order_by("created_at", "id")
        )
        related.append(Prefetch("notes", queryset=suspects, to_attr="export_suspects"))
    return shootings.select_related("lead_investigator").prefetch_related(*related)


def rows(user, shootings: QuerySet[Shooting]) -> Iterator[list[str]]:
    with_suspects = access.can_search_suspects(user)
    yield COLUMNS + ([SUSPECT_COLUMN] if with_suspects else [])
    for s in export_queryset(user, shootings).iterator(chunk_size=CHUNK_SIZE):
        row = [
            s.report_number,
            _local(s.occurred_from),
            _local(s.reported_at),
            s.get_kind_display(),
            s.get_status_display(),
            s.cleared_on.isoformat() if s.cleared_on else "",
            s.get_counting_display(),
            s.address,
            s.division,
            s.beat,
            _victims(s),
            str(s.lead_investigator) if s.lead_investigator else "",
            _flags(s),
            s.get_referred_to_display() if s.referred_to else "",
            s.charges_filed,
            s.get_custody_status_display() if s.custody_status else "",
            s.get_disposition_display() if s.disposition else "",
            _local(s.last_activity_at),
        ]
        if with_suspects:
            row.append(_suspects(s, user))
        yield [safe_cell(cell) for cell in row]


class _Echo:
    """A file-like object whose write() hands back the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(data: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in data:
        yield writer.writerow(row)


def stream(user, shootings: QuerySet[Shooting]) -> Iterator[str]:
    """The whole file, a line at a time: memory stays flat however many cases match."""
    # Spreadsheet programs read the file as UTF-8 (names with accents) only with a byte-order mark.
    yield "\ufeff"
    yield from csv_lines(rows(user, shootings))
