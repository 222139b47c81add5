"""Whoever an agenda page, an agenda fragment, a printed packet or the minutes showed a case to is
listed under "who has seen this case": the request's one audit row records every case it showed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from accounts.models import AuditEvent, AuditEventCase
from meetings.models import Meeting

from .test_pdf import WITNESS, download, held_meeting_with_minutes

pytestmark = pytest.mark.django_db


def case_ids(meeting: Meeting) -> list[int]:
    return list(
        meeting.items.filter(removed_at__isnull=True, shooting__isnull=False).values_list("shooting_id", flat=True)
    )


def viewers_page(client_for, supervisor, case_id: int) -> str:
    response = client_for(supervisor).get(reverse("case_viewers", args=[case_id]))
    assert response.status_code == 200
    return response.content.decode()


def row_of(page: str, name: str) -> str:
    """The table row of the person called `name` on the viewers page."""
    start = page.index(name)
    return page[page.rindex("<tr>", 0, start) : page.index("</tr>", start)]


def test_a_prosecutor_who_saw_the_agenda_page_is_listed_for_every_case_on_it(
    client_for, prosecutor, supervisor, agenda_meeting
):
    ids = case_ids(agenda_meeting)
    assert len(ids) == 4
    assert client_for(prosecutor).get(agenda_meeting.get_absolute_url()).status_code == 200

    row = AuditEvent.objects.filter(actor_id=prosecutor.pk, event="meetings:detail.view").get()
    assert sorted(row.shown_cases.values_list("case_id", flat=True)) == sorted(ids)
    for case_id in ids:
        page = viewers_page(client_for, supervisor, case_id)
        assert "Priya Castellane" in page
        assert "agenda" in row_of(page, "Priya Castellane")
    assert WITNESS not in page


def test_an_agenda_fragment_sent_back_to_an_htmx_edit_records_the_cases_it_shows(
    client_for, coordinator, supervisor, agenda_meeting
):
    response = client_for(coordinator).post(
        reverse("meetings:agenda_build", args=[agenda_meeting.pk]),
        {"version": agenda_meeting.agenda_version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    row = AuditEvent.objects.filter(actor_id=coordinator.pk, event="meetings:agenda_build.change").get()
    assert set(row.shown_cases.values_list("case_id", flat=True)) == set(case_ids(agenda_meeting))
    assert "Renee Talmadge" in viewers_page(client_for, supervisor, case_ids(agenda_meeting)[0])


def test_a_printed_packet_records_every_case_in_it_and_for_whom_it_was_printed(
    client_for, coordinator, advocate, supervisor, agenda_meeting
):
    assert download(client_for(advocate), agenda_meeting, "community").status_code == 200
    assert download(client_for(coordinator), agenda_meeting, "community").status_code == 200

    printed = AuditEvent.objects.filter(event="meetings.print")
    assert printed.count() == 2
    for row in printed:
        assert set(row.shown_cases.values_list("case_id", flat=True)) == set(case_ids(agenda_meeting))
    homicide = agenda_meeting.items.get(shooting__kind="homicide").shooting_id
    page = viewers_page(client_for, supervisor, homicide)
    assert "agenda packet (community)" in row_of(page, "Jordan Kessley")
    # The packet for advocates and community partners holds no witness identity, whoever printed it.
    coordinator_row = row_of(page, "Renee Talmadge")
    assert "agenda packet (community)" in coordinator_row
    assert "not shown" in coordinator_row


def test_a_law_enforcement_packet_counts_as_having_shown_the_witness_identities(
    client_for, coordinator, supervisor, agenda_meeting
):
    assert download(client_for(coordinator), agenda_meeting, "law_enforcement").status_code == 200
    homicide = agenda_meeting.items.get(shooting__kind="homicide").shooting_id
    coordinator_row = row_of(viewers_page(client_for, supervisor, homicide), "Renee Talmadge")
    assert "agenda packet (law enforcement)" in coordinator_row
    assert ">shown<" in coordinator_row


def test_the_minutes_page_and_the_printed_minutes_record_the_cases_they_report_on(
    client_for, coordinator, investigator, advocate, supervisor, police, advocacy_center
):
    meeting = held_meeting_with_minutes(coordinator, investigator, police, advocacy_center)
    shooting_id = meeting.items.get().shooting_id
    assert client_for(advocate).get(reverse("meetings:minutes", args=[meeting.pk])).status_code == 200
    assert client_for(coordinator).get(reverse("meetings:minutes_pdf", args=[meeting.pk])).status_code == 200

    page = viewers_page(client_for, supervisor, shooting_id)
    assert "minutes" in row_of(page, "Jordan Kessley")
    assert "printed minutes" in row_of(page, "Renee Talmadge")


def test_a_refused_agenda_request_records_no_case(client_for, outsider, agenda_meeting):
    outsider.agency = None
    outsider.save()
    assert client_for(outsider).get(agenda_meeting.get_absolute_url()).status_code == 404
    row = AuditEvent.objects.filter(actor_id=outsider.pk).latest("id")
    assert row.outcome == "refused"
    assert not row.shown_cases.exists()


def test_the_audit_log_searched_by_report_number_finds_the_agenda_views_of_the_case(
    client_for, prosecutor, supervisor, agenda_meeting
):
    client_for(prosecutor).get(agenda_meeting.get_absolute_url())
    number = agenda_meeting.items.filter(shooting__isnull=False).first().shooting.report_number
    page = client_for(supervisor).get(reverse("audit_log"), {"case": number}).content.decode()
    assert "meetings:detail.view" in page
    assert "4 cases shown" in page


def test_the_hash_chain_covers_the_cases_a_row_showed(client_for, prosecutor, agenda_meeting):
    client_for(prosecutor).get(agenda_meeting.get_absolute_url())
    call_command("verify_audit")
    link = AuditEventCase.objects.filter(event__actor_id=prosecutor.pk).first()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may be pending
            cursor.execute(
                "ALTER TABLE accounts_auditeventcase DISABLE TRIGGER accounts_auditeventcase_no_update_delete"
            )
        cursor.execute("DELETE FROM accounts_auditeventcase WHERE id = %s", [link.pk])
    with pytest.raises(CommandError, match=f"row {link.event_id}: this row was altered"):
        call_command("verify_audit")


def test_an_agenda_sent_back_with_a_conflict_records_the_cases_it_shows(client_for, coordinator, agenda_meeting):
    response = client_for(coordinator).post(
        reverse("meetings:agenda_build", args=[agenda_meeting.pk]), {"version": agenda_meeting.agenda_version - 1}
    )
    assert response.status_code == 409
    row = AuditEvent.objects.filter(actor_id=coordinator.pk, event="meetings:agenda_build.change").get()
    assert row.outcome == "failure"
    assert set(row.shown_cases.values_list("case_id", flat=True)) == set(case_ids(agenda_meeting))


def test_who_has_seen_costs_the_same_few_queries_however_many_viewers(
    client_for, prosecutor, advocate, investigator, atf_agent, supervisor, agenda_meeting, django_assert_max_num_queries
):
    homicide = agenda_meeting.items.get(shooting__kind="homicide").shooting_id
    for person in (prosecutor, advocate, investigator, atf_agent):
        client_for(person).get(agenda_meeting.get_absolute_url())
        client_for(person).get(reverse("cases:detail", args=[homicide]))
    client = client_for(supervisor)
    # session, user; the case; its witness notes; the events about it or that showed it; their
    # people; the audit row (insert; on SQLite the last hash first)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("case_viewers", args=[homicide])).content.decode()
    for name in ("Priya Castellane", "Jordan Kessley", "Dana Whitfield", "Marcus Ortelli"):
        assert "agenda, case page" in row_of(page, name)


def test_my_items_records_the_cases_of_the_action_items_it_lists(
    client_for, coordinator, investigator, advocate, supervisor, police, advocacy_center
):
    meeting = held_meeting_with_minutes(coordinator, investigator, police, advocacy_center)
    shooting_id = meeting.items.get().shooting_id

    assert client_for(investigator).get(reverse("meetings:my_items")).status_code == 200

    row = AuditEvent.objects.filter(actor_id=investigator.pk, event="meetings:my_items.view").get()
    assert list(row.shown_cases.values_list("case_id", flat=True)) == [shooting_id]
