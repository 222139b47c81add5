"""People across shootings: a person's roles, the person page and search as each role, the
suggestions beside the victim and note forms, confirming, undoing, rejecting and merging."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.models import Note, Person, PersonChange, PersonRole
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
BORN = "1999-04-12"


def suspect(shooting, user, name, *, born=BORN, aliases="", restricted=False, person=None):
    fields = {
        "name": name,
        "aliases": aliases,
        "date_of_birth": born,
        "approximate_age": None,
        "status": "suspect",
        "basis": "",
        "text": "",
    }
    return services.add_note(shooting, user, Note.Kind.SUSPECT, fields, restricted=restricted, person=person)


def witness(shooting, user, name, *, person=None):
    fields = {
        "name": name,
        "contact": "",
        "relation": "",
        "account": "",
        "cooperation": "cooperative",
        "intimidation_concern": False,
        "relocation_requested": False,
        "referred_to_advocate": False,
    }
    return services.add_note(shooting, user, Note.Kind.WITNESS, fields, person=person)


@pytest.fixture
def overlap(investigator):
    """Orrin Halberd was shot last month, is a suspect in this week's shooting and a witness in
    another: one person, linked by an investigator who confirmed the matches."""
    shot = make_shooting(
        investigator,
        report_number="RB26500001",
        occurred_from=timezone.now() - timedelta(days=40),
        victims=[{"name": "Orrin Halberd", "age": 26, "sex": "M"}],
    )
    person = shot.victims.get().person_role.person
    accused = make_shooting(
        investigator, report_number="RB26500002", victims=[{"name": "Piet Vallance", "age": 30, "sex": "M"}]
    )
    note = suspect(accused, investigator, "Orrin Halberd", aliases="Quillfeather", person=person)
    seen = make_shooting(
        investigator,
        report_number="RB26500003",
        occurred_from=timezone.now() - timedelta(days=10),
        victims=[{"name": "Sela Marrow", "age": 19, "sex": "F"}],
    )
    witness(seen, investigator, "Orrin Halberd", person=person)
    return {"person": person, "shot": shot, "accused": accused, "seen": seen, "note": note}


def page(client, user, person):
    client.force_login(user)
    return client.get(reverse("cases:person", args=[person.pk]))


# --- The person page, as each role ------------------------------------------------------------


@pytest.mark.parametrize("who", ["investigator", "atf_agent", "prosecutor", "coordinator", "supervisor"])
def test_law_enforcement_sees_every_role_in_date_order(who, overlap, client, request):
    response = page(client, request.getfixturevalue(who), overlap["person"])
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("RB26500001") < text.index("RB26500003") < text.index("RB26500002")
    assert "Suspect</strong> in" in text and "Witness</strong> in" in text and "Victim</strong> in" in text
    assert "Quillfeather" in text


def test_an_advocate_sees_the_person_only_as_a_victim(overlap, advocate, client):
    response = page(client, advocate, overlap["person"])
    text = response.content.decode()
    assert response.status_code == 200
    assert "RB26500001" in text
    for hidden in ["RB26500002", "RB26500003", "Suspect", "Witness", "Quillfeather", "Possibly the same", BORN]:
        assert hidden not in text


def test_an_advocate_asking_for_a_suspects_page_gets_a_refusal_on_record(investigator, advocate, client):
    note = suspect(make_shooting(investigator), investigator, "Garrick Stonebridge")
    response = page(client, advocate, note.person_role.person)
    assert response.status_code == 404
    row = AuditEvent.objects.order_by("-id").first()
    assert (row.outcome, row.actor_id, row.object_type) == ("refused", advocate.pk, "person")
    assert "Stonebridge" not in response.content.decode()


def test_a_restricted_note_keeps_its_person_role_inside_its_agency(investigator, outsider, coordinator, client):
    shooting = make_shooting(investigator, victims=[{"name": "Hollis Brantree", "age": 33, "sex": "M"}])
    person = shooting.victims.get().person_role.person
    other = make_shooting(investigator, report_number="RB26500009")
    suspect(other, investigator, "Hollis Brantree", aliases="Nightjarrow", restricted=True, person=person)
    outside = page(client, outsider, person).content.decode()
    assert "RB26500009" not in outside and "Nightjarrow" not in outside and "Suspect" not in outside
    inside = page(client, coordinator, person).content.decode()
    assert "RB26500009" in inside and "Nightjarrow" in inside


def test_a_restricted_notes_own_person_is_refused_outside_its_agency(investigator, outsider, client):
    note = suspect(make_shooting(investigator), investigator, "Tamsin Orrery", restricted=True)
    assert page(client, outsider, note.person_role.person).status_code == 404


def test_a_retracted_notes_role_leaves_the_person_page(overlap, investigator, client):
    services.retract_note(overlap["note"], investigator, "Wrong person")
    assert "RB26500002" not in page(client, investigator, overlap["person"]).content.decode()


def test_the_person_page_takes_the_same_queries_however_many_roles(
    overlap, investigator, client, django_assert_max_num_queries
):
    for _n in range(6):
        witness(make_shooting(investigator), investigator, "Orrin Halberd", person=overlap["person"])
    client.force_login(investigator)
    # session, user and agency, the person, the roles with their shootings, per compared name the
    # rejected pairs and the similar roles (three names at most), the history, the open action
    # items, the link chart's two steps, the audit row
    with django_assert_max_num_queries(19):
        response = client.get(reverse("cases:person", args=[overlap["person"].pk]))
    assert response.content.decode().count("Witness</strong> in") == 7


def test_the_victims_on_a_case_page_lead_to_their_person(overlap, advocate, client):
    client.force_login(advocate)
    text = client.get(reverse("cases:detail", args=[overlap["shot"].pk])).content.decode()
    assert reverse("cases:person", args=[overlap["person"].pk]) in text
    assert "Quillfeather" not in text and "RB26500002" not in text


# --- Search -------------------------------------------------------------------------------------


def search(client, user, q, **headers):
    client.force_login(user)
    return client.get(reverse("cases:people"), {"q": q}, headers=headers)


def test_search_finds_a_person_by_a_misspelt_name_and_by_alias(overlap, investigator, client):
    assert "RB26500002" in search(client, investigator, "Orin Halbert").content.decode()
    assert "RB26500002" in search(client, investigator, "quilfeather").content.decode()
    assert "RB26500002" in search(client, investigator, "Halberd").content.decode()


def test_an_advocate_never_finds_a_victim_by_their_suspect_alias_nor_learns_their_other_roles(
    overlap, advocate, client
):
    assert "Orrin Halberd" not in search(client, advocate, "Quillfeather").content.decode()
    found = search(client, advocate, "Orrin Halberd").content.decode()
    assert "RB26500001" in found
    assert "RB26500002" not in found and "RB26500003" not in found and "suspect" not in found


def test_search_answers_htmx_with_its_results_only(overlap, investigator, client):
    text = search(client, investigator, "Halberd", **HTMX).content.decode()
    assert 'id="people-results"' in text and "<html" not in text


def test_search_takes_the_same_queries_however_many_people_match(
    overlap, investigator, client, django_assert_max_num_queries
):
    for n in range(8):
        make_shooting(investigator, victims=[{"name": f"Orrin Halberd {n}", "age": 20, "sex": "M"}])
    client.force_login(investigator)
    # session, user and agency, the roles with their shootings, the audit row
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:people"), {"q": "Orrin Halberd"})
    assert response.content.decode().count("victim in") >= 9


# --- Suggestions beside the forms ---------------------------------------------------------------


def suggestions(client, user, **params):
    client.force_login(user)
    return client.get(reverse("cases:person_matches"), params, headers=HTMX)


def test_suggestions_offer_a_similar_name_with_its_cases(overlap, investigator, client):
    text = suggestions(client, investigator, name="Orrin Halbred", date_of_birth=BORN).content.decode()
    assert f'value="{overlap["person"].pk}"' in text and "same date of birth" in text


def test_suggestions_take_the_same_queries_however_many_people_match(
    overlap, investigator, client, django_assert_max_num_queries
):
    for n in range(8):
        make_shooting(investigator, victims=[{"name": f"Orrin Halberd {n}", "age": 26, "sex": "M"}])
    client.force_login(investigator)
    # session, user and agency, the similar roles with their shootings, the audit row
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:person_matches"), {"name": "Orrin Halberd"}, headers=HTMX)
    assert response.content.decode().count('type="radio"') == 7


def test_suggestions_leave_out_a_person_whose_date_of_birth_differs(overlap, investigator, client):
    text = suggestions(client, investigator, name="Orrin Halberd", date_of_birth="1970-01-01").content.decode()
    # The victim role gives an age that does not fit a 1970 birth, the note another date.
    assert f'value="{overlap["person"].pk}"' not in text


def test_suggestions_asked_for_as_a_page_are_a_page_of_their_own(overlap, investigator, advocate, client):
    client.force_login(investigator)
    text = client.get(reverse("cases:person_matches"), {"name": "Orrin Halberd"}).content.decode()
    assert "<h1>Possible matches</h1>" in text and "RB26500002" in text
    client.force_login(advocate)
    assert client.get(reverse("cases:person_matches"), {"name": "Orrin Halberd"}).status_code == 404


def test_an_advocate_gets_no_suggestions_and_the_refusal_is_on_record(overlap, advocate, client):
    response = suggestions(client, advocate, name="Orrin Halberd")
    assert response.status_code == 404 and "Halberd" not in response.content.decode()
    assert AuditEvent.objects.order_by("-id").first().outcome == "refused"


def test_confirming_a_match_on_a_suspect_note_links_it_and_keeps_who(overlap, coordinator, client):
    client.force_login(coordinator)
    shooting = make_shooting(coordinator)
    data = {"name": "Orrin Halberd", "status": "suspect", "same_person": overlap["person"].pk}
    client.post(reverse("cases:add_note", args=[shooting.pk, "suspect"]), data)
    role = PersonRole.objects.get(shooting=shooting, kind="suspect")
    assert role.person == overlap["person"]
    change = role.changes.get()
    assert (change.action, change.changed_by) == (PersonChange.Action.CONFIRMED, coordinator)


def test_without_a_choice_a_new_note_gets_a_person_of_its_own(overlap, investigator, client):
    client.force_login(investigator)
    shooting = make_shooting(investigator)
    client.post(
        reverse("cases:add_note", args=[shooting.pk, "witness"]),
        {"name": "Orrin Halberd", "cooperation": "cooperative"},
    )
    assert PersonRole.objects.get(shooting=shooting, kind="witness").person != overlap["person"]


def test_looking_for_a_person_without_javascript_saves_nothing_and_shows_the_matches(overlap, investigator, client):
    client.force_login(investigator)
    shooting = make_shooting(investigator)
    before = Note.objects.count()
    response = client.post(
        reverse("cases:add_note", args=[shooting.pk, "suspect"]),
        {"name": "Orrin Halberd", "status": "suspect", "find_person": "1"},
    )
    assert Note.objects.count() == before
    assert f'value="{overlap["person"].pk}"' in response.content.decode()


def test_the_victim_form_confirms_a_match_too(overlap, investigator, client):
    client.force_login(investigator)
    shooting = make_shooting(investigator)
    data = {"name": "Orrin Halberd", "age": "26", "sex": "M", "injury": "nonfatal"}
    looked = client.post(reverse("cases:add_victim", args=[shooting.pk]), {**data, "find_person": "1"})
    assert f'value="{overlap["person"].pk}"' in looked.content.decode()
    client.post(reverse("cases:add_victim", args=[shooting.pk]), {**data, "same_person": overlap["person"].pk})
    assert shooting.victims.get(name="Orrin Halberd").person_role.person == overlap["person"]


def test_a_person_the_user_may_not_see_cannot_be_chosen(investigator, outsider, client):
    hidden = suspect(make_shooting(investigator), investigator, "Tamsin Orrery", restricted=True).person_role.person
    client.force_login(outsider)
    shooting = make_shooting(outsider)
    response = client.post(
        reverse("cases:add_note", args=[shooting.pk, "suspect"]),
        {"name": "Tamsin Orrery", "status": "suspect", "same_person": hidden.pk},
    )
    assert response.status_code == 404 and not shooting.notes.exists()


# --- Other records that may be the same person, on the person page --------------------------------


def possible(client, person, **headers):
    return client.get(reverse("cases:person_possible_matches", args=[person.pk]), headers=headers or HTMX)


def test_the_person_page_loads_other_records_like_this_one_after_it_and_links_them_without_javascript(
    investigator, client
):
    a = make_shooting(investigator, victims=[{"name": "Bram Eskdale", "age": 22, "sex": "M"}])
    b = make_shooting(investigator, victims=[{"name": "Bram Eskdaile", "age": 22, "sex": "M"}])
    this, other = (s.victims.get().person_role.person for s in (a, b))
    client.force_login(investigator)
    url = reverse("cases:person_possible_matches", args=[this.pk])
    page = client.get(reverse("cases:person", args=[this.pk])).content.decode()
    assert f'hx-get="{url}" hx-trigger="load"' in page and f'<a href="{url}">' in page
    assert b.report_number not in page
    fragment = possible(client, this).content.decode()
    assert "<html" not in fragment and b.report_number in fragment and f'value="{other.pk}"' in fragment
    assert "(similar name)" in fragment
    # The report numbers it names are recorded as shown, as on every page that names cases.
    row = AuditEvent.objects.order_by("-id").first()
    assert set(row.shown_cases.values_list("case_id", flat=True)) == {b.pk}
    whole = client.get(url).content.decode()
    assert f"<h1>Possibly the same person as record {this.pk}</h1>" in whole and b.report_number in whole


def test_other_records_like_this_one_are_for_those_who_link_people(overlap, advocate, client):
    client.force_login(advocate)
    assert possible(client, overlap["person"]).status_code == 404
    row = AuditEvent.objects.order_by("-id").first()
    assert (row.outcome, row.object_type) == ("refused", "person link")


def test_other_records_like_this_one_take_the_same_queries_however_many_there_are(
    investigator, client, django_assert_max_num_queries
):
    this = make_shooting(investigator, victims=[{"name": "Bram Eskdale", "age": 22, "sex": "M"}])
    for _ in range(8):
        make_shooting(investigator, victims=[{"name": "Bram Eskdale", "age": 22, "sex": "M"}])
    client.force_login(investigator)
    person = this.victims.get().person_role.person
    # session, user and agency, this record's roles, pairs once rejected, the similar roles
    # with their shootings, the audit row and its cases
    with django_assert_max_num_queries(10):
        response = possible(client, person)
    assert response.content.decode().count("Not the same person") == 6


# --- Undo, reject, merge -----------------------------------------------------------------------


def test_a_wrong_link_is_undone_with_who_and_why_and_not_suggested_again(overlap, investigator, client):
    client.force_login(investigator)
    role = overlap["note"].person_role
    client.post(reverse("cases:person_unlink", args=[role.pk]), {"reason": "Different middle name"})
    role.refresh_from_db()
    assert role.person != overlap["person"]
    change = PersonChange.objects.get(action=PersonChange.Action.UNLINKED)
    assert (change.changed_by, change.reason) == (investigator, "Different middle name")
    text = possible(client, overlap["person"]).content.decode()
    assert f'value="{role.person_id}"' not in text and "RB26500002" not in text


def test_an_advocate_cannot_undo_a_link(overlap, advocate, client):
    client.force_login(advocate)
    role = overlap["shot"].victims.get().person_role
    response = client.post(reverse("cases:person_unlink", args=[role.pk]), {"reason": "x"})
    assert response.status_code == 404
    role.refresh_from_db()
    assert role.person == overlap["person"]


def test_a_supervisor_merges_two_records_and_undoes_the_merge(investigator, supervisor, client):
    a = make_shooting(investigator, victims=[{"name": "Bram Eskdale", "age": 22, "sex": "M"}])
    b = make_shooting(investigator, victims=[{"name": "Bram Eskdale", "age": 22, "sex": "M"}])
    keep, gone = (s.victims.get().person_role.person for s in (a, b))
    client.force_login(supervisor)
    assert "Merge into this record" in possible(client, keep).content.decode()
    client.post(reverse("cases:person_merge", args=[keep.pk]), {"other": gone.pk})
    assert PersonRole.objects.filter(person=keep).count() == 2
    assert client.get(reverse("cases:person", args=[gone.pk])).status_code == 404
    client.post(reverse("cases:person_unmerge", args=[gone.pk]))
    assert PersonRole.objects.filter(person=keep).count() == 1
    assert PersonRole.objects.filter(person=gone).count() == 1
    actions = set(PersonChange.objects.values_list("action", flat=True))
    assert {PersonChange.Action.MERGED, PersonChange.Action.MERGE_UNDONE} <= actions


def test_only_a_supervisor_may_merge(investigator, client):
    a = make_shooting(investigator, victims=[{"name": "Bram Eskdale", "age": 22, "sex": "M"}])
    b = make_shooting(investigator, victims=[{"name": "Bram Eskdale", "age": 22, "sex": "M"}])
    keep, gone = (s.victims.get().person_role.person for s in (a, b))
    client.force_login(investigator)
    assert client.post(reverse("cases:person_merge", args=[keep.pk]), {"other": gone.pk}).status_code == 404
    assert Person.objects.get(pk=gone.pk).merged_into is None


def test_a_rejected_pair_is_not_suggested_again(investigator, client):
    a = make_shooting(investigator, victims=[{"name": "Bram Eskdale", "age": 22, "sex": "M"}])
    b = make_shooting(investigator, victims=[{"name": "Bram Eskdale", "age": 22, "sex": "M"}])
    keep, gone = (s.victims.get().person_role.person for s in (a, b))
    client.force_login(investigator)
    client.post(reverse("cases:person_reject", args=[keep.pk]), {"other": gone.pk})
    text = possible(client, keep).content.decode()
    assert f'value="{gone.pk}"' not in text and "No other record looks like this person" in text


# --- The migration's conservative linking -------------------------------------------------------


def test_the_migration_links_only_exact_name_and_date_of_birth(investigator):
    migration = import_module("cases.migrations.0006_link_people")
    first = suspect(make_shooting(investigator), investigator, "Corin Ashgrove")
    same = witness(make_shooting(investigator), investigator, "corin  ashgrove")
    same.fields["date_of_birth"] = BORN
    same.save()
    other_day = suspect(make_shooting(investigator), investigator, "Corin Ashgrove", born="1999-04-13")
    no_birth = suspect(make_shooting(investigator), investigator, "Corin Ashgrove", born=None)
    victim_shooting = make_shooting(investigator, victims=[{"name": "Corin Ashgrove", "age": 27, "sex": "M"}])
    PersonChange.objects.all().delete()
    PersonRole.objects.all().delete()
    Person.objects.all().delete()
    migration.link_people(apps, None)
    person = {n.pk: PersonRole.objects.get(note=n).person_id for n in [first, same, other_day, no_birth]}
    victim_person = victim_shooting.victims.get().person_role.person_id
    assert person[first.pk] == person[same.pk]
    assert len({person[first.pk], person[other_day.pk], person[no_birth.pk], victim_person}) == 4
    assert PersonChange.objects.get().action == PersonChange.Action.LINKED_ON_MIGRATION


def test_a_revised_note_changes_what_its_role_says(overlap, investigator):
    note = overlap["note"]
    services.revise_note(note, investigator, {**note.fields, "aliases": "Marshwren"}, restricted=False)
    assert PersonRole.objects.get(note=note).aliases == "Marshwren"


def test_age_moves_on_from_an_approximate_age():
    role = PersonRole(approximate_age=20, created_at=timezone.make_aware(dt.datetime(2020, 6, 1)))
    assert role.age_on(dt.date(2024, 6, 1)) == 24
