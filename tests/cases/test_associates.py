"""Recording an associate of a case: someone the meeting connects with a shooting without a note
of their own. Law enforcement and prosecutors look the person up by name (or name a new one)
and say how they are connected; advocates are refused; bad input saves nothing; the associate
shows on the case page, the person page and its chart; a wrong person is unlinked on their page,
and an associate recorded in error is removed from the case with the reason kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from cases.models import Person, PersonChange, PersonRole
from tests.factories import make_shooting

from .test_person_page_chart import person_of, shot, suspect

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def case(investigator):
    return shot(investigator, "RB26700001", 3, "Marek Tolliver")


@pytest.fixture
def known(investigator):
    """Orrin Halberd, shot last month."""
    return person_of(shot(investigator, "RB26700002", 30, "Orrin Halberd"), "Orrin Halberd")


def url(case) -> str:
    return reverse("cases:add_associate", args=[case.pk])


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), PersonRole.objects.count(), PersonChange.objects.count()


def last_audit() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


# --- Who may record ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["investigator", "atf_agent", "prosecutor", "coordinator", "supervisor"])
def test_law_enforcement_reaches_the_form_from_the_case_page(who, case, client, request):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="associates"' in page and url(case) in page
    response = client.get(url(case))
    assert response.status_code == 200
    text = response.content.decode()
    assert '<label for="associate_description">How connected</label>' in text
    assert 'value="new"' in text


def test_an_advocate_is_refused_the_form_and_the_post_and_nothing_is_saved(case, known, advocate, client):
    client.force_login(advocate)
    assert 'id="associates"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert client.get(url(case)).status_code == 404
    row = last_audit()
    assert (row.outcome, row.actor_id, row.object_type) == ("refused", advocate.pk, "associate")
    before = counts()
    response = client.post(url(case), {"person": "new", "new_name": "Ilse Varga", "description": "Cousin"})
    assert response.status_code == 404
    assert counts() == before


def test_a_case_that_does_not_exist_is_refused(investigator, client):
    client.force_login(investigator)
    assert client.get(reverse("cases:add_associate", args=[999999])).status_code == 404


# --- Recording ----------------------------------------------------------------------------------


def test_an_existing_person_found_by_name_is_recorded_with_who_and_how(case, known, investigator, client):
    client.force_login(investigator)
    found = client.get(url(case), {"q": "Halberd"}).content.decode()
    assert f'value="{known.pk}"' in found and "victim in RB26700002" in found
    response = client.post(url(case), {"q": "Halberd", "person": str(known.pk), "description": "Drove the car"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk]) + "#associates"
    role = PersonRole.objects.get(shooting=case, kind=PersonRole.Kind.ASSOCIATE)
    assert (role.person_id, role.name, role.description) == (known.pk, "Orrin Halberd", "Drove the car")
    change = PersonChange.objects.get(role=role)
    assert (change.action, change.changed_by_id) == (PersonChange.Action.CONFIRMED, investigator.pk)
    row = last_audit()
    assert (row.event, row.object_type, row.object_id, row.case_id) == (
        "person.associate",
        "person_role",
        str(role.pk),
        case.pk,
    )
    # On the case page, and on the person page with the chart.
    case_page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Orrin Halberd</a>: Drove the car" in case_page
    person_page = client.get(reverse("cases:person", args=[known.pk])).content.decode()
    assert "Associate</strong> in" in person_page and "RB26700001" in person_page
    chart = person_page[person_page.index('id="link-chart"') :]
    assert "RB26700001" in chart and "Marek Tolliver" in chart


def test_a_new_person_is_recorded_by_name(case, investigator, client):
    client.force_login(investigator)
    before = counts()
    response = client.post(url(case), {"person": "new", "new_name": "  Ilse   Varga ", "description": "Cousin"})
    assert response.status_code == 302
    role = PersonRole.objects.get(shooting=case, kind=PersonRole.Kind.ASSOCIATE)
    assert role.person.name == "Ilse Varga" and role.name == "Ilse Varga"
    # The person, the role, and both decisions (a new person, linked).
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 2)


def test_the_associate_of_a_restricted_notes_person_says_only_the_name_the_recorder_knows(
    investigator, outsider, client
):
    """A person first named in a note restricted to the police: the outsider's own record of them
    as an associate lends nobody the note's aliases."""
    shooting = make_shooting(investigator, victims=[{"name": "Hollis Brantree", "age": 33, "sex": "M"}])
    hollis = person_of(shooting, "Hollis Brantree")
    suspect(make_shooting(investigator), investigator, "Hollis Brantree", aliases="Nightjarrow", person=hollis)
    case = make_shooting(outsider)
    client.force_login(outsider)
    client.post(url(case), {"q": "Brantree", "person": str(hollis.pk), "description": "Was there"})
    role = PersonRole.objects.get(shooting=case, kind=PersonRole.Kind.ASSOCIATE)
    assert role.aliases == "" and "nightjarrow" not in role.search_text


