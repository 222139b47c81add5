"""The case list and a case's page are kept for their viewer while the case data is unchanged
(cases.kept_pages): shown again without being drawn, never to anyone else, never older than the
data, and with each request's own CSRF token, status messages and audit row."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent, AuditEventCase
from cases import kept_pages, services
from cases.kept_pages import KEEP_SECONDS, page_key
from cases.models import NibinLead, Note, PersonRole, Victim
from cases.people import services as people_services
from meetings.agenda import source_stamp
from meetings.models import ActionItem, AgendaItem, Meeting
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import meeting_at
from tests.source_stamp_checks import assert_under_the_stamp
from tests.source_stamp_checks import tables_read as tables_named

pytestmark = pytest.mark.django_db

VICTIM = "Anneliese Corrowby"
RESTRICTED = "Kestrel Vantongeren"
LEAD = "RB-26-9931"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, shooting, query: str = "") -> str:
    response = client.get(f"/cases/{shooting.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


# What every request reads or writes, whatever its page: the session and its record, the second
# factor's device, the audit row, the stamp itself.
REQUEST_TABLES = {
    "django_session",
    "accounts_usersession",
    "otp_totp_totpdevice",
    "accounts_auditevent",
    "accounts_auditeventcase",
    "meetings_sourcestamp",
}


def tables_read(queries) -> set[str]:
    return tables_named(queries) - REQUEST_TABLES


@pytest.fixture
def case(investigator, atf_agent, advocate, prosecutor, coordinator, police):
    """A case that reaches every query of its page: victims, notes of every kind (one restricted
    to the police), a cited NIBIN lead, a linked case, a manual link, partner agencies, changes,
    an associate, and a meeting that reviewed it with an action item."""
    shooting = make_shooting(investigator, victims=[{"name": VICTIM, "age": 31, "sex": "F"}])
    services.add_note(
        shooting, investigator, Note.Kind.SUSPECT, {"name": RESTRICTED, "status": "suspect"}, restricted=True
    )
    services.add_note(
        shooting, investigator, Note.Kind.WITNESS, {"name": "Odile Farthingale", "cooperation": "reluctant"}
    )
    services.add_note(shooting, atf_agent, Note.Kind.FIREARM, {"nibin_leads": [LEAD], "serial_number": "KP55120"})
    services.add_note(shooting, advocate, Note.Kind.VICTIM_SERVICES, {"referral_status": "referred", "text": "called"})
    services.add_note(shooting, prosecutor, Note.Kind.GENERAL, {"text": "charging memo"})
    other = make_shooting(investigator)
    services.add_note(other, atf_agent, Note.Kind.FIREARM, {"nibin_leads": [LEAD]})
    services.link_manually(shooting, make_shooting(investigator), investigator, "same car")
    NibinLead.objects.update_or_create(number=LEAD, defaults={"evidence_recovered_at": timezone.now()})
    shooting.refresh_from_db()
    services.update_shooting(
        shooting, investigator, {"beat": "212"}, expected_version=shooting.version, partner_agencies=[police]
    )
    person = PersonRole.objects.get(shooting=shooting, kind=PersonRole.Kind.VICTIM).person
    people_services.add_associate(shooting, person, investigator, "drove the car")
    held = meeting_at(timezone.now() - timedelta(days=1), status=Meeting.Status.HELD)
    item = AgendaItem.objects.create(meeting=held, shooting=shooting, position=1)
    ActionItem.objects.create(
        meeting=held,
        agenda_item=item,
        shooting=shooting,
        description="Canvass Corliss Avenue",
        assignee=investigator,
        agency=investigator.agency,
        due_on=timezone.localdate() + timedelta(days=3),
        created_by=coordinator,
    )
    shooting.refresh_from_db()
    return shooting


def test_every_table_the_case_page_reads_is_under_the_stamp(case, investigator):
    with CaptureQueriesContext(connection) as queries:
        html = page(client_of(investigator), case)
    assert VICTIM in html and "Canvass Corliss Avenue" in html and LEAD in html and "drove the car" in html
    read = tables_read(queries)
    # The page reached every part of the case.
    assert {
        "cases_note",
        "cases_victim",
        "cases_nibinlead",
        "cases_manuallink",
        "cases_linkkey",
        "cases_shootingchange",
        "cases_shooting_partner_agencies",
        "cases_personrole",
        "meetings_agendaitem",
        "meetings_actionitem",
    } <= read
    assert_under_the_stamp(read)


def test_a_second_look_reads_nothing_of_the_case_but_whether_the_viewer_may_see_it(
    case, investigator, django_assert_max_num_queries
):
    client = client_of(investigator)
    first = page(client, case)
    # the case (the permission check), the stamp, the audit row (on SQLite: its last hash too,
    # in a transaction of its own)
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as queries:
        again = page(client, case)
    assert not {"cases_note", "cases_victim", "cases_personrole", "meetings_agendaitem"} & tables_read(queries)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert token.sub("", again) == token.sub("", first)
    assert RESTRICTED in again


def test_every_change_shows_on_the_next_look_whatever_made_it(case, investigator, atf_agent, coordinator, police):
    client = client_of(investigator)
    page(client, case)

    services.add_note(case, atf_agent, Note.Kind.GENERAL, {"text": "Trace came back to Halvorsen Pawn"})
    assert "Trace came back to Halvorsen Pawn" in page(client, case)

    Victim.objects.filter(name=VICTIM).update(name="Henrietta Vasquez-Oduya")
    assert "Henrietta Vasquez-Oduya" in page(client, case)

    NibinLead.objects.filter(number=LEAD).update(status=NibinLead.Status.HIT)
    assert "NIBIN hit" in page(client, case)

    case.partner_agencies.clear()
    assert police.name not in page(client, case).split('id="facts"')[1].split("</section>")[0]

    ActionItem.objects.filter(description="Canvass Corliss Avenue").delete()
    assert "Canvass Corliss Avenue" not in page(client, case)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET last_name = %s WHERE id = %s", ["Okonkwo-Baptiste", atf_agent.pk])
    assert "Okonkwo-Baptiste" in page(client, case)


def test_a_page_kept_for_one_viewer_is_never_shown_to_another(case, investigator, outsider):
    # Both are signed in first: nothing is written between the two looks, so the stamp stands.
    police, other_agency = client_of(investigator), client_of(outsider)
    stamp = source_stamp.current()
    assert RESTRICTED in page(police, case)
    html = page(other_agency, case)
    assert source_stamp.current() == stamp
    # Law enforcement of another agency: the page drawn for them, without the police's
    # restricted note, under their own name.
    assert RESTRICTED not in html
    assert outsider.get_full_name() in html and investigator.get_full_name() not in html.split("</header>")[0]


def test_each_request_gets_its_own_csrf_token_and_its_forms_work(case, investigator):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(investigator)
    second.force_login(investigator)
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    page(first, case)
    html = page(second, case)
    tokens = set(token.findall(html))
    assert len(tokens) >= 1
    response = second.post(
        f"/cases/{case.pk}/victims/add/",
        {
            "csrfmiddlewaretoken": tokens.pop(),
            "name": "Lucan Westerhold",
            "age": "40",
            "sex": "M",
            "injury": "nonfatal",
        },
    )
    assert response.status_code == 302
    assert "Lucan Westerhold" in page(second, case)


def test_a_status_message_is_shown_once_and_never_kept(case, investigator):
    client = client_of(investigator)
    page(client, case)
    response = client.post(
        f"/cases/{case.pk}/victims/add/",
        {"name": "Lucan Westerhold", "age": "40", "sex": "M", "injury": "nonfatal"},
        follow=True,
    )
    assert "Victim Lucan Westerhold added." in response.content.decode()
    assert "Victim Lucan Westerhold added." not in page(client, case)


def test_each_look_writes_its_audit_row_with_the_case(case, investigator):
    client = client_of(investigator)
    before = AuditEvent.objects.filter(case_id=case.pk, event="cases:detail.view").count()
    page(client, case)
    page(client, case)
    assert AuditEvent.objects.filter(case_id=case.pk, event="cases:detail.view").count() == before + 2


def test_what_changes_with_the_clock_alone_is_kept_at_most_a_minute(case, investigator):
    now = timezone.now()
    later = now + timedelta(seconds=KEEP_SECONDS)
    assert page_key("stamp", investigator.pk, "/cases/1/", now) != page_key(
        "stamp", investigator.pk, "/cases/1/", later
    )
    # A lead not yet notified turns late 48 hours after the evidence was recovered.
    NibinLead.objects.filter(number=LEAD).update(
        evidence_recovered_at=now - timedelta(hours=48) + timedelta(seconds=30)
    )
    client = client_of(investigator)
    assert "late (not yet notified)" not in page(client, case)
    with time_machine.travel(later + timedelta(seconds=1), tick=False):
        assert "late (not yet notified)" in page(client, case)


def test_other_views_of_the_page_are_drawn_for_their_query(case, investigator):
    client = client_of(investigator)
    page(client, case)
    html = page(client, case, "?kind=firearm")
    assert "KP55120" in html and "charging memo" not in html.split('id="timeline"')[1]


# --- The case list ------------------------------------------------------------------------------


def listed(client: Client, query: str = "") -> str:
    response = client.get(f"/cases/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_every_table_the_case_list_reads_is_under_the_stamp(case, investigator):
    client = client_of(investigator)
    with CaptureQueriesContext(connection) as queries:
        # A search of names (victims, people, suspects) among the cases updated since the last
        # meeting, and the plain list.
        assert VICTIM in listed(client, "?q=Corrowby&updated=meeting")
        assert case.report_number in listed(client, f"?q={RESTRICTED.split()[1]}")
        assert case.report_number in listed(client)
    read = tables_read(queries)
    assert {"cases_shooting", "cases_victim", "cases_note", "cases_personrole", "meetings_meeting"} <= read
    assert_under_the_stamp(read)


def test_a_second_look_at_the_list_counts_nothing_again_and_still_records_what_it_showed(
    case, investigator, django_assert_max_num_queries
):
    client = client_of(investigator)
    first = listed(client, "?q=Corrowby")
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as queries:
        again = listed(client, "?q=Corrowby")
    assert not {"cases_shooting", "cases_victim", "cases_personrole"} & tables_read(queries)
    assert VICTIM in first and VICTIM in again
    shown = AuditEventCase.objects.filter(event__event="cases:list.view", case_id=case.pk)
    assert shown.count() == 2


def test_a_new_case_shows_on_the_list_and_in_its_count_at_the_next_look(case, investigator):
    client = client_of(investigator)
    html = listed(client)
    count = re.search(r"(\d+) cases?\b", html).group(1)
    added = make_shooting(investigator, victims=[{"name": "Ysolde Brannagh", "age": 22, "sex": "F"}])
    html = listed(client)
    assert added.report_number in html and "Ysolde Brannagh" in html
    assert re.search(r"(\d+) cases?\b", html).group(1) == str(int(count) + 1)


def test_a_list_kept_for_one_viewer_is_never_shown_to_another(case, investigator, advocate):
    police, advocacy = client_of(investigator), client_of(advocate)
    stamp = source_stamp.current()
    suspect_search = f"?q={RESTRICTED.split()[1]}"
    assert case.report_number in listed(police, suspect_search)
    # An advocate's search never looks at suspects: the same address, drawn for them.
    assert case.report_number not in listed(advocacy, suspect_search)
    assert source_stamp.current() == stamp


# --- What is never kept -------------------------------------------------------------------------


def looks_again_at_the_notes(client: Client, shooting) -> bool:
    page(client, shooting)
    with CaptureQueriesContext(connection) as queries:
        page(client, shooting)
    return "cases_note" in tables_read(queries)


def test_a_page_larger_than_the_limit_is_drawn_every_time(case, investigator, monkeypatch):
    client = client_of(investigator)
    assert not looks_again_at_the_notes(client, case)
    monkeypatch.setattr(kept_pages, "KEEP_LARGEST", 1000)
    kept_pages.forget_kept_pages()
    assert looks_again_at_the_notes(client, case)


def test_nothing_is_kept_when_keeping_is_turned_off(case, investigator, settings):
    settings.KEEP_PAGES = False
    assert looks_again_at_the_notes(client_of(investigator), case)
