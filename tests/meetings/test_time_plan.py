"""The agenda's time plan: a presenter and a time box per item, set by the coordinator through the
page's one form (with and without htmx); each item's planned start and the meeting's expected
end on the page and in the printed packet."""

from __future__ import annotations

import re

import pytest

from accounts.models import User
from meetings.agenda import services
from meetings.models import AgendaItem, Meeting
from tests.factories import UserFactory

from .agenda_helpers import NF, SF, H, case_at, local, meeting_at, url
from .test_pdf import download, pdf_text

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def meeting(coordinator, investigator) -> Meeting:
    """Wed 11 Feb 2026 09:00–10:30, three cases on the agenda."""
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    for day, kind in [(5, H), (7, NF), (8, SF)]:
        case_at(investigator, local(2026, 2, day, 23, 0), kind=kind)
    services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    return meeting


def items(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.items.filter(removed_at__isnull=True).order_by("position"))


def plan(client, meeting: Meeting, item: AgendaItem, *, presenter: str = "", minutes="", version=None, **kw):
    """An item's "Save presenter and time box" button: its fields and the page form's version."""
    if version is None:
        version = Meeting.objects.values_list("agenda_version", flat=True).get(pk=meeting.pk)
    data = {f"plan-{item.pk}-presenter": presenter, f"plan-{item.pk}-time_box": minutes, "version": version}
    return client.post(url("agenda_plan", meeting, item.pk), data, **kw)


def planned_starts(html: str) -> list[str]:
    return re.findall(r'<span class="label">Planned start</span> (\d\d:\d\d)', html)


def test_the_coordinator_gives_items_presenters_and_time_boxes_and_the_agenda_shows_when_each_starts(
    client_for, coordinator, investigator, atf_agent, meeting
):
    client = client_for(coordinator)
    first, second, third = items(meeting)

    assert plan(client, meeting, first, presenter="Dana Whitfield (RBPD)", minutes="20").status_code == 302
    assert plan(client, meeting, second, presenter="sa_ortelli", minutes="45").status_code == 302
    assert plan(client, meeting, third, minutes="40").status_code == 302

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.presenter, first.time_box, second.presenter, second.time_box) == (investigator, 20, atf_agent, 45)
    html = client.get(url("detail", meeting)).content.decode()
    assert planned_starts(html) == ["09:00", "09:20", "10:05"]
    assert "Presenter:</span> Dana Whitfield (RBPD)" in html and "Presenter:</span> Marcus Ortelli (ATF-RB)" in html
    # 09:00 + 20 + 45 + 40 minutes, past the scheduled end of 10:30.
    assert "expected end 10:45, 15 minutes after the scheduled end (10:30)" in html
    # The fields come back filled, pointing at the page's one form, which carries the version.
    assert f'name="plan-{first.pk}-presenter" id="plan-{first.pk}-presenter" value="Dana Whitfield (RBPD)"' in html
    assert re.search(rf'name="plan-{second.pk}-time_box"[^>]*value="45"[^>]*form="agenda-form"', html)
    assert '<datalist id="presenter-choices">' in html and '<option value="Marcus Ortelli (ATF-RB)">' in html


def test_without_time_boxes_the_agenda_shows_no_times_and_an_untimed_item_is_counted_as_taking_none(
    client_for, coordinator, meeting
):
    client = client_for(coordinator)
    assert planned_starts(client.get(url("detail", meeting)).content.decode()) == []

    plan(client, meeting, items(meeting)[1], minutes="15")

    html = client.get(url("detail", meeting)).content.decode()
    assert planned_starts(html) == ["09:00", "09:00", "09:15"]
    assert "expected end 09:15. 2 items without a time box counted as taking none." in html


def test_with_htmx_the_answer_is_the_agenda_fragment_with_the_new_times(client_for, coordinator, meeting):
    first = items(meeting)[0]

    response = plan(client_for(coordinator), meeting, first, minutes="30", headers=HTMX)

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="agenda"') and "<html" not in html
    assert "Presenter and time box saved." in html
    assert planned_starts(html) == ["09:00", "09:30", "09:30"]


def test_a_presenter_nobody_is_called_is_refused_beside_the_field_keeping_what_was_typed(
    client_for, coordinator, meeting
):
    first = items(meeting)[0]

    response = plan(client_for(coordinator), meeting, first, presenter="Sergeant Nobody", minutes="25")

    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'id="plan-{first.pk}-presenter_error"[^>]*>.*?Nobody by that name', html, re.S)
    assert 'value="Sergeant Nobody"' in html and 'value="25"' in html
    first.refresh_from_db()
    assert (first.presenter, first.time_box) == (None, None)


