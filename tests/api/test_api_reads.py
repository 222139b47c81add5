"""Reading through the API: the case list answers the case list's filters and search with the
same cases as the page; meetings, agendas and action items as each role may see them; and no
list asks the database more as its data grows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from cases import search, services
from cases.models import Note
from meetings.agenda import services as agenda_services
from meetings.models import ActionItem, Meeting
from tests.factories import make_shooting

from .conftest import ApiClient, integration_account, token_for

pytestmark = pytest.mark.django_db

SUSPECT = "Thornquist"


@pytest.fixture
def cases(investigator):
    plain = make_shooting(investigator)
    flagged = make_shooting(investigator, is_retaliation_risk=True, kind="homicide")
    services.add_note(flagged, investigator, Note.Kind.SUSPECT, {"name": f"Ezra {SUSPECT}", "status": "suspect"})
    cleared = make_shooting(investigator, status="cleared_arrest")
    return plain, flagged, cleared


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_case_list_filters_and_searches_like_the_page(investigator, advocate, cases):
    plain, flagged, cleared = cases
    api = ApiClient(token_for(investigator))
    assert set(ids(api.get("/api/v1/cases/"))) == {plain.pk, flagged.pk, cleared.pk}
    assert ids(api.get("/api/v1/cases/", {"flag": "retaliation"})) == [flagged.pk]
    assert ids(api.get("/api/v1/cases/", {"status": "cleared"})) == [cleared.pk]
    assert ids(api.get("/api/v1/cases/", {"kind": "homicide", "status": "open"})) == [flagged.pk]
    assert ids(api.get("/api/v1/cases/", {"q": SUSPECT})) == [flagged.pk]
    page_ids = list(search.find_cases(investigator, search.CaseQuery(text=SUSPECT)).values_list("pk", flat=True))
    assert page_ids == [flagged.pk]
    # Search by a suspect's name is for law enforcement: the advocate's search finds nothing.
    assert ids(ApiClient(token_for(advocate)).get("/api/v1/cases/", {"q": SUSPECT})) == []
    row = api.get("/api/v1/cases/", {"flag": "retaliation"}).json()["results"][0]
    assert row["flags"] == ["is_retaliation_risk"] and row["victims"][0]["name"].startswith("Avery")


def test_bad_filters_answer_400_naming_each(investigator, cases):
    api = ApiClient(token_for(investigator))
    response = api.get("/api/v1/cases/", {"status": "sideways", "occurred_after": "9999-99-99", "flag": "pink"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "occurred_after", "flag"}
    assert api.get("/api/v1/cases/", {"colour": "red"}).json()["errors"] == {
        "colour": ["Unknown field: this request does not take it."]
    }
    assert api.get("/api/v1/cases/", {"occurred_after": "0001-01-01"}).status_code == 400
    assert api.get("/api/v1/cases/", {"page": "9" * 40}).status_code == 200


def _queries(api: ApiClient, url: str) -> int:
    # The first call of a minute writes the token's last use; count a call after it.
    api.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_the_lists_ask_the_same_queries_however_much_data(investigator, coordinator, django_assert_max_num_queries):
    api = ApiClient(token_for(coordinator))
    urls = ["/api/v1/cases/", "/api/v1/leads/", "/api/v1/meetings/", "/api/v1/action-items/?scope=all"]

    def grow(n: int) -> None:
        for i in range(n):
            case = make_shooting(investigator)
            services.add_note(case, investigator, Note.Kind.FIREARM, {"nibin_leads": [f"RB-Q-{case.pk}-{i}"]})
            ActionItem.objects.create(
                description="Call back",
                assignee=investigator,
                agency=investigator.agency,
                due_on=timezone.localdate(),
                shooting=case,
                created_by=coordinator,
            )
            start = timezone.now() - timedelta(days=7 * (i + 1))
            Meeting.objects.create(
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                local_date=timezone.localtime(start).date(),
                cutoff_at=start - timedelta(days=1),
                place="Room 4B",
            )

    grow(2)
    few = {url: _queries(api, url) for url in urls}
    grow(8)
    many = {url: _queries(api, url) for url in urls}
    assert few == many
    # Token check and its last use, the throttle's none (cache), the page's own, one audit row:
    # a case list is the token, the page and its count, its victims, and the audit row (three on
    # PostgreSQL, with the lock, and one more for the cases it showed).
    with django_assert_max_num_queries(12):
        api.get("/api/v1/cases/")


def test_a_case_reads_in_the_same_queries_however_many_notes(investigator):
    case = make_shooting(investigator)
    api = ApiClient(token_for(investigator))
    services.add_note(case, investigator, Note.Kind.GENERAL, {"text": "one", "follow_up_contact": False})
    few = _queries(api, f"/api/v1/cases/{case.pk}/")
    for i in range(10):
        services.add_note(case, investigator, Note.Kind.WITNESS, {"name": f"W{i}", "cooperation": "reluctant"})
    assert _queries(api, f"/api/v1/cases/{case.pk}/") == few
    assert len(api.get(f"/api/v1/cases/{case.pk}/").json()["notes"]) == 11


def test_action_items_are_ones_own_and_everyones_only_for_coordinators(investigator, coordinator, advocate):
    mine = ActionItem.objects.create(
        description="Re-interview",
        assignee=investigator,
        agency=investigator.agency,
        due_on=timezone.localdate(),
        created_by=coordinator,
    )
    theirs = ActionItem.objects.create(
        description="Safety plan",
        assignee=advocate,
        agency=advocate.agency,
        due_on=timezone.localdate(),
        created_by=coordinator,
    )
    api = ApiClient(token_for(investigator))
    assert ids(api.get("/api/v1/action-items/")) == [mine.pk]
    assert api.get("/api/v1/action-items/", {"scope": "all"}).status_code == 404
    assert api.get("/api/v1/action-items/", {"scope": "everything"}).status_code == 400
    everyone = ApiClient(token_for(coordinator)).get("/api/v1/action-items/", {"scope": "all"})
    assert set(ids(everyone)) == {mine.pk, theirs.pk}
    assert ids(ApiClient(token_for(coordinator)).get("/api/v1/action-items/")) == []


def test_a_meetings_agenda_is_redacted_for_an_advocate_like_the_page(investigator, advocate, coordinator, police):
    case = make_shooting(investigator)
    services.add_note(case, investigator, Note.Kind.SUSPECT, {"name": f"Ezra {SUSPECT}", "status": "suspect"})
    start = timezone.localtime(timezone.now() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        local_date=start.date(),
        cutoff_at=start - timedelta(days=1),
        place="Room 4B",
    )
    agenda_services.add_case(meeting, coordinator, case.report_number, expected_version=meeting.agenda_version)
    law = ApiClient(token_for(investigator)).get(f"/api/v1/meetings/{meeting.pk}/")
    assert law.status_code == 200 and SUSPECT in law.content.decode()
    seen = ApiClient(token_for(advocate)).get(f"/api/v1/meetings/{meeting.pk}/")
    assert seen.status_code == 200
    assert seen.json()["agenda"][0]["case"]["report_number"] == case.report_number
    assert SUSPECT not in seen.content.decode()
    feed = integration_account(police, User.Role.PROSECUTOR, "da-feed")
    listed = ApiClient(token_for(feed, made_by=coordinator)).get("/api/v1/meetings/").json()
    assert [m["id"] for m in listed["upcoming"]] == [meeting.pk]
