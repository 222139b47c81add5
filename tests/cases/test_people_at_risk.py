"""People at risk of retaliation: who is at risk, what counts as a contact, what each role sees
of the follow-up (an advocate never learns that a victim was a suspect, nor who is an
associate), the form, corrections, and the cost of the pages."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from cases import services
from cases.models import Note, Person, PersonRole, RiskContact, Shooting
from cases.people import risk, risk_services
from cases.people import services as people_services
from tests.factories import AgencyFactory, UserFactory, make_shooting
from tests.field_errors import field_errors

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
VICTIM = "Ezekiel Brannigan-Moss"
ASSOCIATE = "Corwin Ashdown-Peale"
LAW_NOTE = "Told him the unit knows about the threat"
LAW_WITH = "his grandmother Odile"
ADVOCATE_NOTE = "Safety plan drafted with the family"
EARLIER = "RB26700002"


def suspect_fields(name: str) -> dict:
    return {"name": name, "aliases": "", "date_of_birth": None, "approximate_age": None, "status": "suspect"}


@pytest.fixture
def world(investigator):
    """Ezekiel was shot five days ago in a shooting flagged as a retaliation risk; his brother
    Corwin is recorded as an associate of it. Two months ago Ezekiel was a suspect in another."""
    shot = make_shooting(
        investigator,
        report_number="RB26700001",
        occurred_from=timezone.now() - timedelta(days=5),
        is_retaliation_risk=True,
        lead_investigator=investigator,
        victims=[{"name": VICTIM, "age": 23, "sex": "M"}],
    )
    victim_role = PersonRole.objects.get(shooting=shot, kind=PersonRole.Kind.VICTIM)
    earlier = make_shooting(
        investigator,
        report_number=EARLIER,
        occurred_from=timezone.now() - timedelta(days=60),
        victims=[{"name": "Marisol Quenby", "age": 31, "sex": "F"}],
    )
    services.add_note(earlier, investigator, Note.Kind.SUSPECT, suspect_fields(VICTIM), person=victim_role.person)
    brother = Person.objects.create(name=ASSOCIATE)
    associate_role = people_services.add_associate(shot, brother, investigator, "Brother, named in threats online")
    return SimpleNamespace(
        shot=shot,
        earlier=earlier,
        victim=victim_role.person,
        victim_role=victim_role,
        brother=brother,
        associate_role=associate_role,
    )


def contact(role, user, **values) -> RiskContact:
    data = {
        "kind": RiskContact.Kind.NOTIFICATION,
        "contacted_on": timezone.localdate(),
        "with_whom": "the person",
        "outcome": RiskContact.Outcome.REACHED_NOTIFIED,
        "note": "",
        **values,
    }
    return risk_services.record_contact(role, user, data)


def waiting_names() -> set[str]:
    return set(risk.awaiting_contact().values_list("name", flat=True))


def form_data(shooting, **values) -> dict:
    return {
        "shooting": shooting.pk,
        "kind": "notification",
        "contacted_on": timezone.localdate().isoformat(),
        "with_whom": "the person",
        "outcome": "reached_notified",
        "note": "",
        **values,
    }


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Who is at risk, and what counts as a contact ----------------------------------------------


def test_a_victim_or_associate_of_an_open_flagged_shooting_is_at_risk_and_nobody_else(world):
    # Marisol, the victim of the earlier shooting (not flagged), and Ezekiel as a suspect are not.
    assert waiting_names() == {VICTIM, ASSOCIATE}

    Shooting.objects.filter(pk=world.shot.pk).update(status=Shooting.Status.CLEARED_ARREST)
    assert waiting_names() == set()
    Shooting.objects.filter(pk=world.shot.pk).update(status=Shooting.Status.OPEN, is_retaliation_risk=False)
    assert waiting_names() == set()


def test_an_attempt_that_reached_no_one_is_no_contact_and_a_reached_one_is(world, investigator):
    contact(world.victim_role, investigator, kind="attempt", outcome=RiskContact.Outcome.NOT_REACHED)
    contact(world.victim_role, investigator, kind="attempt", outcome=RiskContact.Outcome.MESSAGE_LEFT)
    assert waiting_names() == {VICTIM, ASSOCIATE}

    contact(world.victim_role, investigator, kind="attempt", outcome=RiskContact.Outcome.REACHED_DECLINED)
    assert waiting_names() == {ASSOCIATE}
    contact(world.associate_role, investigator, outcome=RiskContact.Outcome.REACHED_NOTIFIED)
    assert waiting_names() == set()
    assert risk.shootings_awaiting_contact().count() == 0


def test_a_withdrawn_contact_no_longer_counts_and_the_first_record_stays(world, investigator):
    first = contact(world.victim_role, investigator)
    assert VICTIM not in waiting_names()

    data = {k: getattr(first, k) for k in risk_services.FIELDS} | {"note": "Recorded on the wrong person"}
    withdrawal = risk_services.correct_contact(first, investigator, data, withdraw=True)

    assert VICTIM in waiting_names()
    assert RiskContact.objects.filter(pk=first.pk).exists() and withdrawal.replaces_id == first.pk
    with pytest.raises(risk_services.AlreadyCorrected):
        risk_services.correct_contact(first, investigator, data)


def test_a_contact_stays_with_the_person_through_a_merge(world, investigator, supervisor):
    contact(world.victim_role, investigator)
    again = Person.objects.create(name="E. Brannigan")
    people_services.merge_people(again, world.victim, supervisor)
    assert waiting_names() == {ASSOCIATE}
    assert [e.person_id for e in risk.people_at_risk(investigator) if e.name == VICTIM] == [again.pk]


def test_an_associate_removed_as_recorded_in_error_keeps_the_contact_but_is_no_longer_at_risk(world, investigator):
    kept = contact(world.associate_role, investigator, note=LAW_NOTE)
    people_services.remove_associate(world.associate_role, investigator, "Another Corwin, wrong case")

    kept.refresh_from_db()
    assert (kept.role, kept.person, kept.note) == (None, world.brother, LAW_NOTE)
    assert waiting_names() == {VICTIM}
    assert [e.name for e in risk.people_at_risk(investigator)] == [VICTIM]


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["investigator", "prosecutor", "atf_agent", "coordinator"])
def test_law_enforcement_sees_victims_and_associates_at_risk(world, client_for, persona, request):
    page = html(client_for(request.getfixturevalue(persona)).get(reverse("cases:people_at_risk")))
    assert VICTIM in page and ASSOCIATE in page and "(associate)" in page
    assert page.count("No contact yet") == 2


def test_an_advocate_sees_the_victim_at_risk_only_and_never_a_suspect_role(world, client_for, advocate):
    client = client_for(advocate)
    listing = html(client.get(reverse("cases:people_at_risk")))
    assert VICTIM in listing
    assert ASSOCIATE not in listing and "associate" not in listing.lower()

    person_page = html(client.get(reverse("cases:person", args=[world.victim.pk])))
    assert "Risk follow-up" in person_page
    assert "Suspect" not in person_page and EARLIER not in person_page
    assert client.get(reverse("cases:person", args=[world.brother.pk])).status_code == 404


def test_a_partner_of_another_kind_sees_no_follow_up(world, client_for):
    partner = UserFactory(
        username="cp_wendell",
        agency=AgencyFactory(code="RBCP", name="Riverbend Community Partners", kind=Agency.Kind.OTHER),
        role=User.Role.COORDINATOR,
    )
    client = client_for(partner)
    assert client.get(reverse("cases:people_at_risk")).status_code == 404
    assert (
        client.post(reverse("cases:person_risk_contact", args=[world.victim.pk]), form_data(world.shot)).status_code
        == 404
    )
    assert not RiskContact.objects.exists()


def test_each_side_sees_the_others_contacts_only_as_a_fact_a_date_and_an_agency(
    world, client_for, investigator, advocate
):
    contact(world.victim_role, investigator, with_whom=LAW_WITH, note=LAW_NOTE)
    contact(
        world.victim_role,
        advocate,
        kind=RiskContact.Kind.OUTREACH,
        with_whom="the person",
        outcome=RiskContact.Outcome.NOT_REACHED,
        note=ADVOCATE_NOTE,
    )
    url = reverse("cases:person", args=[world.victim.pk])

    as_advocate = html(client_for(advocate).get(url))
    assert "Contact made (Riverbend Metropolitan Police Department)" in as_advocate
    assert LAW_NOTE not in as_advocate and LAW_WITH not in as_advocate and "Custom notification" not in as_advocate
    assert ADVOCATE_NOTE in as_advocate

    as_investigator = html(client_for(investigator).get(url))
    assert LAW_NOTE in as_investigator and LAW_WITH in as_investigator
    assert ADVOCATE_NOTE not in as_investigator
    assert "Attempt, no contact (Harbor Light Advocacy Center)" in as_investigator


# --- Recording ------------------------------------------------------------------------------------


def test_recording_a_custom_notification_without_javascript(world, client_for, investigator):
    url = reverse("cases:person_risk_contact", args=[world.victim.pk])
    response = client_for(investigator).post(url, form_data(world.shot, with_whom=LAW_WITH, note=LAW_NOTE))

    assert response.status_code == 302 and response["Location"].endswith("#risk-follow-up")
    saved = RiskContact.objects.get()
    assert (saved.role, saved.shooting, saved.kind, saved.with_whom) == (
        world.victim_role,
        world.shot,
        "notification",
        LAW_WITH,
    )
    assert (saved.recorded_by, saved.agency_name) == (investigator, "Riverbend Metropolitan Police Department")
    assert waiting_names() == {ASSOCIATE}


def test_recording_with_htmx_swaps_the_section_and_says_so(world, client_for, investigator):
    url = reverse("cases:person_risk_contact", args=[world.victim.pk])
    page = html(client_for(investigator).post(url, form_data(world.shot), headers=HTMX))
    assert page.lstrip().startswith('<section class="card risk-follow-up"')
    assert "Contact made" in page and "Custom notification of" in page and 'hx-swap-oob="innerHTML"' in page


@pytest.mark.parametrize(
    ("day", "error"),
    [
        (timedelta(days=1), "The date cannot be in the future."),
        (timedelta(days=-6), "The date cannot be before the shooting"),
    ],
)
def test_a_date_in_the_future_or_before_the_shooting_is_refused_beside_the_field(
    world, client_for, investigator, day, error
):
    url = reverse("cases:person_risk_contact", args=[world.victim.pk])
    typed = form_data(world.shot, contacted_on=(timezone.localdate() + day).isoformat(), with_whom=LAW_WITH)
    page = html(client_for(investigator).post(url, typed))
    assert error in field_errors(page, "risk-contacted_on")
    assert LAW_WITH in page  # what was typed is kept
    assert not RiskContact.objects.exists()


def test_an_advocate_records_outreach_but_no_custom_notification_and_nothing_for_an_associate(
    world, client_for, advocate
):
    client = client_for(advocate)
    url = reverse("cases:person_risk_contact", args=[world.victim.pk])
    refused = html(client.post(url, form_data(world.shot, kind="notification")))
    assert "Select a valid choice" in refused and not RiskContact.objects.exists()

    assert client.post(url, form_data(world.shot, kind="outreach")).status_code == 302
    assert RiskContact.objects.get().kind == RiskContact.Kind.OUTREACH

    brother = reverse("cases:person_risk_contact", args=[world.brother.pk])
    assert client.post(brother, form_data(world.shot, kind="outreach")).status_code == 404
    assert RiskContact.objects.count() == 1


def test_a_person_not_at_risk_gets_no_contact(world, client_for, investigator):
    marisol = PersonRole.objects.get(shooting=world.earlier, kind=PersonRole.Kind.VICTIM).person
    url = reverse("cases:person_risk_contact", args=[marisol.pk])
    assert client_for(investigator).post(url, form_data(world.earlier)).status_code == 404
    page = html(client_for(investigator).get(reverse("cases:person", args=[marisol.pk])))
    assert "Risk follow-up" not in page


def test_only_the_recorder_or_a_supervisor_of_their_agency_corrects_a_contact(
    world, client_for, investigator, atf_agent, supervisor
):
    first = contact(world.victim_role, investigator)
    url = reverse("cases:risk_contact_correct", args=[first.pk])
    assert client_for(atf_agent).get(url).status_code == 404

    typed = form_data(world.shot, outcome="not_reached", note="It was his cousin who answered")
    assert client_for(supervisor).post(url, typed).status_code == 302
    assert VICTIM in waiting_names()
    correction = RiskContact.objects.get(replaces=first)
    assert correction.recorded_by == supervisor and correction.outcome == "not_reached"
    # The row in force is the correction: the first can no longer be corrected.
    assert client_for(investigator).get(url).status_code == 404


def test_withdrawing_needs_a_reason_in_the_note(world, client_for, investigator):
    first = contact(world.victim_role, investigator)
    url = reverse("cases:risk_contact_correct", args=[first.pk])
    page = html(client_for(investigator).post(url, form_data(world.shot, withdraw="on")))
    assert "Say in the note why the record is withdrawn." in page
    assert RiskContact.objects.count() == 1


# --- Cost ----------------------------------------------------------------------------------------


def test_the_list_costs_the_same_with_more_people_at_risk(
    world, client_for, investigator, django_assert_max_num_queries
):
    client = client_for(investigator)
    for n in range(6):
        shot = make_shooting(investigator, is_retaliation_risk=True, victims=[{"name": f"Ansel Pryor {n}", "age": 20}])
        contact(PersonRole.objects.get(shooting=shot), investigator)
    # Session, user, the roles with their shootings, the contacts with their agencies; the audit
    # row (on PostgreSQL the chain's lock, then the chain head, the row, the cases shown).
    with django_assert_max_num_queries(8):
        page = html(client.get(reverse("cases:people_at_risk")))
    assert page.count("Custom notification, reached and notified") == 6 and page.count("No contact yet") == 2


def test_the_person_page_follow_up_costs_two_queries(world, investigator, django_assert_num_queries):
    for _ in range(5):
        contact(world.victim_role, investigator)
    # The person's at-risk roles with their shootings; the contacts with their agencies.
    with django_assert_num_queries(2):
        entries = risk.people_at_risk(investigator, person=world.victim)
    assert len(entries[0].contacts) == 5