def test_two_people_of_one_name_are_told_apart_by_username(client_for, coordinator, police, meeting):
    twin = UserFactory(username="det_whitfield2", first_name="Dana", last_name="Whitfield", agency=police)
    UserFactory(username="det_whitfield3", first_name="Dana", last_name="Whitfield", agency=police)
    first = items(meeting)[0]
    client = client_for(coordinator)

    assert plan(client, meeting, first, presenter="Dana Whitfield (RBPD)").status_code == 400
    assert plan(client, meeting, first, presenter="det_whitfield2").status_code == 302

    first.refresh_from_db()
    assert first.presenter == twin


@pytest.mark.parametrize("minutes", ["0", "-5", "241", "ten"])
def test_a_time_box_outside_one_to_240_minutes_is_refused(client_for, coordinator, meeting, minutes):
    first = items(meeting)[0]

    response = plan(client_for(coordinator), meeting, first, minutes=minutes)

    assert response.status_code == 400
    assert f'id="plan-{first.pk}-time_box_error"' in response.content.decode()
    first.refresh_from_db()
    assert first.time_box is None


def test_a_time_plan_sent_from_an_older_page_is_refused_with_the_fresh_agenda(client_for, coordinator, meeting):
    first, second, _ = items(meeting)
    client = client_for(coordinator)
    seen = meeting.agenda_version
    plan(client, meeting, first, minutes="20", version=seen)

    response = plan(client, meeting, second, minutes="50", version=seen)

    assert response.status_code == 409
    second.refresh_from_db()
    assert second.time_box is None
    assert "Someone else changed this agenda" in response.content.decode()


def test_a_frozen_agenda_keeps_its_time_plan_and_takes_no_changes_to_it(client_for, coordinator, meeting):
    first = items(meeting)[0]
    client = client_for(coordinator)
    plan(client, meeting, first, minutes="20", presenter="det_whitfield")
    meeting.refresh_from_db()
    services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)

    response = plan(client, meeting, first, minutes="90")

    assert response.status_code == 409
    first.refresh_from_db()
    assert first.time_box == 20
    html = client.get(url("detail", meeting)).content.decode()
    assert planned_starts(html) == ["09:00", "09:20", "09:20"] and "Dana Whitfield (RBPD)" in html
    assert 'name="plan-' not in html


@pytest.mark.parametrize("persona", ["investigator", "advocate", "supervisor"])
def test_only_coordinators_set_the_time_plan(request, client_for, meeting, persona):
    user = request.getfixturevalue(persona)
    first = items(meeting)[0]

    response = plan(client_for(user), meeting, first, minutes="20")

    assert response.status_code == 403
    first.refresh_from_db()
    assert first.time_box is None
    assert 'name="plan-' not in client_for(user).get(url("detail", meeting)).content.decode()


def test_partners_see_the_time_plan_read_only(client_for, coordinator, advocate, meeting):
    plan(client_for(coordinator), meeting, items(meeting)[0], presenter="det_whitfield", minutes="20")

    html = client_for(advocate).get(url("detail", meeting)).content.decode()

    assert planned_starts(html) == ["09:00", "09:20", "09:20"]
    assert "Presenter:</span> Dana Whitfield (RBPD)" in html and "<datalist" not in html


def test_the_packet_prints_each_items_start_presenter_and_the_expected_end(client_for, coordinator, meeting):
    client = client_for(coordinator)
    first, second, _ = items(meeting)
    plan(client, meeting, first, presenter="det_whitfield", minutes="20")
    plan(client, meeting, second, minutes="25")

    text = pdf_text(download(client, meeting, "community").content)

    assert "Planned start 09:00 · 20 min · Presenter: Dana Whitfield (RBPD)" in text
    assert "Planned start 09:20 · 25 min" in text and "Planned start 09:45" in text
    assert "expected end 09:45" in text


def test_the_editable_agenda_costs_the_same_queries_with_many_presenters(
    client_for, coordinator, investigator, police, meeting, django_assert_max_num_queries
):
    people = [UserFactory(username=f"det_plan{n}", agency=police, role=User.Role.INVESTIGATOR) for n in range(12)]
    for n in range(12):
        case_at(investigator, local(2026, 2, 6, 10, n), kind=NF)
    services.build_agenda(meeting, coordinator, expected_version=meeting.agenda_version)
    client = client_for(coordinator)
    for item, person in zip(items(meeting), people, strict=False):
        plan(client, meeting, item, presenter=person.username, minutes="5")

    # session, user, meeting, items with their presenters and agencies (one join), source stamp,
    # the snapshot queries (shootings, victims, last reviews, indicator notes, latest notes, open
    # action items, link keys, the work on leads, prosecution changes, people's roles), previous
    # held meeting, action items recorded at this meeting, recent agenda events, the people
    # offered as presenters, the audit row (insert; on SQLite the last hash first, shown
    # cases); none of it per item or per presenter
    with django_assert_max_num_queries(23):
        response = client.get(url("detail", meeting))

    assert len(planned_starts(response.content.decode())) == 15
