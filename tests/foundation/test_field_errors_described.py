"""A field in error names its errors in aria-describedby (Django writes `<auto_id>_error` there),
and the page holds exactly one element of that id, with the error in it: a screen reader then
reads the error with the field. Checked on the shared form fields (the case page), a new case's
victim rows and a meeting's group of checkboxes."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.cases.test_case_forms import new_case_data
from tests.factories import make_shooting
from tests.field_errors import field_errors
from tests.meetings.test_meeting_forms import new_meeting_post

pytestmark = pytest.mark.django_db


class _Described(HTMLParser):
    """Every id on the page, and what each element with aria-describedby names."""

    def __init__(self):
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.described: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if attrs.get("aria-describedby"):
            self.described[attrs.get("id") or attrs.get("name") or tag] = attrs["aria-describedby"].split()


def error_read_with(html: str, field_id: str) -> str:
    """The text of the error that the element `field_id` names in its aria-describedby."""
    page = _Described()
    page.feed(html)
    named = page.described.get(field_id, [])
    errors = [ref for ref in named if ref.endswith("_error")]
    assert errors, f"{field_id} names no error: aria-describedby={named}"
    for ref in named:
        assert page.ids[ref] == 1, f"{field_id} names {ref}, which the page has {page.ids[ref]} times"
    return field_errors(html, errors[0].removesuffix("_error"))


def test_a_field_in_error_on_the_case_page_is_described_by_its_error(client_for, investigator):
    shooting = make_shooting(investigator, victims=[])
    data = {"name": "Marisol Quenby", "age": "19", "is_juvenile": "on", "sex": "F", "injury": "nonfatal"}

    html = client_for(investigator).post(f"/cases/{shooting.pk}/victims/add/", data).content.decode()

    assert "A juvenile is under 18" in error_read_with(html, "victim_age")


def test_a_field_in_error_in_a_new_cases_victim_rows_is_described_by_its_error(client_for, investigator):
    data = new_case_data(**{"victims-0-age": "121"})

    html = client_for(investigator).post("/cases/new/", data).content.decode()

    assert "less than or equal to 120" in error_read_with(html, "id_victims-0-age")


def test_a_group_of_checkboxes_in_error_is_described_by_its_error(client_for, coordinator):
    html = client_for(coordinator).post("/meetings/new/", new_meeting_post(invited_agencies=["999999"]))

    # The form's one fieldset (its invited agencies) is what the help and errors describe.
    assert "Select a valid choice" in error_read_with(html.content.decode(), "fieldset")
