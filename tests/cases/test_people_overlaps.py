"""Overlaps as plain functions (cases.people.overlaps): each reader's sentences come from the roles
they may see, and the rule that judges a role held as data agrees with the query filter for
every kind of reader. Every name is fictional."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Note, PersonRole
from cases.people import access, overlaps
from cases.people.services import add_associate
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db


def suspect_fields(name: str) -> dict:
    return {"name": name, "aliases": "", "date_of_birth": None, "approximate_age": 30, "status": "suspect"}


def witness_fields(name: str) -> dict:
    return {"name": name, "contact": "", "relation": "", "account": "", "cooperation": "cooperative"}


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)


@pytest.fixture
def shot_then_accused(investigator):
    """Brannock Hale was shot 40 days ago and is a suspect in this week's shooting."""
    shot = make_shooting(
        investigator, report_number="RB26810001", occurred_from=days_ago(40), victims=[{"name": "Brannock Hale"}]
    )
    person = shot.victims.get().person_role.person
    accused = make_shooting(investigator, report_number="RB26810002", occurred_from=days_ago(2))
    services.add_note(accused, investigator, Note.Kind.SUSPECT, suspect_fields("Brannock Hale"), person=person)
    return shot, accused


def texts(user, shooting) -> list[str]:
    return [line.text for line in overlaps.overlaps_for(user, [shooting.pk]).get(shooting.pk, [])]


def test_law_enforcement_reads_both_ends_of_the_overlap(shot_then_accused, prosecutor):
    shot, accused = shot_then_accused
    when = timezone.localtime(shot.occurred_from)
    assert texts(prosecutor, accused) == [f"Suspect Brannock Hale was shot in RB26810001 ({when.day} {when:%b %Y})"]
    assert texts(prosecutor, shot)[0].startswith("Victim Brannock Hale was a suspect in RB26810002 (")


def test_an_advocate_reads_nothing_of_a_victim_who_became_a_suspect(shot_then_accused, advocate):
    shot, accused = shot_then_accused
    assert texts(advocate, shot) == [] and texts(advocate, accused) == []


def test_a_retracted_note_ends_the_overlap(shot_then_accused, investigator):
    shot, accused = shot_then_accused
    services.retract_note(accused.notes.get(), investigator, "Wrong man")
    assert texts(investigator, shot) == []


def test_a_witness_is_counted_in_the_other_cases_with_each_role(investigator):
    cases = [make_shooting(investigator, occurred_from=days_ago(n)) for n in (30, 20, 10)]
    first = services.add_note(cases[0], investigator, Note.Kind.WITNESS, witness_fields("Ottilie Pask"))
    person = first.person_role.person
    services.add_note(cases[1], investigator, Note.Kind.SUSPECT, suspect_fields("Ottilie Pask"), person=person)
    services.add_note(cases[2], investigator, Note.Kind.WITNESS, witness_fields("Ottilie Pask"), person=person)
    (line,) = overlaps.overlaps_for(investigator, [cases[2].pk])[cases[2].pk]
    assert (
        line.text.startswith(f"Witness Ottilie Pask in 2 other cases: {cases[1].report_number} (suspect, ")
        and f", {cases[0].report_number} (witness, " in line.text
    )
    assert (line.count, line.last_on) == (2, timezone.localdate(cases[1].occurred_from))


def test_a_victim_shot_many_times_is_counted_with_the_last_time(investigator, advocate):
    first = make_shooting(investigator, occurred_from=days_ago(300), victims=[{"name": "Jory Vantreight"}])
    person = first.victims.get().person_role.person
    others = [make_shooting(investigator, occurred_from=days_ago(n), victims=[]) for n in (200, 100, 5)]
    for case in others:
        services.add_victim(case, investigator, {"name": "Jory Vantreight"}, person=person)
    last = timezone.localtime(others[1].occurred_from)
    (line,) = overlaps.overlaps_for(advocate, [others[2].pk])[others[2].pk]
    assert line.text == (
        f"Victim Jory Vantreight was shot before (3 times, last on {last.day} {last:%b %Y} in "
        f"{others[1].report_number})"
    )


def test_one_query_whatever_the_number_of_shootings_and_people(investigator):
    cases = []
    for n in range(8):
        shot = make_shooting(investigator, occurred_from=days_ago(50 + n), victims=[{"name": f"Cal Ormsby {n}"}])
        later = make_shooting(investigator, occurred_from=days_ago(n + 1))
        person = shot.victims.get().person_role.person
        services.add_note(later, investigator, Note.Kind.SUSPECT, suspect_fields(f"Cal Ormsby {n}"), person=person)
        services.add_note(later, investigator, Note.Kind.WITNESS, witness_fields(f"Ida Quell {n}"))
        cases += [shot, later]
    with CaptureQueriesContext(connection) as queries:
        found = overlaps.overlaps_for(investigator, [c.pk for c in cases])
    assert len(queries) == 1
    assert len(found) == 16


# --- The rule held as data agrees with the query filter -----------------------------------------


def test_role_is_visible_agrees_with_roles_visible_to_for_every_reader(
    investigator, atf_agent, prosecutor, advocate, coordinator, supervisor, outsider
):
    people = [investigator, atf_agent, prosecutor, advocate, coordinator, supervisor, outsider]
    shooting = make_shooting(investigator, victims=[{"name": "Wilf Carrow"}])
    person = shooting.victims.get().person_role.person
    for author, (kind, fields), restricted in itertools.product(
        [investigator, atf_agent, outsider],
        [(Note.Kind.SUSPECT, suspect_fields("Wilf Carrow")), (Note.Kind.WITNESS, witness_fields("Wilf Carrow"))],
        [False, True],
    ):
        services.add_note(shooting, author, kind, fields, restricted=restricted, person=person)
    services.retract_note(
        services.add_note(shooting, investigator, Note.Kind.SUSPECT, suspect_fields("Wilf Carrow"), person=person),
        investigator,
        "Entered twice",
    )
    add_associate(shooting, person, investigator, "Drove the car")
    roles = list(PersonRole.objects.select_related("note__author_agency"))
    live = [r for r in roles if r.note is None or r.note.retracted_at is None]
    for viewer in people:
        by_query = set(access.roles_visible_to(viewer).values_list("pk", flat=True))
        by_function = {
            role.pk
            for role in live
            if access.role_is_visible(viewer, kind=role.kind, note=overlaps._fact(_row(role))["note"])
        }
        assert by_query == by_function, viewer.username
    # The readers were told apart: advocates the victim only, each agency its own restricted notes.
    seen = {viewer.username: access.roles_visible_to(viewer).count() for viewer in people}
    assert seen[advocate.username] == 1 and len(set(seen.values())) >= 3


def _row(role: PersonRole) -> dict:
    """The role as role_facts reads it from the database."""
    note = role.note
    return {
        "kind": role.kind,
        "shooting_id": role.shooting_id,
        "shooting__report_number": "",
        "shooting__occurred_from": None,
        "note__kind": note.kind if note else None,
        "note__author_agency_id": note.author_agency_id if note else None,
        "note__author_agency__kind": note.author_agency.kind if note else None,
        "note__restricted_to_agency": note.restricted_to_agency if note else None,
    }
