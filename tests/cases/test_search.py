"""Finding cases on the list: search words, suspect names within need-to-know, filters, order."""

from __future__ import annotations

import datetime as dt
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import Note, Shooting
from cases.search import last_meeting_cutoff
from meetings.models import Meeting
from tests.factories import UserFactory, make_shooting

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
ROW = re.compile(r'<th scope="row">(?:<a href="[^"]*">)?([A-Z0-9-]+)')


def listed(client, **params) -> list[str]:
    """Report numbers on the case list, in the order shown."""
    response = client.get("/cases/", params)
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


def suspect(shooting, author, name: str, aliases: str = "", restricted: bool = False) -> Note:
    fields = {"name": name, "aliases": aliases, "status": "suspect", "basis": "", "text": ""}
    return services.add_note(shooting, author, Note.Kind.SUSPECT, fields, restricted=restricted)


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)


# --- Search words ------------------------------------------------------------------------------


def test_search_finds_a_case_by_part_of_its_report_number_in_any_case(client_for, investigator):
    wanted = make_shooting(report_number="KC25004101")
    make_shooting(report_number="KC25009999")

    assert listed(client_for(investigator), q="kc2500410") == [wanted.report_number]


def test_search_finds_a_case_by_address(client_for, investigator):
    wanted = make_shooting(address="4100 Prospect Ave")
    make_shooting(address="12 Linwood Blvd")

    assert listed(client_for(investigator), q="prospect") == [wanted.report_number]


def test_search_finds_a_case_by_victim_name(client_for, investigator):
    wanted = make_shooting(victims=[{"name": "Rosalind Featherstone", "age": 31}])
    make_shooting(victims=[{"name": "Tobias Wrenfield", "age": 22}])

    assert listed(client_for(investigator), q="Featherst") == [wanted.report_number]


def test_every_word_of_the_search_must_match(client_for, investigator):
    wanted = make_shooting(address="4100 Prospect Ave", victims=[{"name": "Rosalind Featherstone"}])
    make_shooting(address="4100 Prospect Ave", victims=[{"name": "Tobias Wrenfield"}])
    make_shooting(address="12 Linwood Blvd", victims=[{"name": "Rosalind Quill"}])

    assert listed(client_for(investigator), q="prospect rosalind") == [wanted.report_number]


def test_investigator_finds_a_case_by_suspect_name_or_alias(client_for, investigator):
    wanted = make_shooting()
    make_shooting()
    suspect(wanted, investigator, "Corwin Blackmere", aliases="Crowbar")
    client = client_for(investigator)

    assert listed(client, q="blackmere") == [wanted.report_number]
    assert listed(client, q="crowbar") == [wanted.report_number]


def test_a_search_of_one_or_two_letters_also_looks_at_suspect_names(client_for, investigator):
    wanted = make_shooting(report_number="RB25000001", address="1 Main St", victims=[{"name": "Ann Poe"}])
    make_shooting(report_number="RB25000002", address="2 Main St", victims=[{"name": "Ann Poe"}])
    suspect(wanted, investigator, "Qx Zed")

    assert listed(client_for(investigator), q="qx") == [wanted.report_number]


@pytest.mark.parametrize("persona", ["atf_agent", "prosecutor", "coordinator", "supervisor"])
def test_other_law_enforcement_roles_also_find_cases_by_suspect_name(request, client_for, investigator, persona):
    wanted = make_shooting()
    suspect(wanted, investigator, "Corwin Blackmere")

    assert listed(client_for(request.getfixturevalue(persona)), q="blackmere") == [wanted.report_number]


def test_advocate_cannot_find_a_case_by_suspect_name(client_for, investigator, advocate):
    shooting = make_shooting()
    suspect(shooting, investigator, "Corwin Blackmere", aliases="Crowbar")
    client = client_for(advocate)

    assert listed(client, q="blackmere") == []
    assert listed(client, q="crowbar") == []
    # The advocate still finds the case by what they may see.
    assert listed(client, q=shooting.report_number) == [shooting.report_number]


def test_advocate_is_not_told_that_suspect_names_are_searchable(client_for, advocate, investigator):
    assert "suspect" not in client_for(advocate).get("/cases/").content.decode().lower()
    assert "suspect" in client_for(investigator).get("/cases/").content.decode().lower()


def test_suspect_note_restricted_to_another_agency_is_not_searched(client_for, investigator, outsider):
    shooting = make_shooting()
    suspect(shooting, outsider, "Corwin Blackmere", restricted=True)

    assert listed(client_for(investigator), q="blackmere") == []
    # …while the agency that wrote it finds it.
    assert listed(client_for(outsider), q="blackmere") == [shooting.report_number]


