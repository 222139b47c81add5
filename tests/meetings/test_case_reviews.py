"""The case's meeting history: the Reviews section of the case page, its htmx fragment (and page)
and the meeting columns of the case export. Every meeting that had the case on its agenda, why,
what was decided and the action items agreed; what the minutes show, to whoever may see the
meeting, and never any note content."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, User
from cases import services as case_services
from cases.models import Shooting
from meetings.agenda import services as agenda_services
from meetings.case_history import REVIEWS_SHOWN, reviews_of
from meetings.models import ActionItem, AgendaItem, Meeting
from tests.factories import UserFactory, make_shooting

from .agenda_helpers import meeting_at, witness

pytestmark = pytest.mark.django_db

SUSPECT = "Lucan Dravitz"
WITNESS = "Tobias Quenneville"
PERSONAS = ["investigator", "atf_agent", "prosecutor", "advocate", "coordinator", "supervisor", "outsider"]
HTMX = {"HX-Request": "true"}


def days_from_now(days: int) -> datetime:
    """Ten in the morning, `days` from today (negative: in the past)."""
    return timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=days)


def on_agenda(meeting: Meeting, coordinator: User, shooting: Shooting) -> AgendaItem:
    meeting.refresh_from_db()
    agenda_services.add_case(meeting, coordinator, shooting.report_number, expected_version=meeting.agenda_version)
    return meeting.items.get(shooting=shooting)


def reasons(text: str) -> list[dict]:
    return [{"code": "new_notes", "text": text}]


@pytest.fixture
def case(investigator) -> Shooting:
    shooting = make_shooting(investigator, report_number="RB26000555")
    case_services.add_note(shooting, investigator, "suspect", {"name": SUSPECT, "status": "suspect"})
    case_services.add_note(shooting, investigator, "witness", witness(WITNESS))
    return shooting


@pytest.fixture
def history(case, coordinator, investigator, advocate) -> dict:
    """The case on five agendas: held last week (decided, with action items open, overdue and
    done), held the week before (removed from the agenda), cancelled, frozen for tomorrow and
    scheduled for next week."""
    today = timezone.localdate()
    held = meeting_at(days_from_now(-7))
    item = on_agenda(held, coordinator, case)
    held.refresh_from_db()
    # Frozen through the service: the item's snapshot then holds the case's notes, names included.
    agenda_services.freeze(held, coordinator, expected_version=held.agenda_version)
    agenda_services.record_item(
        held,
        coordinator,
        item.pk,
        discussed=True,
        outcome=AgendaItem.Outcome.DECISION,
        outcome_text="Refer to the federal task force.",
        review_again=True,
    )
    later = agenda_services.create_action_item(
        held, coordinator, item_id=item.pk, description="Ask ATF for the trace", assignee=investigator, due_on=today
    )
    done = agenda_services.create_action_item(
        held, coordinator, item_id=item.pk, description="Call the family", assignee=advocate, due_on=today
    )
    ActionItem.objects.filter(pk=later.pk).update(due_on=today + timedelta(days=5))
    ActionItem.objects.filter(pk=done.pk).update(
        due_on=today - timedelta(days=3), status=ActionItem.Status.DONE, done_at=timezone.now(), done_by=advocate
    )
    overdue = ActionItem.objects.create(
        meeting=held,
        agenda_item=item,
        shooting=case,
        description="Canvass the block again",
        assignee=investigator,
        agency=investigator.agency,
        due_on=today - timedelta(days=2),
        created_by=coordinator,
    )
    agenda_services.mark_held(held, coordinator)
    item.refresh_from_db()

    removed_at = meeting_at(days_from_now(-14), status=Meeting.Status.HELD)
    AgendaItem.objects.create(
        meeting=removed_at,
        shooting=case,
        reasons=reasons("New notes since the last review"),
        removed_at=days_from_now(-15),
        removed_by=coordinator,
        removal_reason="Reported twice; reviewed under the other number",
    )
    cancelled = meeting_at(days_from_now(-21), status=Meeting.Status.CANCELLED)
    AgendaItem.objects.create(meeting=cancelled, shooting=case, reasons=reasons("Occurred in the window"))
    frozen = meeting_at(days_from_now(1), status=Meeting.Status.FROZEN)
    AgendaItem.objects.create(meeting=frozen, shooting=case, reasons=reasons("Open action item due"))
    scheduled = meeting_at(days_from_now(8))
    AgendaItem.objects.create(meeting=scheduled, shooting=case, reasons=reasons("Retaliation risk"))
    return {
        "held": held,
        "item": item,
        "removed_at": removed_at,
        "cancelled": cancelled,
        "frozen": frozen,
        "scheduled": scheduled,
        "actions": {"later": later, "done": done, "overdue": overdue},
    }


def section(html: str) -> str:
    match = re.search(r'<section id="reviews".*?</section>', html, re.S)
    assert match, "no Reviews section"
    return match.group(0)


def case_page(client, shooting: Shooting, query: str = "") -> str:
    response = client.get(f"/cases/{shooting.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def entry(html: str, meeting: Meeting) -> str:
    """One meeting's review in the section: from its item to the next one (or the list's end)."""
    start = html.index(f'id="review-{meeting.pk}"')
    ends = [i for i in (html.find('<li class="review ', start), html.find("</ol>", start)) if i != -1]
    return html[start : min(ends)]


# --- The case page ----------------------------------------------------------------------------


def test_the_case_page_shows_each_meeting_with_why_what_was_decided_and_the_action_items(
    client_for, investigator, case, history
):
    reviews = section(case_page(client_for(investigator), case))

    held = entry(reviews, history["held"])
    assert timezone.localdate(history["held"].starts_at).strftime("%d %b %Y").lstrip("0") in held
    assert "Held" in held and "Added by" in held  # why it was on: added to the agenda by hand
    assert "<strong>Decision</strong>: Refer to the federal task force." in held
    assert "Review again" in held
    assert "Ask ATF for the trace" in held and "Dana Whitfield (RBPD)" in held
    assert "Call the family" in held and "Done" in held
    minutes = f"/meetings/{history['held'].pk}/minutes/"
    assert f'href="{minutes}#minutes-item-{history["item"].pk}"' in held
    assert f'href="{minutes}#minutes-action-{history["actions"]["later"].pk}"' in held
    assert "On the agenda of 5 meetings; 2 action items still open." in reviews


def test_open_action_items_come_first_the_overdue_marked(client_for, investigator, case, history):
    held = entry(section(case_page(client_for(investigator), case)), history["held"])

    order = [held.index(text) for text in ["Canvass the block again", "Ask ATF for the trace", "Call the family"]]
    assert order == sorted(order)
    overdue = held[held.index("Overdue") : held.index("Canvass the block again")]
    assert "badge-danger" in held[: held.index("Canvass the block again")] and "Ask ATF" not in overdue


def test_meetings_run_newest_first_each_saying_where_it_stands(client_for, investigator, case, history):
    reviews = section(case_page(client_for(investigator), case))

    order = [reviews.index(f'id="review-{history[key].pk}"') for key in ["scheduled", "frozen", "held", "removed_at"]]
    assert order == sorted(order)
    assert "Not reviewed yet." in entry(reviews, history["scheduled"])
    frozen = entry(reviews, history["frozen"])
    assert "Agenda frozen (not final)" in frozen and "Nothing recorded yet." in frozen
    assert f'href="/meetings/{history["frozen"].pk}/#item-' in frozen  # no minutes yet: the agenda
    assert "The meeting was cancelled." in entry(reviews, history["cancelled"])


def test_a_removed_item_says_it_was_removed_and_why(client_for, investigator, case, history):
    removed = entry(section(case_page(client_for(investigator), case)), history["removed_at"])

    assert "Removed from the agenda" in removed
    assert "Reported twice; reviewed under the other number" in removed
    assert "New notes since the last review" in removed
    assert "Decision" not in removed


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_who_may_see_the_meetings_reads_what_the_minutes_show_and_no_note_content(
    request, client_for, case, history, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    reviews = section(case_page(client, case))

    for meeting, shown in [
        ("held", "Refer to the federal task force."),
        ("held", "Ask ATF for the trace"),
        ("removed_at", "Reported twice; reviewed under the other number"),
    ]:
        minutes = client.get(f"/meetings/{history[meeting].pk}/minutes/").content.decode()
        assert shown in reviews and shown in minutes
    # The frozen item's snapshot holds the suspect and the witness: nothing of a note is shown.
    assert history["item"].snapshot and SUSPECT in str(history["item"].snapshot)
    for secret in [SUSPECT, WITNESS, "grey sedan", "816-555-0142"]:
        assert secret not in reviews


def test_a_case_never_on_an_agenda_says_so(client_for, advocate, case):
    reviews = section(case_page(client_for(advocate), case))

    assert "No meeting has had this case on its agenda." in reviews


def test_someone_who_may_not_see_meetings_gets_no_review_of_any(case, history):
    nobody = UserFactory(username="no_role", role="", agency=None)

    found = reviews_of(case, nobody, show_all=True)

    assert found.reviews == [] and found.shown == []


def test_the_page_opens_on_the_newest_reviews_and_any_older_one_with_open_items(
    client_for, investigator, coordinator, case, history
):
    older = []
    for weeks in range(3, 3 + REVIEWS_SHOWN):
        meeting = meeting_at(days_from_now(-7 * weeks - 1), status=Meeting.Status.HELD)
        older.append(AgendaItem.objects.create(meeting=meeting, shooting=case, reasons=reasons("Review again")))
    oldest = older[-1]
    ActionItem.objects.create(
        meeting=oldest.meeting,
        agenda_item=oldest,
        shooting=case,
        description="Find the second camera",
        assignee=investigator,
        agency=investigator.agency,
        due_on=timezone.localdate(),
        created_by=coordinator,
    )
    total = 5 + REVIEWS_SHOWN
    client = client_for(investigator)

    reviews = section(case_page(client, case))

    # The newest, then the oldest: its action item is still open.
    assert reviews.count('<li class="review ') == REVIEWS_SHOWN + 1
    assert f'id="review-{oldest.meeting_id}"' in reviews and "Find the second camera" in reviews
    assert f'id="review-{older[-2].meeting_id}"' not in reviews
    assert f"Show all {total} reviews ({total - REVIEWS_SHOWN - 1} older)" in reviews
    assert f'href="/cases/{case.pk}/?reviews=all#reviews"' in reviews
    assert f'hx-get="/meetings/cases/{case.pk}/reviews/"' in reviews

    everything = section(case_page(client, case, "?reviews=all"))
    assert everything.count('<li class="review ') == total and "Show all" not in everything


def test_the_case_page_costs_the_same_queries_however_many_meetings_reviewed_it(
    client_for, investigator, coordinator, case, history, django_assert_max_num_queries
):
    client = client_for(investigator)
    # session, user; the case; note summary, timeline notes, victims, change history, partner
    # agencies; the Reviews section's two: the case's agenda items with their meetings, and
    # their action items with owner and agency; the associates (law enforcement); the audit row
    # (insert; on SQLite the last hash first)
    with django_assert_max_num_queries(14):
        few = case_page(client, case, "?reviews=all")
    for weeks in range(4, 34):
        meeting = meeting_at(days_from_now(-7 * weeks), status=Meeting.Status.HELD)
        item = AgendaItem.objects.create(meeting=meeting, shooting=case, reasons=reasons("Review again"))
        ActionItem.objects.create(
            meeting=meeting,
            agenda_item=item,
            shooting=case,
            description=f"Follow-up {weeks}",
            assignee=investigator,
            agency=investigator.agency,
            due_on=timezone.localdate(),
            created_by=coordinator,
        )
    with django_assert_max_num_queries(14):
        many = case_page(client, case, "?reviews=all")
    assert section(few).count('<li class="review ') == 5 and section(many).count('<li class="review ') == 35


# --- The fragment and its page ----------------------------------------------------------------


def test_the_fragment_is_the_section_with_every_review(client_for, investigator, case, history):
    for weeks in range(3, 3 + REVIEWS_SHOWN):
        meeting = meeting_at(days_from_now(-7 * weeks), status=Meeting.Status.HELD)
        AgendaItem.objects.create(meeting=meeting, shooting=case, reasons=reasons("Review again requested"))

    response = client_for(investigator).get(f"/meetings/cases/{case.pk}/reviews/", headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<section id="reviews"') and "<html" not in html
    assert html.count('<li class="review ') == 5 + REVIEWS_SHOWN and "Show all" not in html
    assert "Refer to the federal task force." in html


def test_without_htmx_the_fragment_url_is_a_page_of_its_own(client_for, advocate, case, history):
    response = client_for(advocate).get(f"/meetings/cases/{case.pk}/reviews/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "RB26000555 at the meetings" in html
    assert f'<a href="/cases/{case.pk}/">RB26000555</a>' in html
    assert "Refer to the federal task force." in section(html)
    assert SUSPECT not in html and WITNESS not in html


def test_the_fragment_is_on_the_audit_trail_under_the_case(client_for, investigator, case, history):
    client = client_for(investigator)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    client.get(f"/meetings/cases/{case.pk}/reviews/", headers=HTMX)

    [row] = AuditEvent.objects.filter(id__gt=before)
    assert (row.actor_id, row.object_type, row.object_id, row.case_id) == (
        investigator.pk,
        "shooting",
        str(case.pk),
        case.pk,
    )
    assert row.outcome == AuditEvent.Outcome.SUCCESS and row.detail["htmx"] is True


@pytest.mark.parametrize("how", [{}, HTMX], ids=["page", "htmx"])
def test_the_fragment_of_a_case_one_may_not_see_is_refused_and_recorded(client, case, history, how):
    nobody = UserFactory(username="no_role", role="", agency=None)
    client.force_login(nobody)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = client.get(f"/meetings/cases/{case.pk}/reviews/", headers=how)

    assert response.status_code == 404
    assert "federal task force" not in response.content.decode()
    [row] = AuditEvent.objects.filter(id__gt=before)
    assert (row.outcome, row.object_type, row.object_id) == (AuditEvent.Outcome.REFUSED, "shooting", str(case.pk))


def test_a_missing_case_is_refused(client_for, investigator, case):
    assert client_for(investigator).get("/meetings/cases/999999/reviews/", headers=HTMX).status_code == 404


def test_the_fragment_costs_the_same_queries_however_many_meetings(
    client_for, investigator, coordinator, case, history, django_assert_max_num_queries
):
    for weeks in range(4, 24):
        meeting = meeting_at(days_from_now(-7 * weeks), status=Meeting.Status.HELD)
        AgendaItem.objects.create(meeting=meeting, shooting=case, reasons=reasons("Review again"))
    client = client_for(investigator)
    # session, user; the case; the case's agenda items with their meetings; their action items
    # with owner and agency; the audit row (insert; on SQLite the last hash first)
    with django_assert_max_num_queries(8):
        response = client.get(f"/meetings/cases/{case.pk}/reviews/", headers=HTMX)
    assert response.content.decode().count('<li class="review ') == 25


# --- The case export --------------------------------------------------------------------------


def export(client) -> list[dict[str, str]]:
    response = client.get("/cases/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("persona", ["investigator", "advocate"])
def test_the_export_has_the_held_reviews_the_last_outcome_and_the_open_action_items(
    request, client_for, case, history, persona
):
    rows = {row["Report number"]: row for row in export(client_for(request.getfixturevalue(persona)))}

    row = rows["RB26000555"]
    # Held meetings only, where the case stayed on the agenda: not the one that removed it.
    assert row["Reviewed at meetings"] == history["held"].local_date.isoformat()
    assert row["Last review outcome"] == "Decision: Refer to the federal task force."
    today = timezone.localdate()
    assert row["Open action items"] == (
        f"Canvass the block again (Dana Whitfield, RBPD, due {(today - timedelta(days=2)).isoformat()}); "
        f"Ask ATF for the trace (Dana Whitfield, RBPD, due {(today + timedelta(days=5)).isoformat()})"
    )
    assert "Call the family" not in row["Open action items"]


def test_a_case_never_reviewed_has_empty_meeting_cells(client_for, investigator, case):
    [row] = export(client_for(investigator))

    assert row["Reviewed at meetings"] == row["Last review outcome"] == row["Open action items"] == ""


def test_the_export_lists_every_review_newest_first_and_says_when_an_item_was_not_discussed(
    client_for, investigator, case, history
):
    earlier = meeting_at(days_from_now(-28), status=Meeting.Status.HELD)
    AgendaItem.objects.create(meeting=earlier, shooting=case, discussed=True, outcome=AgendaItem.Outcome.INFORMATION)
    other = make_shooting(investigator)
    AgendaItem.objects.create(meeting=history["held"], shooting=other, discussed=False)

    rows = {row["Report number"]: row for row in export(client_for(investigator))}

    assert rows["RB26000555"]["Reviewed at meetings"] == (
        f"{history['held'].local_date.isoformat()}; {earlier.local_date.isoformat()}"
    )
    assert rows[other.report_number]["Last review outcome"] == "Not discussed"
    assert rows[other.report_number]["Open action items"] == ""