# --- Bad input: a message beside the field, what was typed kept, nothing saved ---------------------


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"person": "new", "new_name": "Ilse Varga", "description": ""}, "description", "Say how this person"),
        ({"person": "new", "new_name": "  ", "description": "Cousin"}, "new_name", "Give the new person"),
        ({"new_name": "Ilse Varga", "description": "Cousin"}, "person", "Choose one of the people found"),
        ({"person": "new", "new_name": "Ilse\u202eVarga", "description": "Cousin"}, "new_name", ""),
        ({"person": "new", "new_name": "Ilse Varga", "description": "x" * 301}, "description", "at most 300"),
    ],
)
def test_bad_input_is_answered_beside_the_field_and_saves_nothing(case, investigator, client, data, field, message):
    client.force_login(investigator)
    before = counts()
    response = client.post(url(case), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert f'id="associate_{field}_error"' in text and message in text
    assert counts() == before
    if data.get("description") == "Cousin":
        assert "Cousin</textarea>" in text


def test_a_person_not_among_those_found_cannot_be_chosen(case, known, investigator, outsider, client):
    # Someone only the police may see (a note restricted to them) is never found by an outsider.
    hidden = suspect(make_shooting(investigator), investigator, "Tamsin Orrery", restricted=True)
    client.force_login(outsider)
    before = counts()
    response = client.post(
        url(case), {"q": "Tamsin Orrery", "person": str(hidden.person_role.person_id), "description": "Was there"}
    )
    assert response.status_code == 200
    assert "not among those found" in response.content.decode()
    assert "Tamsin" not in response.content.decode().replace('value="Tamsin Orrery"', "")
    assert counts() == before


def test_the_same_person_is_not_recorded_twice_as_an_associate_of_one_case(case, known, investigator, client):
    client.force_login(investigator)
    data = {"q": "Halberd", "person": str(known.pk), "description": "Drove the car"}
    assert client.post(url(case), data).status_code == 302
    before = counts()
    response = client.post(url(case), data)
    assert response.status_code == 200
    assert "Already recorded as an associate of this case." in response.content.decode()
    assert counts() == before


# --- Without and with JavaScript ------------------------------------------------------------------


def test_the_search_answers_htmx_with_the_choices_only(case, known, investigator, client):
    client.force_login(investigator)
    response = client.get(url(case), {"q": "Halberd"}, headers=HTMX)
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="associate-who">')
    assert f'value="{known.pk}"' in text and 'name="q"' in text and "<html" not in text


def test_the_form_takes_the_same_queries_however_many_people_are_found(
    case, investigator, client, django_assert_max_num_queries
):
    for n in range(8):
        shot(investigator, f"RB2670010{n}", 10 + n, f"Orrin Halberd {n}")
    client.force_login(investigator)
    # session, user and agency, the case, the roles that match with their shootings, the audit row
    with django_assert_max_num_queries(8):
        response = client.get(url(case), {"q": "Halberd"})
    assert response.content.decode().count('name="person"') == 9


# --- Undo -----------------------------------------------------------------------------------------


def test_a_wrong_person_is_undone_by_the_existing_unlink(case, known, investigator, client):
    client.force_login(investigator)
    client.post(url(case), {"q": "Halberd", "person": str(known.pk), "description": "Drove the car"})
    role = PersonRole.objects.get(shooting=case, kind=PersonRole.Kind.ASSOCIATE)
    page = client.get(reverse("cases:person", args=[known.pk])).content.decode()
    assert reverse("cases:person_unlink", args=[role.pk]) in page
    client.post(reverse("cases:person_unlink", args=[role.pk]), {"reason": "Another Orrin"})
    role.refresh_from_db()
    assert role.person_id != known.pk
    assert f'id="role-{role.pk}"' not in client.get(reverse("cases:person", args=[known.pk])).content.decode()
    assert f'id="role-{role.pk}"' in client.get(reverse("cases:person", args=[role.person_id])).content.decode()


def remove_url(role) -> str:
    return reverse("cases:remove_associate", args=[role.pk])


def test_an_associate_recorded_in_error_is_removed_from_the_case_with_the_reason_kept(case, investigator, client):
    """Even one recorded as a new person, whose page offers no unlink (it has nothing to move)."""
    client.force_login(investigator)
    client.post(url(case), {"person": "new", "new_name": "Ilse Varga", "description": "Cousin"})
    role = PersonRole.objects.get(shooting=case, kind=PersonRole.Kind.ASSOCIATE)
    case_page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert remove_url(role) in case_page
    form = client.get(remove_url(role)).content.decode()
    assert "Remove Ilse Varga as an associate of RB26700001" in form and "“Cousin”" in form
    # No reason: said beside the field, nothing removed.
    refused = client.post(remove_url(role), {"reason": " "}).content.decode()
    assert "Say why, for the record." in refused
    assert PersonRole.objects.filter(pk=role.pk).exists()
    response = client.post(remove_url(role), {"reason": "Confused with her sister"})
    assert response["Location"] == reverse("cases:detail", args=[case.pk]) + "#associates"
    assert not PersonRole.objects.filter(pk=role.pk).exists()
    change = PersonChange.objects.get(action=PersonChange.Action.ASSOCIATE_REMOVED)
    assert (change.person_id, change.changed_by_id) == (role.person_id, investigator.pk)
    assert change.reason == "RB26700001, Cousin: Confused with her sister"
    row = last_audit()
    assert (row.event, row.object_id, row.case_id) == ("person.remove_associate", str(role.pk), case.pk)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Ilse Varga is no longer recorded as an associate of RB26700001." in page
    section = page[page.index('id="associates"') :]
    assert "No associates recorded." in section and "Ilse Varga" not in section


def test_only_those_who_record_associates_remove_them_and_only_associates(case, known, investigator, advocate, client):
    client.force_login(investigator)
    client.post(url(case), {"q": "Halberd", "person": str(known.pk), "description": "Drove the car"})
    role = PersonRole.objects.get(shooting=case, kind=PersonRole.Kind.ASSOCIATE)
    victim_role = PersonRole.objects.get(person=known, kind=PersonRole.Kind.VICTIM)
    # A victim's role follows its victim row: it is never removed this way.
    assert client.post(remove_url(victim_role), {"reason": "No"}).status_code == 404
    client.force_login(advocate)
    assert client.get(remove_url(role)).status_code == 404
    assert client.post(remove_url(role), {"reason": "No"}).status_code == 404
    assert (last_audit().outcome, last_audit().object_type) == ("refused", "associate")
    assert PersonRole.objects.filter(pk__in=[role.pk, victim_role.pk]).count() == 2
