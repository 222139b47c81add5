"""An action item's own page, where the mail about it leads: its assignee signs in, lands on it,
and marks it done there. Reading it changes nothing; nobody else but a coordinator finds it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from meetings.models import ActionItem
from tests.factories import PASSWORD, make_shooting

from .action_item_helpers import MONDAY_AFTER, action, review_of_14_october

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(MONDAY_AFTER, tick=False)


@pytest.fixture
def item(coordinator, investigator) -> ActionItem:
    shooting = make_shooting(investigator, report_number="RB26004101")
    return action(
        investigator,
        coordinator,
        review_of_14_october(coordinator),
        "Canvass the 4100 block for doorbell cameras",
        shooting=shooting,
    )


def page_url(item: ActionItem) -> str:
    return reverse("meetings:action_item", args=[item.pk])


def done(client, item: ActionItem, note: str):
    return client.post(reverse("meetings:action_item_done", args=[item.pk]), {"note": note, "back": "item"})


def test_the_assignee_reads_the_item_and_a_get_changes_nothing(client_for, investigator, item):
    html = client_for(investigator).get(page_url(item)).content.decode()

    assert "Canvass the 4100 block for doorbell cameras" in html and "Fri 23 Oct 2026" in html
    assert '<a href="/cases/' in html and "RB26004101" in html
    assert f'action="/meetings/action-items/{item.pk}/done/"' in html and 'name="back" value="item"' in html
    item.refresh_from_db()
    assert (item.status, item.done_at) == (ActionItem.Status.OPEN, None)


def test_the_assignee_marks_it_done_from_the_page_and_comes_back_to_it(client_for, investigator, item):
    client = client_for(investigator)

    response = done(client, item, "Two cameras found; footage requested")

    assert response.status_code == 302 and response["Location"] == page_url(item)
    item.refresh_from_db()
    assert (item.status, item.done_by, item.done_note) == ("done", investigator, "Two cameras found; footage requested")
    html = client.get(page_url(item)).content.decode()
    assert "Marked done" in html and "Two cameras found; footage requested" in html
    assert 'name="note"' not in html


def test_an_empty_note_is_refused_beside_the_field_on_the_items_page(client_for, investigator, item):
    response = done(client_for(investigator), item, "   ")

    html = response.content.decode()
    assert "Action item #" in html and "a note is required to close an item" in html
    assert f'id="id_done_{item.pk}_note_error"' in html
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


@pytest.mark.parametrize("persona", ["atf_agent", "advocate", "outsider", "supervisor"])
def test_someone_else_neither_sees_the_item_nor_closes_it(request, client_for, item, persona):
    client = client_for(request.getfixturevalue(persona))

    answers = [client.get(page_url(item)), done(client, item, "Closed by someone else")]

    assert [answer.status_code for answer in answers] == [404, 404]
    assert "Canvass the 4100 block" not in answers[0].content.decode()
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN
    refused = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.REFUSED, object_type="action item")
    assert refused.count() == 2


def test_a_coordinator_may_close_it_for_the_assignee(client_for, coordinator, item):
    assert done(client_for(coordinator), item, "Reported done at the meeting").status_code == 302
    item.refresh_from_db()
    assert item.done_by == coordinator


def test_the_mail_link_signs_in_first_and_leads_back_to_the_item(client, investigator, item):
    response = client.get(page_url(item))
    assert response.status_code == 302
    login = response["Location"]
    assert login == f"/accounts/login/?next={page_url(item)}"

    signed_in = client.post(login, {"username": investigator.username, "password": PASSWORD, "acknowledge": "on"})

    assert signed_in.status_code == 302 and signed_in["Location"] == page_url(item)
    assert "Canvass the 4100 block" in client.get(page_url(item)).content.decode()


def test_the_page_names_the_case_on_its_audit_row_and_costs_few_queries(
    client_for, investigator, item, django_assert_max_num_queries
):
    client = client_for(investigator)
    # session, user, the item with its case, meeting and agency, the case's visibility, the
    # assignee, the audit row (insert; on SQLite the last hash first, shown case)
    with django_assert_max_num_queries(10):
        client.get(page_url(item))

    row = AuditEvent.objects.order_by("-id").first()
    assert list(row.shown_cases.values_list("case_id", flat=True)) == [item.shooting_id]