def test_retracted_suspect_note_is_not_searched(client_for, investigator):
    shooting = make_shooting()
    note = suspect(shooting, investigator, "Corwin Blackmere")
    services.retract_note(note, investigator, "Wrong person: alibi confirmed.")

    assert listed(client_for(investigator), q="blackmere") == []


def test_revised_suspect_note_is_searched_by_its_new_name_only(client_for, investigator):
    shooting = make_shooting()
    note = suspect(shooting, investigator, "Corwin Blackmere")
    # A name unlike the old one: the search forgives misspellings, so "Blackwell" would still
    # resemble "Blackmere".
    services.revise_note(note, investigator, {**note.fields, "name": "Corwin Ashgrove"}, restricted=False)
    client = client_for(investigator)

    assert listed(client, q="ashgrove") == [shooting.report_number]
    assert listed(client, q="blackmere") == []


def test_a_user_without_role_or_agency_sees_no_cases(client_for):
    make_shooting()
    nobody = UserFactory(role="", agency=None)

    assert listed(client_for(nobody)) == []


# --- Filters -----------------------------------------------------------------------------------


def test_status_filter_shows_only_that_status_and_cleared_means_either_clearance(client_for, investigator):
    open_case = make_shooting()
    by_arrest = make_shooting(status=Shooting.Status.CLEARED_ARREST)
    exceptional = make_shooting(status=Shooting.Status.CLEARED_EXCEPTIONAL)
    inactive = make_shooting(status=Shooting.Status.INACTIVE)
    client = client_for(investigator)

    assert listed(client, status="open") == [open_case.report_number]
    assert sorted(listed(client, status="cleared")) == sorted([by_arrest.report_number, exceptional.report_number])
    assert listed(client, status="cleared_arrest") == [by_arrest.report_number]
    assert listed(client, status="inactive") == [inactive.report_number]


def test_kind_filter(client_for, investigator):
    homicide = make_shooting(kind=Shooting.Kind.HOMICIDE)
    make_shooting(kind=Shooting.Kind.NONFATAL)
    shots = make_shooting(kind=Shooting.Kind.SHOTS_FIRED, victims=[])
    client = client_for(investigator)

    assert listed(client, kind="homicide") == [homicide.report_number]
    assert listed(client, kind="shots_fired") == [shots.report_number]


def test_division_filter(client_for, investigator):
    east = make_shooting(division="East")
    make_shooting(division="Central")

    assert listed(client_for(investigator), division="East") == [east.report_number]


def test_date_range_counts_whole_local_days_at_both_ends(client_for, investigator):
    before = make_shooting(occurred_from=local(2025, 3, 9, 23, 50))
    first_minute = make_shooting(occurred_from=local(2025, 3, 10, 0, 5))
    last_minute = make_shooting(occurred_from=local(2025, 3, 12, 23, 55))  # 05:55 UTC on the 13th
    after = make_shooting(occurred_from=local(2025, 3, 13, 0, 1))
    client = client_for(investigator)

    found = listed(client, occurred_after="2025-03-10", occurred_before="2025-03-12")

    assert sorted(found) == sorted([first_minute.report_number, last_minute.report_number])
    assert before.report_number not in found and after.report_number not in found


def test_date_range_ending_before_it_starts_is_explained_and_not_applied(client_for, investigator):
    shooting = make_shooting(occurred_from=local(2025, 3, 10, 12, 0))

    response = client_for(investigator).get(
        "/cases/", {"occurred_after": "2025-03-12", "occurred_before": "2025-03-01"}
    )

    html = response.content.decode()
    assert "cannot be before" in html
    assert shooting.report_number in html
    # What was typed stays in the form.
    assert 'value="2025-03-12"' in html and 'value="2025-03-01"' in html


@pytest.mark.parametrize(
    "flag,field",
    [
        ("dv", "is_domestic_violence"),
        ("group", "is_group_involved"),
        ("retaliation", "is_retaliation_risk"),
        ("juvenile", "is_juvenile_involved"),
    ],
)
def test_each_flag_filter_shows_only_cases_with_that_flag(client_for, investigator, flag, field):
    flagged = make_shooting(**{field: True})
    make_shooting()

    assert listed(client_for(investigator), flag=flag) == [flagged.report_number]


def test_several_flags_must_all_be_set(client_for, investigator):
    both = make_shooting(is_retaliation_risk=True, is_group_involved=True)
    make_shooting(is_retaliation_risk=True)

    assert listed(client_for(investigator), flag=["retaliation", "group"]) == [both.report_number]


