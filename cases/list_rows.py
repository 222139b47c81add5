"""What one row of the case list shows, worked out in Python.

A page of fifty cases is read in a fixed number of queries, but drawing it with template lookups,
filters and a URL reversal per cell took most of the page's time; plain strings cost the template
almost nothing. The victims and flags cells are joined here too (format_html_join escapes each value):
a template loop inside the row loop would run its lookups again for every victim. The rows are read as plain values
of the columns shown: building a case, its lead investigator and each victim as model objects
(every column, a prefetch queryset per case) cost more than the two queries themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from accounts.stored_dates import minute_text

from .display import url_for_each
from .models import Shooting, Victim

FLAGS = [
    ("is_retaliation_risk", "Retaliation risk", "badge badge-danger"),
    ("is_domestic_violence", "Domestic violence", "badge badge-warn"),
    ("is_group_involved", "Group-involved", "badge badge-warn"),
    ("is_juvenile_involved", "Juvenile involved", "badge"),
]

# The columns a row needs, for `list_values`.
VALUES = [
    "id",
    "report_number",
    "occurred_from",
    "kind",
    "address",
    "division",
    "status",
    "lead_investigator__first_name",
    "lead_investigator__last_name",
    "lead_investigator__username",
    *(name for name, _label, _css in FLAGS),
]


@dataclass(frozen=True)
class CaseRow:
    url: str
    report_number: str
    occurred_iso: str
    occurred: str
    kind: str
    address: str
    division: str
    victims: SafeString  # "name (age)" for each, or "none"
    status: str
    status_label: str
    lead: str
    flags: SafeString  # a badge per flag set


def list_values(shootings: QuerySet[Shooting]) -> QuerySet:
    """`shootings` (already limited to what the viewer may see, in list order) as the values
    `case_rows` draws; slice it for a page."""
    return shootings.values(*VALUES)


def _lead(row: dict) -> str:
    # str(User): the full name, else the username.
    if not row["lead_investigator__username"]:
        return "—"
    full = f"{row['lead_investigator__first_name']} {row['lead_investigator__last_name']}".strip()
    return full or row["lead_investigator__username"]


NO_VICTIMS = mark_safe('<span class="muted">none</span>')


def _victims_by_case(ids: list[int]) -> dict[int, SafeString]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    victims = Victim.objects.filter(shooting_id__in=ids).order_by("id")
    for shooting_id, name, age, is_juvenile in victims.values_list("shooting_id", "name", "age", "is_juvenile"):
        found[shooting_id].append((name, Victim.age_words(age, is_juvenile)))
    return {
        shooting_id: format_html_join(", ", '<span class="victim">{} <span class="muted">({})</span></span>', names)
        for shooting_id, names in found.items()
    }


def _flags(row: dict) -> SafeString:
    return format_html_join("", '<span class="{}">{}</span>', ((css, label) for name, label, css in FLAGS if row[name]))


def case_rows(page: list[dict]) -> list[CaseRow]:
    """Rows for one page of `list_values`, with their victims (one query)."""
    if not page:
        return []
    case_url = url_for_each("cases:detail")
    kinds, statuses = dict(Shooting.Kind.choices), dict(Shooting.Status.choices)
    victims = _victims_by_case([s["id"] for s in page])
    zone = timezone.get_current_timezone()
    rows = []
    for s in page:
        occurred = s["occurred_from"].astimezone(zone)
        rows.append(
            CaseRow(
                url=case_url(s["id"]),
                report_number=s["report_number"],
                occurred_iso=occurred.isoformat(),
                occurred=minute_text(occurred),
                kind=kinds.get(s["kind"], s["kind"]),
                address=s["address"],
                division=s["division"] or "—",
                victims=victims.get(s["id"], NO_VICTIMS),
                status=s["status"],
                status_label=statuses.get(s["status"], s["status"]),
                lead=_lead(s),
                flags=_flags(s),
            )
        )
    return rows
