"""Action items for the whole meeting ("everyone: send your unit's retaliation watch list by
Friday"): tied to no agenda item and no case, created in the meeting, and from then on in the
minutes (and their PDF), on the assignee's My items and on every later agenda until done."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from meetings.agenda import services
from meetings.agenda.rules import plan_agenda
from meetings.models import ActionItem, Meeting
from meetings.printing import documents

from .agenda_helpers import NF, frozen_meeting, local, meeting_at, url

pytestmark = pytest.mark.django_db

WATCH_LIST = "Everyone: send your unit's retaliation watch list"
WATCH_LIST_HTML = "Everyone: send your unit&#x27;s retaliation watch list"


@pytest.fixture
def frozen(coordinator, investigator, police, atf_office) -> Meeting:
    return frozen_meeting(coordinator, [police, atf_office], [(investigator, local(2026, 2, 5, 23, 0), {"kind": NF})])


def next_week() -> str:
    return (timezone.localdate() + timedelta(days=7)).isoformat()


def add(client, meeting: Meeting, **fields):
    data = {f"action-meeting-{name}": value for name, value in fields.items()}
    return client.post(url("agenda_meeting_action", meeting), data)


def test_a_coordinator_adds_an_action_item_for_the_whole_meeting(client_for, coordinator, atf_agent, frozen):
    client = client_for(coordinator)

    response = add(client, frozen, description=WATCH_LIST, assignee=atf_agent.pk, due_on=next_week())

    assert response.status_code == 302 and response["Location"].endswith("#meeting-actions")
    action = ActionItem.objects.get()
    assert (action.meeting, action.agenda_item, action.shooting, action.assignee, action.agency) == (
        frozen,
        None,
        None,
        atf_agent,
        atf_agent.agency,
    )
    page = client.get(url("detail", frozen)).content.decode()
    section = page[page.index('id="meeting-actions"') :]
    assert f"{WATCH_LIST_HTML} — Marcus Ortelli (ATF-RB)" in section[: section.index("</section>")]


def test_the_agenda_links_the_whole_meeting_form_which_loads_when_opened(client_for, coordinator, frozen):
    client = client_for(coordinator)
    form_url = url("agenda_meeting_action", frozen)

    agenda = client.get(url("detail", frozen)).content.decode()
    fragment = client.get(form_url, headers={"HX-Request": "true"}).content.decode()
    page = client.get(form_url).content.decode()

    assert f'hx-get="{form_url}" hx-trigger="toggle once"' in agenda and f'<a href="{form_url}">' in agenda
    assert fragment.lstrip().startswith("<form") and 'name="action-meeting-description"' in fragment
    assert "Add action item for the whole meeting" in fragment
    assert "<html" in page and "New action item for the whole meeting" in page and "Marcus" not in agenda


def test_an_invalid_whole_meeting_action_item_comes_back_with_the_error_next_to_the_field(
    client_for, coordinator, atf_agent, frozen
):
    yesterday = timezone.localdate() - timedelta(days=1)

    response = add(
        client_for(coordinator), frozen, description=WATCH_LIST, assignee=atf_agent.pk, due_on=yesterday.isoformat()
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="action-meeting-due_on_error".*?The due date cannot be in the past\.', html, re.S)
    assert f'value="{WATCH_LIST_HTML}"' in html
    section = html[html.index('id="meeting-actions"') :]
    assert '<details class="action-form no-print" open>' in section
    assert not ActionItem.objects.exists()


def test_a_whole_meeting_action_item_needs_what_and_who(client_for, coordinator, frozen):
    response = add(client_for(coordinator), frozen, description="  ", assignee="", due_on=next_week())

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="action-meeting-description_error".*?This field is required', html, re.S)
    assert re.search(r'id="action-meeting-assignee_error".*?This field is required', html, re.S)
    assert not ActionItem.objects.exists()


def test_the_whole_meeting_action_item_is_in_the_minutes_their_pdf_and_the_assignees_items(
    client_for, coordinator, atf_agent, frozen
):
    add(client_for(coordinator), frozen, description=WATCH_LIST, assignee=atf_agent.pk, due_on=next_week())
    services.mark_held(frozen, coordinator)
    frozen.refresh_from_db()
    client = client_for(atf_agent)

    minutes = client.get(url("minutes", frozen)).content.decode()
    printed = documents.minutes_html(frozen, coordinator, "law_enforcement").parts[0]
    mine = client.get("/meetings/my-items/").content.decode()

    actions = minutes[minutes.index('id="minutes-actions"') : minutes.index('id="minutes-record"')]
    assert WATCH_LIST_HTML in actions and "Whole meeting" in actions and "Marcus Ortelli" in actions
    assert WATCH_LIST_HTML in printed and "Whole meeting" in printed
    open_items = mine[mine.index('id="open-heading"') : mine.index('id="done-heading"')]
    assert WATCH_LIST_HTML in open_items and f'href="/meetings/{frozen.pk}/minutes/"' in open_items


def test_an_open_whole_meeting_action_item_comes_back_on_each_agenda_until_done(
    client_for, coordinator, atf_agent, frozen
):
    client = client_for(coordinator)
    add(client, frozen, description=WATCH_LIST, assignee=atf_agent.pk, due_on=next_week())
    action = ActionItem.objects.get()
    ActionItem.objects.update(due_on=date(2026, 2, 13))
    services.mark_held(frozen, coordinator)
    following = meeting_at(local(2026, 2, 18, 9, 0))
    services.build_agenda(following, coordinator)

    page = client.get(url("detail", following)).content.decode()

    assert plan_agenda(following).loose_action_item_ids == [action.pk]
    section = page[page.index("Open action items") :]
    assert f"{WATCH_LIST_HTML} — Marcus Ortelli (ATF-RB), due Fri 13 Feb" in section
    ActionItem.objects.update(status=ActionItem.Status.DONE)
    assert plan_agenda(meeting_at(local(2026, 2, 25, 9, 0))).loose_action_item_ids == []


@pytest.mark.parametrize("persona", ["investigator", "prosecutor", "advocate", "supervisor"])
def test_only_coordinators_add_action_items_for_the_whole_meeting(request, client_for, frozen, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)

    answers = [
        client.get(url("agenda_meeting_action", frozen)),
        add(client, frozen, description=WATCH_LIST, assignee=user.pk, due_on=next_week()),
    ]

    assert [a.status_code for a in answers] == [403, 403]
    assert "New action item for the whole meeting" not in client.get(url("detail", frozen)).content.decode()
    assert not ActionItem.objects.exists()


def test_action_items_for_the_whole_meeting_are_added_in_the_meeting_only(
    client_for, coordinator, atf_agent, investigator
):
    scheduled = meeting_at(local(2026, 2, 11, 9, 0))
    held = meeting_at(local(2026, 2, 4, 9, 0), status=Meeting.Status.HELD)
    client = client_for(coordinator)

    for meeting in [scheduled, held]:
        assert client.get(url("agenda_meeting_action", meeting)).status_code == 404
        response = add(client, meeting, description=WATCH_LIST, assignee=atf_agent.pk, due_on=next_week())
        assert response.status_code == 409
        assert "New action item for the whole meeting" not in client.get(url("detail", meeting)).content.decode()
    assert not ActionItem.objects.exists()