def test_updated_since_a_date_uses_the_last_activity_on_the_case(client_for, investigator):
    with time_machine.travel(timezone.now() - dt.timedelta(days=20)):
        quiet = make_shooting()
        touched = make_shooting()
    fresh = make_shooting()
    suspect(touched, investigator, "Corwin Blackmere")  # a note is activity on the case
    since = (timezone.localdate() - dt.timedelta(days=3)).isoformat()

    found = listed(client_for(investigator), updated="date", updated_since=since)

    assert sorted(found) == sorted([touched.report_number, fresh.report_number])
    assert quiet.report_number not in found


def test_since_last_meeting_falls_back_to_seven_days_and_says_so(client_for, investigator):
    with time_machine.travel(timezone.now() - dt.timedelta(days=8)):
        old = make_shooting()
    with time_machine.travel(timezone.now() - dt.timedelta(days=6)):
        recent = make_shooting()

    response = client_for(investigator).get("/cases/", {"updated": "meeting"})

    html = response.content.decode()
    assert ROW.findall(html) == [recent.report_number]
    assert old.report_number not in html
    assert "No meeting has been recorded yet" in html
    assert "last 7 days" in html


def test_updated_since_a_date_without_the_date_asks_for_it(client_for, investigator):
    shooting = make_shooting()

    html = client_for(investigator).get("/cases/", {"updated": "date"}).content.decode()

    assert "Enter the date to count updates from." in html
    assert shooting.report_number in html


def test_filters_combine_with_search(client_for, investigator):
    wanted = make_shooting(division="East", kind=Shooting.Kind.HOMICIDE, address="4100 Prospect Ave")
    make_shooting(division="Central", kind=Shooting.Kind.HOMICIDE, address="4100 Prospect Ave")
    make_shooting(division="East", kind=Shooting.Kind.NONFATAL, address="4100 Prospect Ave")

    found = listed(client_for(investigator), q="prospect", division="East", kind="homicide")

    assert found == [wanted.report_number]


# --- Order -------------------------------------------------------------------------------------


def test_newest_shooting_comes_first_by_default_and_oldest_first_when_asked(client_for, investigator):
    middle = make_shooting(occurred_from=local(2025, 5, 2, 12, 0))
    newest = make_shooting(occurred_from=local(2025, 5, 3, 12, 0))
    oldest = make_shooting(occurred_from=local(2025, 5, 1, 12, 0))
    client = client_for(investigator)

    assert listed(client) == [newest.report_number, middle.report_number, oldest.report_number]
    assert listed(client, sort="occurred") == [oldest.report_number, middle.report_number, newest.report_number]


def test_sort_by_report_number_both_ways(client_for, investigator):
    for number in ["RB25000300", "RB25000100", "RB25000200"]:
        make_shooting(report_number=number)
    client = client_for(investigator)

    assert listed(client, sort="report") == ["RB25000100", "RB25000200", "RB25000300"]
    assert listed(client, sort="-report") == ["RB25000300", "RB25000200", "RB25000100"]


def test_sort_by_kind_and_by_status(client_for, investigator):
    shots = make_shooting(kind=Shooting.Kind.SHOTS_FIRED, status=Shooting.Status.OPEN, victims=[])
    homicide = make_shooting(kind=Shooting.Kind.HOMICIDE, status=Shooting.Status.INACTIVE)
    nonfatal = make_shooting(kind=Shooting.Kind.NONFATAL, status=Shooting.Status.CLEARED_ARREST)
    client = client_for(investigator)

    assert listed(client, sort="kind") == [homicide.report_number, nonfatal.report_number, shots.report_number]
    assert listed(client, sort="-kind") == [shots.report_number, nonfatal.report_number, homicide.report_number]
    assert listed(client, sort="status") == [nonfatal.report_number, homicide.report_number, shots.report_number]


def test_column_heading_links_sort_and_keep_the_filters(client_for, investigator):
    make_shooting(division="East")

    html = client_for(investigator).get("/cases/", {"division": "East", "q": "harbor"}).content.decode()

    assert 'href="/cases/?q=harbor&amp;division=East&amp;sort=report"' in html
    # The current order is announced on its column; a click reverses it.
    assert 'aria-sort="descending"' in html
    assert 'href="/cases/?q=harbor&amp;division=East&amp;sort=occurred"' in html


def test_an_unknown_sort_falls_back_to_newest_first(client_for, investigator):
    older = make_shooting(occurred_from=local(2025, 5, 1, 12, 0))
    newer = make_shooting(occurred_from=local(2025, 5, 2, 12, 0))

    assert listed(client_for(investigator), sort="summary") == [newer.report_number, older.report_number]


