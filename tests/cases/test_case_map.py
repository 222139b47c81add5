"""The case map page: the list's filters and need-to-know, what a marker and the table show, the
cases not on the map, and bounded queries."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.maps import points as map_points
from cases.models import Note, Shooting
from tests.factories import UserFactory, make_shooting

pytestmark = pytest.mark.django_db

SUSPECT = "Corwin Ashdale"
WITNESS = "Mireille Otterbach"


def map_data(html: str) -> dict:
    """What the page's script draws: JSON in an attribute, escaped as HTML."""
    found = re.search(r'id="case-map-live" data-map="([^"]*)"', html)
    return json.loads(unescape(found.group(1)))


def reports_on_map(html: str) -> list[str]:
    return sorted(point["report"] for point in map_data(html)["points"])


def placed(**fields) -> Shooting:
    return make_shooting(latitude="39.099700", longitude="-94.578600", **fields)


def test_a_marker_carries_the_report_number_date_kind_address_and_link(client_for, investigator):
    case = placed(report_number="RB26009001", kind=Shooting.Kind.HOMICIDE, address="4100 Prospect Ave")

    html = client_for(investigator).get("/cases/map/").content.decode()

    (point,) = map_data(html)["points"]
    assert point["report"] == "RB26009001"
    assert point["kind"] == "homicide" and point["kindLabel"] == "Homicide"
    assert point["url"] == f"/cases/{case.pk}/"
    assert point["address"] == "4100 Prospect Ave"
    assert (point["lat"], point["lon"]) == (39.0997, -94.5786)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", point["occurred"])
    # Without JavaScript: the drawn map and a table of the mapped cases linking each.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="case-map-svg"' in html
    assert f'<a href="/cases/{case.pk}/">RB26009001</a>' in html
    assert "1 case on the map: 1 homicide." in " ".join(html.split())


def test_cases_without_coordinates_are_counted_and_listed_with_links(client_for, investigator):
    placed()
    missing = make_shooting(report_number="RB26009002")

    html = client_for(investigator).get("/cases/map/").content.decode()

    assert "RB26009002" not in reports_on_map(html)
    assert "1 case has no coordinates</a> and is not on the map" in html
    section = html[html.index('id="unplaced"') :]
    assert f'<a href="/cases/{missing.pk}/">RB26009002</a>' in section


def test_the_map_applies_the_case_list_s_filters(client_for, investigator):
    placed(report_number="RB26009011", kind=Shooting.Kind.HOMICIDE, division="East")
    placed(report_number="RB26009012", kind=Shooting.Kind.NONFATAL, division="East")
    placed(report_number="RB26009013", kind=Shooting.Kind.HOMICIDE, division="Central")
    client = client_for(investigator)

    assert reports_on_map(client.get("/cases/map/", {"kind": "homicide"}).content.decode()) == [
        "RB26009011",
        "RB26009013",
    ]
    both = client.get("/cases/map/", {"kind": "homicide", "division": "East"}).content.decode()
    assert reports_on_map(both) == ["RB26009011"]
    assert reports_on_map(client.get("/cases/map/", {"q": "RB26009012"}).content.decode()) == ["RB26009012"]
    # Back to the list with the same filters.
    assert 'id="back-to-list" href="/cases/?kind=homicide&amp;division=East"' in both


def test_a_bad_filter_is_shown_and_left_out_as_on_the_list(client_for, investigator):
    placed(report_number="RB26009021")

    html = client_for(investigator).get("/cases/map/", {"occurred_after": "2025-13-45"}).content.decode()

    assert "These filters were not applied" in html
    assert 'value="2025-13-45"' in html
    assert reports_on_map(html) == ["RB26009021"]


def test_the_case_list_links_to_the_map_with_its_filters(client_for, investigator):
    placed()
    client = client_for(investigator)

    page = client.get("/cases/", {"kind": "homicide", "flag": "dv"}).content.decode()
    fragment = client.get("/cases/", {"division": "East"}, headers={"HX-Request": "true"}).content.decode()

    assert 'id="map-link" href="/cases/map/?kind=homicide&amp;flag=dv"' in page
    # The htmx swap of the results updates the link too.
    assert 'id="map-link" href="/cases/map/?division=East" hx-swap-oob="true"' in fragment


def test_an_account_of_no_agency_sees_no_case_on_the_map(client_for):
    placed(report_number="RB26009031")
    nobody = UserFactory(agency=None, role="")

    response = client_for(nobody).get("/cases/map/")

    assert response.status_code in {200, 403}
    if response.status_code == 200:
        html = response.content.decode()
        assert map_data(html)["points"] == []
        assert "RB26009031" not in html


def test_an_advocate_cannot_find_a_case_by_its_suspect_on_the_map_and_no_marker_names_anyone(
    client_for, investigator, advocate
):
    case = placed(report_number="RB26009041", victims=[{"name": "Tamsin Okonkwo", "age": 30}])
    case_services.add_note(
        case,
        investigator,
        Note.Kind.SUSPECT,
        {
            "name": SUSPECT,
            "aliases": "",
            "date_of_birth": None,
            "approximate_age": 24,
            "status": "suspect",
            "basis": "Doorbell camera",
            "text": "",
        },
    )

    by_suspect = client_for(advocate).get("/cases/map/", {"q": "Ashdale"}).content.decode()
    everything = client_for(advocate).get("/cases/map/").content.decode()
    as_police = client_for(investigator).get("/cases/map/", {"q": "Ashdale"}).content.decode()

    assert reports_on_map(by_suspect) == []
    assert reports_on_map(as_police) == ["RB26009041"]
    assert reports_on_map(everything) == ["RB26009041"]
    for page in (everything, as_police):
        assert SUSPECT not in page  # the map shows a case's own facts, never a note's
        assert "Tamsin Okonkwo" not in page  # victims are not on the map


def test_too_many_cases_are_cut_with_a_notice(client_for, investigator, monkeypatch):
    monkeypatch.setattr(map_points, "MAP_LIMIT", 3)
    monkeypatch.setattr(map_points, "UNPLACED_LIMIT", 1)
    for _ in range(5):
        placed()
    for _ in range(2):
        make_shooting()

    html = client_for(investigator).get("/cases/map/").content.decode()

    assert len(map_data(html)["points"]) == 3
    assert "Only the first 3 of 5 cases with coordinates are drawn" in html
    assert "2 cases have no coordinates" in html
    assert "The first 1 of 2 are listed here" in html


def test_text_typed_into_a_case_reaches_the_map_as_text(client_for, investigator):
    placed(address='</script><script>alert("x")</script>')

    html = client_for(investigator).get("/cases/map/").content.decode()

    assert '<script>alert("x")</script>' not in html
    assert map_data(html)["points"][0]["address"] == '</script><script>alert("x")</script>'


def test_the_map_page_queries_do_not_grow_with_the_cases(client_for, investigator, django_assert_max_num_queries):
    client = client_for(investigator)
    for _ in range(3):
        placed()
    make_shooting()
    client.get("/cases/map/")
    for _ in range(30):
        placed()
        make_shooting()

    # Session and user (2), the filter form's last meeting (1), the mapped cases (1), the cases
    # without coordinates (1), the audit row (up to 3).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("cases:map"))
    assert len(map_data(response.content.decode())["points"]) == 33
