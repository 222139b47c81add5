"""What one row of the case list shows, worked out in Python.

A page of fifty cases is read in a fixed number of queries, but drawing it with template lookups,
filters and a URL reversal per cell took most of the page's time; plain strings cost the template
almost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from .models import Shooting

FLAGS = [
    ("is_retaliation_risk", "Retaliation risk", "badge badge-danger"),
    ("is_domestic_violence", "Domestic violence", "badge badge-warn"),
    ("is_group_involved", "Group-involved", "badge badge-warn"),
    ("is_juvenile_involved", "Juvenile involved", "badge"),
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
    victims: list[tuple[str, str]]  # (name, age or "juvenile"/"unknown")
    status: str
    status_label: str
    lead: str
    flags: list[tuple[str, str]]  # (label, CSS classes)


def case_rows(shootings) -> list[CaseRow]:
    """Rows for `shootings` (loaded with search.with_list_details)."""
    sample = reverse("cases:detail", args=[987654321])
    head, tail = sample.split("987654321")
    kinds, statuses = dict(Shooting.Kind.choices), dict(Shooting.Status.choices)
    rows = []
    for s in shootings:
        occurred = timezone.localtime(s.occurred_from)
        rows.append(
            CaseRow(
                url=f"{head}{s.pk}{tail}",
                report_number=s.report_number,
                occurred_iso=occurred.isoformat(),
                occurred=f"{occurred:%Y-%m-%d %H:%M}",
                kind=kinds.get(s.kind, s.kind),
                address=s.address,
                division=s.division or "—",
                victims=[(v.name, v.age_display) for v in s.victims.all()],
                status=s.status,
                status_label=statuses.get(s.status, s.status),
                lead=str(s.lead_investigator) if s.lead_investigator_id else "—",
                flags=[(label, css) for name, label, css in FLAGS if getattr(s, name)],
            )
        )
    return rows