def test_updated_since_the_last_meeting_counts_from_the_last_held_meetings_cutoff(coordinator):
    assert last_meeting_cutoff() is None
    start = timezone.now() - timedelta(days=2)
    Meeting.objects.create(
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        cutoff_at=start - timedelta(hours=3),
        place="Room 214",
        local_date=timezone.localdate(start),
        status=Meeting.Status.HELD,
    )
    later = start + timedelta(days=1)
    Meeting.objects.create(
        starts_at=later,
        ends_at=later + timedelta(hours=1),
        cutoff_at=later,
        place="Room 214",
        local_date=timezone.localdate(later),
        status=Meeting.Status.SCHEDULED,
    )
    assert last_meeting_cutoff() == start - timedelta(hours=3)


# --- People: a person's names across their roles -------------------------------------------------


def witness(shooting, author, name: str, person=None) -> Note:
    fields = {"name": name, "contact": "", "relation": "", "account": "", "cooperation": "cooperative"}
    return services.add_note(shooting, author, Note.Kind.WITNESS, fields, person=person)


@pytest.fixture
def orrin(investigator) -> dict:
    """Orrin Halberd was shot (A), is a suspect known as Quillfeather (B) and a witness (C): one
    person. B's and C's victims are other people."""
    shot = make_shooting(investigator, report_number="RB26600001", victims=[{"name": "Orrin Halberd", "age": 26}])
    person = shot.victims.get().person_role.person
    accused = make_shooting(investigator, report_number="RB26600002", victims=[{"name": "Piet Vallance"}])
    fields = {"name": "Orrin Halberd", "aliases": "Quillfeather", "status": "suspect", "basis": "", "text": ""}
    services.add_note(accused, investigator, Note.Kind.SUSPECT, fields, person=person)
    seen = make_shooting(investigator, report_number="RB26600003", victims=[{"name": "Sela Marrow"}])
    witness(seen, investigator, "Orrin Halberd", person=person)
    make_shooting(investigator, report_number="RB26600004", victims=[{"name": "Tobin Saltmarsh"}])
    return {"shot": "RB26600001", "accused": "RB26600002", "seen": "RB26600003"}


@pytest.mark.parametrize("who", ["investigator", "atf_agent", "prosecutor", "coordinator"])
def test_law_enforcement_finds_every_case_of_a_person_by_an_alias(orrin, client_for, request, who):
    client = client_for(request.getfixturevalue(who))

    assert sorted(listed(client, q="quillfeather")) == ["RB26600001", "RB26600002", "RB26600003"]


def test_law_enforcement_finds_a_persons_cases_by_a_misspelt_name(orrin, client_for, investigator):
    client = client_for(investigator)

    assert sorted(listed(client, q="Orin Halbert")) == ["RB26600001", "RB26600002", "RB26600003"]
    # A witness's name was never in the case's own search text.
    assert "RB26600003" in listed(client, q="halberd")


def test_an_advocate_finds_a_person_only_where_they_were_shot(orrin, client_for, advocate):
    client = client_for(advocate)

    assert listed(client, q="Orin Halbert") == ["RB26600001"]
    assert listed(client, q="Orrin Halberd") == ["RB26600001"]
    # The alias is known only from a suspect note: nothing, not even the victim's case.
    assert listed(client, q="quillfeather") == []


def test_a_restricted_notes_alias_finds_nothing_outside_its_agency(client_for, investigator, outsider):
    shot = make_shooting(investigator, report_number="RB26600005", victims=[{"name": "Sabela Crane", "age": 31}])
    person = shot.victims.get().person_role.person
    kept = make_shooting(outsider, report_number="RB26600006", victims=[{"name": "Ivo Penhale"}])
    fields = {"name": "Sabela Crane", "aliases": "Nightjar", "status": "suspect", "basis": "", "text": ""}
    services.add_note(kept, outsider, Note.Kind.SUSPECT, fields, restricted=True, person=person)

    assert listed(client_for(investigator), q="nightjar") == []
    assert listed(client_for(investigator), q="Sabela Crane") == ["RB26600005"]
    assert sorted(listed(client_for(outsider), q="nightjar")) == ["RB26600005", "RB26600006"]


def test_a_word_of_an_address_with_a_first_name_is_not_taken_for_a_misspelt_person(orrin, client_for, investigator):
    make_shooting(
        investigator, report_number="RB26600007", address="4100 Prospect Ave", victims=[{"name": "Orrin Quay"}]
    )

    assert listed(client_for(investigator), q="prospect orrin") == ["RB26600007"]
