"""Who may see the cover page and print which packet: nobody prints more than they may see, a
refused packet looks like one that does not exist, and every print is on record."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases.models import Shooting
from meetings.access import printable_audiences
from meetings.models import AgendaEvent, Meeting, PrintedCopy
from tests.factories import UserFactory, make_shooting
from tests.meetings.agenda_helpers import meeting_soon

pytestmark = pytest.mark.django_db

PERSONAS = ["investigator", "atf_agent", "prosecutor", "advocate", "coordinator", "supervisor", "outsider"]


@pytest.fixture
def meeting(db) -> Meeting:
    return meeting_soon()


def agenda_pdf_url(meeting: Meeting, audience: str | None = None) -> str:
    url = reverse("meetings:agenda_pdf", args=[meeting.pk])
    return f"{url}?audience={audience}" if audience else url


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_at_the_table_sees_the_cover_page(request, client_for, meeting, persona):
    user = request.getfixturevalue(persona)
    make_shooting(user if persona != "advocate" else None, kind=Shooting.Kind.HOMICIDE)

    response = client_for(user).get(reverse("meetings:cover", args=[meeting.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "homicide in the window" in content
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="weekly-chart"' in content


def test_someone_without_a_role_gets_no_cover_page(client_for, meeting):
    nobody = UserFactory(username="no_role_yet", agency=None, role="")

    response = client_for(nobody).get(reverse("meetings:cover", args=[meeting.pk]))

    assert response.status_code == 404


def test_the_cover_page_of_a_meeting_that_does_not_exist_is_not_found(client_for, coordinator):
    response = client_for(coordinator).get(reverse("meetings:cover", args=[999_999]))

    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, meeting):
    response = client.get(reverse("meetings:cover", args=[meeting.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_agenda_page_loads_the_cover_into_its_slot_as_a_fragment(client_for, coordinator, meeting):
    response = client_for(coordinator).get(reverse("meetings:cover", args=[meeting.pk]), headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'class="cover"' in content


def test_the_cover_page_costs_the_same_queries_however_many_shootings(
    client_for, coordinator, investigator, meeting, django_assert_max_num_queries
):
    client = client_for(coordinator)
    for kind in [Shooting.Kind.HOMICIDE, Shooting.Kind.NONFATAL, Shooting.Kind.SHOTS_FIRED] * 4:
        make_shooting(investigator, kind=kind)
    client.get(reverse("meetings:cover", args=[meeting.pk]))

    # Session, user with agency (2), the meeting (1), the cover: previous held meeting, one
    # aggregate, open clusters, the data's stamp (the people counts are kept under it since the
    # first view) (4), the audit row (2, 3 on PostgreSQL); 12 leaves room for the people's two.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("meetings:cover", args=[meeting.pk]))
    assert response.status_code == 200
    assert response.context["cover"].window_shootings == 8


@pytest.mark.parametrize("audience", ["law_enforcement", "prosecutors"])
def test_an_advocate_cannot_get_a_packet_with_investigative_detail(client_for, advocate, meeting, audience):
    response = client_for(advocate).get(agenda_pdf_url(meeting, audience))

    assert response.status_code == 404
    assert not PrintedCopy.objects.exists()
    assert not AgendaEvent.objects.filter(kind=AgendaEvent.Kind.PRINTED).exists()
    row = AuditEvent.objects.order_by("-id").first()
    assert (row.outcome, row.object_type) == ("refused", "agenda packet")


def test_an_advocate_prints_the_community_packet(client_for, advocate, meeting):
    response = client_for(advocate).get(agenda_pdf_url(meeting, "community"))

    assert response.status_code == 200
    assert PrintedCopy.objects.get().audience == "community"


def test_without_an_audience_a_person_gets_the_widest_packet_they_may_print(
    client_for, advocate, investigator, meeting
):
    client_for(advocate).get(agenda_pdf_url(meeting))
    client_for(investigator).get(agenda_pdf_url(meeting))

    assert list(PrintedCopy.objects.order_by("copy_number").values_list("audience", flat=True)) == [
        "community",
        "law_enforcement",
    ]


def test_an_audience_that_does_not_exist_is_not_found(client_for, coordinator, meeting):
    response = client_for(coordinator).get(agenda_pdf_url(meeting, "press"))

    assert response.status_code == 404
    assert not PrintedCopy.objects.exists()


def test_someone_without_a_role_prints_nothing(client_for, meeting):
    nobody = UserFactory(username="no_role_yet", agency=None, role="")

    response = client_for(nobody).get(agenda_pdf_url(meeting, "community"))

    assert response.status_code == 404


def test_printing_is_a_recorded_event_of_the_audit_trail(client_for, coordinator, meeting):
    client_for(coordinator).get(agenda_pdf_url(meeting, "prosecutors"))

    row = AuditEvent.objects.get(event="meetings.print")
    assert (row.actor_id, row.object_type, row.object_id, row.outcome) == (
        coordinator.pk,
        "meeting",
        str(meeting.pk),
        "success",
    )
    assert row.detail["document"] == "agenda"
    assert row.detail["audience"] == "prosecutors"
    assert row.detail["copy"] == 1
    event = AgendaEvent.objects.get(meeting=meeting, kind=AgendaEvent.Kind.PRINTED)
    assert event.detail == "Agenda, copy 1, for prosecutors"


def test_minutes_exist_to_print_only_once_the_meeting_is_held(client_for, coordinator, meeting):
    client = client_for(coordinator)

    before = client.get(reverse("meetings:minutes_pdf", args=[meeting.pk]))
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, held_at=timezone.now())
    after = client.get(reverse("meetings:minutes_pdf", args=[meeting.pk]))

    assert before.status_code == 404
    assert after.status_code == 200
    assert after["Content-Type"] == "application/pdf"


def test_an_advocate_cannot_print_minutes_for_law_enforcement(client_for, advocate, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, held_at=timezone.now())

    response = client_for(advocate).get(
        reverse("meetings:minutes_pdf", args=[meeting.pk]), {"audience": "law_enforcement"}
    )

    assert response.status_code == 404


def test_pdfs_cannot_be_requested_by_post(client_for, coordinator, meeting):
    response = client_for(coordinator).post(agenda_pdf_url(meeting, "community"))

    assert response.status_code == 405
    assert not PrintedCopy.objects.exists()


@pytest.mark.parametrize(
    ("persona", "audiences"),
    [
        ("investigator", ["law_enforcement", "prosecutors", "community"]),
        ("atf_agent", ["law_enforcement", "prosecutors", "community"]),
        ("prosecutor", ["law_enforcement", "prosecutors", "community"]),
        ("coordinator", ["law_enforcement", "prosecutors", "community"]),
        ("advocate", ["community"]),
    ],
)
def test_who_may_print_which_packet(request, persona, audiences):
    assert printable_audiences(request.getfixturevalue(persona)) == audiences


def test_the_agenda_page_offers_only_the_packets_the_viewer_may_print(client_for, coordinator, advocate, meeting):
    url = meeting.get_absolute_url()

    for_coordinator = client_for(coordinator).get(url).content.decode()
    for_advocate = client_for(advocate).get(url).content.decode()

    assert "Agenda PDF for law enforcement" in for_coordinator
    assert "Agenda PDF for prosecutors" in for_coordinator
    assert "Agenda PDF for advocates and community partners" in for_coordinator
    assert "Agenda PDF for advocates and community partners" in for_advocate
    assert "Agenda PDF for law enforcement" not in for_advocate
    assert "Agenda PDF for prosecutors" not in for_advocate
    assert "audience=law_enforcement" not in for_advocate
