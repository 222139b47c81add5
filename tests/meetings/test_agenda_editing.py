"""The agenda page and a coordinator's edits: build and rebuild, reorder, add, remove with a
reason, free text; two coordinators at once; who may see and change what; bounded queries."""

from __future__ import annotations

import re
from datetime import date

import pytest

from accounts.models import User
from cases import services as case_services
from cases.models import Note, Shooting
from meetings.agenda import services
from meetings.models import ActionItem, AgendaEvent, AgendaItem, Meeting
from tests.factories import UserFactory

from .agenda_helpers import (
    NF,
    SF,
    SUSPECT_NAME,
    WITNESS_NAME,
    H,
    case_at,
    firearm,
    local,
    meeting_at,
    note_at,
    suspect,
    url,
    witness,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(db) -> Meeting:
    """Cutoff Tue 10 Feb 2026 09:00; with no held meeting before, the window opens 3 Feb 09:00."""
    return meeting_at(local(2026, 2, 11, 9, 0))


@pytest.fixture
def cases(investigator) -> list[Shooting]:
    """A homicide, a non-fatal shooting and shots fired, all in the window (agenda order)."""
    return [
        case_at(investigator, local(2026, 2, 5, 23, 0), kind=H),
        case_at(investigator, local(2026, 2, 7, 23, 0), kind=NF),
        case_at(investigator, local(2026, 2, 8, 23, 0), kind=SF),
    ]


def order_of(meeting: Meeting) -> list[str]:
    items = meeting.items.filter(removed_at__isnull=True).select_related("shooting").order_by("position")
    return [str(item) for item in items]


def page_order(html: str) -> list[str]:
    return re.findall(r'<h3 class="item-title">(?:<a href="[^"]*">)?([^<]+)<', html)


def built(meeting: Meeting, coordinator: User) -> Meeting:
    services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    return meeting


# --- Building ---------------------------------------------------------------------------------


def test_a_coordinator_builds_the_agenda_and_sees_each_case_with_why_it_is_there(
    client_for, coordinator, meeting, cases
):
    client = client_for(coordinator)

    response = client.post(url("agenda_build", meeting), {"version": meeting.agenda_version}, follow=True)

    html = response.content.decode()
    assert page_order(html) == [c.report_number for c in cases]
    assert "Occurred since the last review" in html
    assert "Agenda built: 3 items" in html
    assert AgendaEvent.objects.filter(meeting=meeting, kind=AgendaEvent.Kind.BUILT).count() == 1


def test_rebuilding_keeps_what_the_coordinator_added_removed_and_reordered(coordinator, investigator, meeting, cases):
    meeting = built(meeting, coordinator)
    homicide, nonfatal, shots = cases
    outside = case_at(investigator, local(2025, 6, 1, 22, 0))
    by_hand = services.add_case(meeting, coordinator, outside.report_number, expected_version=meeting.agenda_version)
    meeting.refresh_from_db()
    services.add_text_item(meeting, coordinator, "Retaliation watch list", "", expected_version=meeting.agenda_version)
    meeting.refresh_from_db()
    removed = meeting.items.get(shooting=nonfatal)
    services.remove_item(meeting, coordinator, removed.pk, "Duplicate report", expected_version=meeting.agenda_version)
    meeting.refresh_from_db()
    shots_item = meeting.items.get(shooting=shots)
    services.move_item(meeting, coordinator, shots_item.pk, "up", expected_version=meeting.agenda_version)
    meeting.refresh_from_db()
    # A new homicide arrives before the cutoff.
    newest = case_at(investigator, local(2026, 2, 9, 23, 0), kind=H)

    services.build_agenda(meeting, coordinator, expected_version=meeting.agenda_version)

    # The new homicide goes where the rules put it, just ahead of the older homicide; the item
    # the coordinator moved to the top stays there.
    assert order_of(meeting) == [
        shots.report_number,
        newest.report_number,
        homicide.report_number,
        outside.report_number,
        "Retaliation watch list",
    ]
    removed.refresh_from_db()
    assert removed.removed_at is not None and removed.removal_reason == "Duplicate report"
    by_hand.refresh_from_db()
    assert by_hand.reasons == [{"code": "added", "text": "Added by Renee Talmadge"}]


def test_rebuilding_drops_an_item_the_rules_no_longer_bring(coordinator, investigator, meeting, cases):
    meeting = built(meeting, coordinator)
    moved_out = cases[2]
    # The date was mistyped: the shooting happened last year, and was entered long ago.
    Shooting.objects.filter(pk=moved_out.pk).update(
        occurred_from=local(2025, 2, 8, 23, 0), created_at=local(2025, 2, 9, 1, 0)
    )

    result = services.build_agenda(meeting, coordinator, expected_version=meeting.agenda_version)

    assert result.dropped == [moved_out.pk]
    assert moved_out.report_number not in order_of(meeting)


def test_open_action_items_without_a_case_get_their_own_section(client_for, coordinator, investigator, meeting):
    ActionItem.objects.create(
        description="Send the quarterly trace summary to the county",
        assignee=investigator,
        agency=investigator.agency,
        due_on=date(2026, 2, 10),
        created_by=coordinator,
    )
    built(meeting, coordinator)

    html = client_for(coordinator).get(url("detail", meeting)).content.decode()

    assert page_order(html) == ["Open action items"]
    assert "Send the quarterly trace summary to the county" in html


# --- Reordering -------------------------------------------------------------------------------


def test_up_and_down_buttons_work_as_plain_forms_without_javascript(client_for, coordinator, meeting, cases):
    meeting = built(meeting, coordinator)
    client = client_for(coordinator)
    last = meeting.items.get(shooting=cases[2])

    response = client.post(url("agenda_move", meeting, last.pk), {"version": meeting.agenda_version, "direction": "up"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{last.pk}")
    assert order_of(meeting) == [cases[0].report_number, cases[2].report_number, cases[1].report_number]


def test_drag_and_drop_posts_the_whole_order_and_gets_the_agenda_fragment_back(client_for, coordinator, meeting, cases):
    meeting = built(meeting, coordinator)
    ids = list(meeting.items.order_by("position").values_list("pk", flat=True))
    new_order = [ids[2], ids[0], ids[1]]

    response = client_for(coordinator).post(
        url("agenda_reorder", meeting),
        {"version": meeting.agenda_version, "order": ",".join(map(str, new_order))},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="agenda"')
    assert page_order(html) == [cases[2].report_number, cases[0].report_number, cases[1].report_number]
    assert order_of(meeting) == page_order(html)


def test_an_order_that_leaves_out_an_item_is_refused_rather_than_guessed(client_for, coordinator, meeting, cases):
    meeting = built(meeting, coordinator)
    ids = list(meeting.items.order_by("position").values_list("pk", flat=True))

    response = client_for(coordinator).post(
        url("agenda_reorder", meeting), {"version": meeting.agenda_version, "order": f"{ids[1]},{ids[0]}"}
    )

    assert response.status_code == 409
    assert order_of(meeting) == [c.report_number for c in cases]


# --- Adding and removing ----------------------------------------------------------------------


def test_any_case_can_be_added_by_its_report_number(client_for, coordinator, investigator, meeting):
    old = case_at(investigator, local(2024, 8, 1, 22, 0))

    response = client_for(coordinator).post(
        url("agenda_add_case", meeting), {"version": meeting.agenda_version, "report_number": old.report_number.lower()}
    )

    assert response.status_code == 302
    item = meeting.items.get()
    assert item.shooting == old and item.added_by == coordinator


def test_an_unknown_report_number_is_refused_next_to_the_field_keeping_what_was_typed(client_for, coordinator, meeting):
    response = client_for(coordinator).post(
        url("agenda_add_case", meeting), {"version": meeting.agenda_version, "report_number": "RB99<b>0000"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(
        r'id="add-case-report_number_error"[^>]*>.*No case has the report number RB99&lt;b&gt;0000', html, re.S
    )
    assert 'value="RB99&lt;b&gt;0000"' in html
    assert not meeting.items.exists()


def test_a_case_already_on_the_agenda_is_not_added_twice(client_for, coordinator, meeting, cases):
    meeting = built(meeting, coordinator)

    response = client_for(coordinator).post(
        url("agenda_add_case", meeting), {"version": meeting.agenda_version, "report_number": cases[0].report_number}
    )

    assert "is already on the agenda (item 1)" in response.content.decode()
    assert meeting.items.count() == 3


def test_removing_needs_a_reason_and_nothing_is_removed_without_one(client_for, coordinator, meeting, cases):
    meeting = built(meeting, coordinator)
    item = meeting.items.get(shooting=cases[1])

    response = client_for(coordinator).post(url("agenda_remove", meeting, item.pk), {"version": meeting.agenda_version})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Say why the item comes off the agenda." in html
    assert '<details class="remove-item no-print" open>' in html
    item.refresh_from_db()
    assert item.removed_at is None


def test_a_removed_item_is_listed_with_its_reason_and_can_be_put_back(client_for, coordinator, meeting, cases):
    meeting = built(meeting, coordinator)
    client = client_for(coordinator)
    item = meeting.items.get(shooting=cases[1])
    client.post(
        url("agenda_remove", meeting, item.pk),
        {"version": meeting.agenda_version, f"remove-{item.pk}-reason": "Unfounded after review"},
    )

    html = client.get(url("detail", meeting)).content.decode()
    assert page_order(html) == [cases[0].report_number, cases[2].report_number]
    removed_section = html.split('id="removed"')[1]
    assert cases[1].report_number in removed_section and "Unfounded after review" in removed_section

    meeting.refresh_from_db()
    client.post(url("agenda_restore", meeting, item.pk), {"version": meeting.agenda_version})

    assert order_of(meeting) == [cases[0].report_number, cases[2].report_number, cases[1].report_number]


def test_a_free_text_item_shows_its_text_escaped(client_for, coordinator, meeting):
    client = client_for(coordinator)

    client.post(
        url("agenda_add_text", meeting),
        {"version": meeting.agenda_version, "title": "Retaliation watch list", "text": "Block of 31st & <Prospect>"},
    )

    html = client.get(url("detail", meeting)).content.decode()
    assert page_order(html) == ["Retaliation watch list"]
    assert "Block of 31st &amp; &lt;Prospect&gt;" in html


def test_a_free_text_item_needs_a_title(client_for, coordinator, meeting):
    response = client_for(coordinator).post(
        url("agenda_add_text", meeting), {"version": meeting.agenda_version, "title": " ", "text": "Kept text"}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert "Kept text" in response.content.decode()
    assert not meeting.items.exists()


# --- Two coordinators -------------------------------------------------------------------------


def test_an_edit_made_on_a_stale_agenda_is_refused_with_the_fresh_agenda_and_nothing_lost(
    client, coordinator, meeting, cases
):
    meeting = built(meeting, coordinator)
    second = UserFactory(
        username="an_okonkwo",
        first_name="Ada",
        last_name="Okonkwo",
        agency=coordinator.agency,
        role=User.Role.COORDINATOR,
    )
    seen_version = meeting.agenda_version
    first_item = meeting.items.get(shooting=cases[0])
    last_item = meeting.items.get(shooting=cases[2])
    # Renee moves the last item up…
    client.force_login(coordinator)
    client.post(url("agenda_move", meeting, last_item.pk), {"version": seen_version, "direction": "up"})
    # …while Ada, on the page she loaded before, removes the first item and moves another.
    client.force_login(second)
    removal = client.post(
        url("agenda_remove", meeting, first_item.pk),
        {"version": seen_version, f"remove-{first_item.pk}-reason": "Discussed last week"},
    )
    moving = client.post(url("agenda_move", meeting, last_item.pk), {"version": seen_version, "direction": "up"})

    html = removal.content.decode()
    assert removal.status_code == 409 and moving.status_code == 409
    assert "Someone else changed this agenda" in html
    # The fresh agenda, Renee's move in it, and Ada's reason still in her form, ready to send.
    assert page_order(html) == [cases[0].report_number, cases[2].report_number, cases[1].report_number]
    assert 'value="Discussed last week"' in html
    meeting.refresh_from_db()
    # Ready to send again: the page's one form carries the current version.
    assert re.search(rf'id="agenda-form".*?name="version" value="{meeting.agenda_version}"', html, re.S)
    assert order_of(meeting) == page_order(html)
    assert not meeting.items.filter(removed_at__isnull=False).exists()


def test_a_stale_htmx_edit_answers_with_the_fresh_fragment_and_the_message(client_for, coordinator, meeting, cases):
    meeting = built(meeting, coordinator)
    item = meeting.items.get(shooting=cases[1])

    response = client_for(coordinator).post(
        url("agenda_move", meeting, item.pk),
        {"version": meeting.agenda_version - 1, "direction": "down"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only successful answers
    assert html.lstrip().startswith('<div id="agenda"') and "Someone else changed this agenda" in html
    assert order_of(meeting) == [c.report_number for c in cases]


# --- Who sees and changes what ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["investigator", "atf_agent", "prosecutor", "advocate", "supervisor", "outsider"])
def test_partners_read_the_agenda_but_cannot_change_it(request, client_for, coordinator, meeting, cases, persona):
    meeting = built(meeting, coordinator)
    user = request.getfixturevalue(persona)
    client = client_for(user)
    item = meeting.items.first()

    page = client.get(url("detail", meeting))
    attempts = [
        client.post(url("agenda_build", meeting), {"version": meeting.agenda_version}),
        client.post(url("agenda_move", meeting, item.pk), {"version": meeting.agenda_version, "direction": "down"}),
        client.post(url("agenda_freeze", meeting), {"version": meeting.agenda_version}),
        client.post(url("agenda_add_text", meeting), {"version": meeting.agenda_version, "title": "Sneaky"}),
    ]

    html = page.content.decode()
    assert page.status_code == 200
    assert page_order(html) == [c.report_number for c in cases]
    assert "Freeze the agenda" not in html and "agenda/build" not in html and "↑ Up" not in html
    assert [r.status_code for r in attempts] == [403, 403, 403, 403]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED and meeting.items.count() == 3


def test_people_without_a_role_or_agency_learn_nothing_about_the_meeting(client_for, meeting, coordinator, cases):
    built(meeting, coordinator)
    nobody = UserFactory(username="temp_clerk", agency=None, role="")
    client = client_for(nobody)

    assert client.get(url("detail", meeting)).status_code == 404
    assert client.post(url("agenda_build", meeting), {"version": 2}).status_code == 404
    assert client.get(f"/meetings/{meeting.pk + 1000}/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, meeting):
    response = client.get(url("detail", meeting))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_get_never_changes_the_agenda(client_for, coordinator, meeting, cases):
    assert client_for(coordinator).get(url("agenda_build", meeting)).status_code == 405


def test_advocates_see_no_witness_name_or_suspect_detail_on_the_agenda(
    client_for, coordinator, investigator, advocate, meeting, cases
):
    homicide = cases[0]
    note_at(local(2026, 2, 6, 10, 0), homicide, investigator, Note.Kind.WITNESS, witness())
    note_at(local(2026, 2, 6, 11, 0), homicide, investigator, Note.Kind.SUSPECT, suspect())
    note_at(
        local(2026, 2, 6, 12, 0),
        homicide,
        investigator,
        Note.Kind.FIREARM,
        firearm(purchaser="Orsolya Brandvik", dealer="Northland Arms LLC", time_to_crime_days=200),
    )
    built(meeting, coordinator)

    advocate_bytes = client_for(advocate).get(url("detail", meeting)).content
    investigator_bytes = client_for(investigator).get(url("detail", meeting)).content

    for secret in [WITNESS_NAME, SUSPECT_NAME, "816-555-0142", "Orsolya Brandvik", "Northland Arms"]:
        assert secret.encode() not in advocate_bytes
        assert secret.encode() in investigator_bytes
    # What advocates need is still there: the safety concern and the signals.
    assert b"Intimidation or safety concern" in advocate_bytes
    assert b"Intimidated witness" in advocate_bytes
    assert b"Possible trafficking" in advocate_bytes


def test_a_note_restricted_to_its_agency_stays_off_other_agencies_agendas(
    client_for, coordinator, investigator, atf_agent, meeting, cases
):
    note_at(
        local(2026, 2, 6, 10, 0),
        cases[0],
        atf_agent,
        Note.Kind.GENERAL,
        {"text": "Undercover buy planned at Delmar Pawn"},
        restricted=True,
    )
    built(meeting, coordinator)

    assert b"Delmar Pawn" in client_for(atf_agent).get(url("detail", meeting)).content
    assert b"Delmar Pawn" not in client_for(investigator).get(url("detail", meeting)).content


def test_the_page_has_no_inline_script_and_nothing_from_outside_the_app(client_for, coordinator, meeting, cases):
    built(meeting, coordinator)

    html = client_for(coordinator).get(url("detail", meeting)).content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"""(src|href|hx-get|hx-post)=["']?(https?:)?//""", html)
    assert '<script src="/static/js/agenda.js" defer>' in html


# --- Cost -------------------------------------------------------------------------------------


def test_the_agenda_page_costs_the_same_queries_for_thirty_busy_items(
    client_for, coordinator, investigator, atf_agent, advocate, django_assert_max_num_queries
):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    for n in range(32):
        case = case_at(investigator, local(2026, 2, 4, 1, n), kind=[H, NF, SF][n % 3], is_retaliation_risk=n % 4 == 0)
        case_services.add_victim(case, investigator, {"name": f"Marisol Quayle {n}", "age": 19 + n})
        note_at(local(2026, 2, 6, 10, n), case, investigator, Note.Kind.WITNESS, witness(f"Witness Ferrand {n}"))
        note_at(local(2026, 2, 6, 11, n), case, atf_agent, Note.Kind.FIREARM, firearm([f"RB-26-{n // 3:04d}"]))
        note_at(
            local(2026, 2, 6, 12, n),
            case,
            advocate,
            Note.Kind.VICTIM_SERVICES,
            {"victim": None, "service_agency": "Harbor Light", "referral_status": "contacted", "text": ""},
        )
        ActionItem.objects.create(
            shooting=case,
            description=f"Re-interview witness {n}",
            assignee=investigator,
            agency=investigator.agency,
            due_on=date(2026, 2, 20),
            created_by=coordinator,
        )
    built(meeting, coordinator)
    assert meeting.items.count() == 32
    client = client_for(coordinator)

    # session, user, user's agency; meeting; items; snapshot: shootings, victims, earlier
    # appearances, latest notes, indicator notes, open action items, cluster members, link keys,
    # leads, manual links, the work on the leads, prosecution changes, people's roles; previous
    # held meeting (window); action items recorded at this meeting; recent agenda events; the
    # people offered as presenters; the audit row (insert; on SQLite the last hash first,
    # the cases the page shows)
    with django_assert_max_num_queries(26):
        response = client.get(url("detail", meeting))

    html = response.content.decode()
    assert len(page_order(html)) == 32
    assert html.count("Linked incidents — the next 3 items belong together") >= 10


# --- What is new since the last review -------------------------------------------------------


def test_each_item_shows_the_latest_notes_of_each_kind_since_the_case_was_last_reviewed(
    client_for, coordinator, investigator
):
    held = meeting_at(local(2026, 2, 4, 9, 0), status=Meeting.Status.HELD)
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    case = case_at(investigator, local(2026, 1, 10, 22, 0))
    AgendaItem.objects.create(meeting=held, shooting=case, position=1)
    # Seen at last week's review: not new, although it is the latest note of its kind.
    note_at(local(2026, 1, 20, 10, 0), case, investigator, Note.Kind.FIREARM, firearm(text="Reviewed trace"))
    for day in range(4, 9):
        note_at(local(2026, 2, day, 10, 0), case, investigator, Note.Kind.GENERAL, {"text": f"Update of {day} Feb"})
    note_at(local(2026, 2, 5, 11, 0), case, investigator, Note.Kind.WITNESS, witness())
    built(meeting, coordinator)

    html = client_for(coordinator).get(url("detail", meeting)).content.decode()

    assert "New since the review of 3 Feb" in html
    assert "Reviewed trace" not in html and "Firearm trace" not in html
    # At most the three latest of a kind, newest first.
    assert re.findall(r"Update of (\d) Feb", html) == ["8", "7", "6"]
    assert WITNESS_NAME in html


def test_removing_an_item_without_a_reason_is_refused_by_the_service_too(coordinator, meeting, cases):
    meeting = built(meeting, coordinator)
    item = meeting.items.first()

    with pytest.raises(services.AgendaError, match="Say why"):
        services.remove_item(meeting, coordinator, item.pk, "   ", expected_version=meeting.agenda_version)

    item.refresh_from_db()
    assert item.removed_at is None
