"""The case list's rows are drawn once for what they show and reused (cases.list_row_html). A kept
drawing must never show a case as it was before a change, nor show one viewer another's list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.loader import get_template

from cases import services
from cases.list_row_html import ROW_PARTIAL, forget_drawn_rows
from cases.list_rows import CaseRow
from cases.models import Note
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

ROWS = re.compile(r'<tbody id="case-rows">(.*?)</tbody>', re.S)


@pytest.fixture(autouse=True)
def _no_kept_rows():
    forget_drawn_rows()
    yield
    forget_drawn_rows()


def rows_of(client, url: str = "/cases/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return ROWS.search(response.content.decode()).group(1)


def test_the_row_partial_reads_nothing_but_the_rows_own_fields():
    source = Path(get_template(ROW_PARTIAL).origin.name).read_text()
    partial = source[source.index("{% partialdef case_row %}") :]
    partial = partial[: partial.index("{% endpartialdef %}")]
    # What the kept drawing is kept under is the row itself: the partial may read nothing else.
    assert set(re.findall(r"{[{%]\s*(?:if |for \w+ in )?(\w+)", partial)) <= {"row", "partialdef"}
    assert set(re.findall(r"row\.(\w+)", partial)) <= set(CaseRow.__dataclass_fields__)
    assert {"report_number", "address", "victims", "lead", "flags"} <= set(re.findall(r"row\.(\w+)", partial))


def test_a_changed_case_is_listed_as_it_is_now(client_for, investigator, supervisor):
    shooting = make_shooting(investigator, address="4100 Prospect Ave", victims=[{"name": "Rosalind Featherstone"}])
    client = client_for(investigator)
    first = rows_of(client)
    assert "4100 Prospect Ave" in first and "Rosalind Featherstone" in first
    assert rows_of(client) == first  # the kept drawing

    services.update_shooting(
        shooting, investigator, {"address": "4200 Prospect Ave", "is_retaliation_risk": True}, expected_version=1
    )
    services.add_victim(shooting, investigator, {"name": "Milo Ashgrove", "age": 19, "sex": "M"})
    supervisor.first_name, supervisor.last_name = "Ada", "Quill"
    supervisor.save()
    services.update_shooting(shooting, investigator, {"lead_investigator": supervisor}, expected_version=2)

    now = rows_of(client)
    assert "4100 Prospect Ave" not in now
    for shown in ("4200 Prospect Ave", "Retaliation risk", "Rosalind Featherstone", "Milo Ashgrove", "Ada Quill"):
        assert shown in now


def test_a_kept_drawing_is_the_drawing_made_afresh_for_each_viewer(client_for, investigator, advocate, outsider):
    for n in range(3):
        shooting = make_shooting(investigator, victims=[{"name": f"Tobias Wren{n}", "age": 20 + n}])
        services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "Canvass done."})
    viewers = [client_for(user) for user in (investigator, advocate, outsider)]
    warm = [rows_of(client) for client in viewers]
    for client, kept in zip(viewers, warm, strict=True):
        forget_drawn_rows()
        assert rows_of(client) == kept
    # Drawn for one viewer, then served from what was kept to the next: the same as drawn afresh.
    for client, fresh in zip(reversed(viewers), reversed(warm), strict=True):
        assert rows_of(client) == fresh
