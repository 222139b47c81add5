"""The meeting page's section "People at risk with no contact yet": per viewer (an advocate sees
victims only), live on a frozen agenda too, a page of its own without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Agency, User
from cases.models import PersonRole
from meetings.agenda import services as agenda_services
from tests.factories import AgencyFactory, UserFactory, make_shooting
from tests.reminders.scenario import meeting
from tests.risk_helpers import ASSOCIATE, VICTIM, flagged_case, reach

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def shot(investigator):
    return flagged_case(investigator, days_ago=4)


@pytest.fixture
def week(coordinator, investigator, advocate):
    return meeting(coordinator, [investigator, advocate], starts_in=timedelta(days=2))


def section(client, week, **headers) -> str:
    response = client.get(reverse("meetings:people_at_risk", args=[week.pk]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_the_meeting_page_has_the_section_slot_with_a_link_that_works_without_javascript(
    shot, week, client_for, coordinator
):
    client = client_for(coordinator)
    page = client.get(week.get_absolute_url()).content.decode()
    url = reverse("meetings:people_at_risk", args=[week.pk])
    assert f'hx-get="{url}"' in page and f'href="{url}"' in page
    whole = section(client, week)
    assert "<h1>" in whole and "People at risk with no contact yet" in whole and VICTIM in whole


def test_law_enforcement_sees_victims_and_associates_not_yet_reached(shot, week, client_for, investigator):
    fragment = section(client_for(investigator), week, **HTMX)
    assert "<h1>" not in fragment
    assert VICTIM in fragment and ASSOCIATE in fragment and shot.report_number in fragment

    reach(shot, PersonRole.Kind.VICTIM, investigator)
    fragment = section(client_for(investigator), week, **HTMX)
    assert VICTIM not in fragment and ASSOCIATE in fragment


def test_an_advocate_sees_only_victims_at_risk(shot, week, client_for, advocate):
    fragment = section(client_for(advocate), week, **HTMX)
    assert VICTIM in fragment
    assert ASSOCIATE not in fragment and "associate" not in fragment.lower()


def test_a_partner_of_another_kind_gets_no_section(shot, week, client_for):
    partner = UserFactory(
        username="cp_wendell",
        agency=AgencyFactory(code="RBCP", name="Riverbend Community Partners", kind=Agency.Kind.OTHER),
        role=User.Role.COORDINATOR,
    )
    client = client_for(partner)
    assert "people-at-risk" not in client.get(week.get_absolute_url()).content.decode()
    assert client.get(reverse("meetings:people_at_risk", args=[week.pk])).status_code == 404


def test_the_section_stays_live_on_a_frozen_agenda(shot, week, client_for, coordinator, investigator):
    agenda_services.build_agenda(week, coordinator)
    week.refresh_from_db()
    agenda_services.freeze(week, coordinator, expected_version=week.agenda_version)
    assert VICTIM in section(client_for(coordinator), week, **HTMX)

    reach(shot, PersonRole.Kind.VICTIM, investigator)
    assert VICTIM not in section(client_for(coordinator), week, **HTMX)


def test_the_section_costs_the_same_with_more_people_at_risk(
    shot, week, client_for, investigator, django_assert_max_num_queries
):
    for n in range(6):
        make_shooting(investigator, is_retaliation_risk=True, victims=[{"name": f"Ansel Pryor {n}", "age": 20}])
    client = client_for(investigator)
    # Session, user, the meeting, the roles not yet reached with their shootings, the contacts
    # with their agencies; the audit row (on PostgreSQL the chain's lock, then the chain head, the
    # row, the cases shown).
    with django_assert_max_num_queries(9):
        fragment = section(client, week, **HTMX)
    assert fragment.count("Ansel Pryor") == 6
