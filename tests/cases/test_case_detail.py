"""The case detail page: what each role sees of a case, the timeline filter, indicators, inline
edits of status and flags, victims and manual links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from cases import services
from cases.detail import TIMELINE_PAGE, case_view
from cases.models import NibinLead, Note, Shooting, ShootingChange, Victim
from tests.factories import AgencyFactory, UserFactory, make_shooting

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}

SUSPECT = "Tobin Quarrier"
WITNESS = "Wren Ashdown"
WITNESS_PHONE = "816-555-0142"
PURCHASER = "Ezra Pellham"
DEALER = "Brackenridge Arms and Tackle"
SAFETY_PLAN = "Staying with her aunt on Corliss Avenue"
INFORMANT = "Cosmo Hadderly"
CANVASS = "Canvass of the 1800 block found two cameras"
FAMILY = "Family asked to meet the detective"


def add(shooting, user, kind, restricted=False, **fields):
    return services.add_note(shooting, user, kind, fields, restricted=restricted)


@pytest.fixture
def case(investigator, atf_agent, advocate):
    """A case with one note of every kind, from the agencies that write them."""
    shooting = make_shooting(investigator, victims=[{"name": "Avery Lindqvist", "age": 24, "sex": "M"}])
    add(shooting, investigator, Note.Kind.SUSPECT, name=SUSPECT, aliases="T-Bone", status="suspect")
    add(
        shooting,
        investigator,
        Note.Kind.WITNESS,
        name=WITNESS,
        contact=WITNESS_PHONE,
        cooperation="reluctant",
        intimidation_concern=True,
        relocation_requested=False,
        referred_to_advocate=True,
    )
    add(
        shooting,
        atf_agent,
        Note.Kind.FIREARM,
        recovered=True,
        make="Hi-Point",
        model="C9",
        caliber="9mm",
        serial_number="P1234567",
        nibin_leads=["RB-2026-0007"],
        purchaser=PURCHASER,
        dealer=DEALER,
        time_to_crime_days=210,
        text="Bought four pistols the same week.",
    )
    add(
        shooting,
        advocate,
        Note.Kind.VICTIM_SERVICES,
        victim=shooting.victims.get().pk,
        service_agency="Northgate Family Services",
        referral_status="engaged",
        text=SAFETY_PLAN,
    )
    add(shooting, investigator, Note.Kind.GENERAL, restricted=True, text=f"Informant {INFORMANT} named the shooter.")
    add(shooting, investigator, Note.Kind.GENERAL, text=CANVASS)
    add(shooting, advocate, Note.Kind.GENERAL, text=FAMILY)
    return shooting


def page(client_for, user, shooting, query: str = "") -> str:
    response = client_for(user).get(f"/cases/{shooting.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


# --- What each role sees ----------------------------------------------------------------------


def test_investigator_sees_suspect_witness_identity_and_the_full_trace(client_for, investigator, case):
    html = page(client_for, investigator, case)
    for text in [SUSPECT, WITNESS, WITNESS_PHONE, PURCHASER, DEALER, INFORMANT, CANVASS, FAMILY]:
        assert text in html, text
    assert "Restricted to Riverbend Metropolitan Police Department" in html


def test_advocate_sees_no_suspect_no_witness_identity_and_no_purchaser_or_dealer(client_for, advocate, case):
    html = page(client_for, advocate, case)
    for secret in [SUSPECT, "T-Bone", WITNESS, WITNESS_PHONE, PURCHASER, DEALER, "four pistols", INFORMANT, CANVASS]:
        assert secret not in html, secret
    assert 'class="note note-suspect' not in html


def test_advocate_sees_the_witness_safety_flags_and_victim_services(client_for, advocate, case):
    html = page(client_for, advocate, case)
    assert "Intimidation or safety concern" in html
    assert "Relocation or protection requested" not in html  # an unticked box is left out
    assert 'data-indicator="intimidation"' in html
    assert SAFETY_PLAN in html
    assert "Northgate Family Services" in html
    assert FAMILY in html
    assert "Hi-Point" in html  # the gun itself, without who bought it
    assert "Some fields of this note are not shown to your agency." in html


def test_police_do_not_see_the_advocacy_centers_victim_services_note_but_see_the_referral_status(
    client_for, investigator, prosecutor, case
):
    for user in (investigator, prosecutor):
        html = page(client_for, user, case)
        assert SAFETY_PLAN not in html
        assert "Northgate Family Services" not in html
        assert "Engaged" in html  # the status flows back to the victim record


def test_another_advocacy_agency_sees_the_victim_services_note(client_for, case):
    other_center = AgencyFactory(code="SSVA", name="Safe Shores Victim Advocates", kind=Agency.Kind.VICTIM_ADVOCACY)
    other_advocate = UserFactory(agency=other_center, role=User.Role.VICTIM_ADVOCATE)
    html = page(client_for, other_advocate, case)
    assert SAFETY_PLAN in html
    assert WITNESS not in html


def test_restricted_note_is_seen_only_within_the_authors_agency(client_for, supervisor, atf_agent, prosecutor, case):
    assert INFORMANT in page(client_for, supervisor, case)
    for outside in (atf_agent, prosecutor):
        assert INFORMANT not in page(client_for, outside, case)


def test_investigator_of_another_agency_sees_unrestricted_notes_but_not_restricted_ones(client_for, outsider, case):
    html = page(client_for, outsider, case)
    assert SUSPECT in html
    assert WITNESS in html
    assert INFORMANT not in html


def test_retracted_note_is_struck_through_with_reason_and_who(client_for, investigator, advocate, case):
    note = Note.objects.get(shooting=case, kind=Note.Kind.SUSPECT)
    services.retract_note(note, investigator, "Alibi confirmed by the jail log")
    html = page(client_for, investigator, case)
    assert f'id="note-{note.pk}" class="note note-suspect is-retracted"' in html
    assert "Retracted by Dana Whitfield" in html
    assert "Alibi confirmed by the jail log" in html
    assert "Alibi confirmed" not in page(client_for, advocate, case)


def test_note_shows_author_agency_and_time(client_for, prosecutor, case):
    html = page(client_for, prosecutor, case)
    assert "Marcus Ortelli, ATF Riverbend Field Office" in html
    assert "Dana Whitfield, Riverbend Metropolitan Police Department" in html


def test_a_case_that_does_not_exist_and_a_user_without_agency_get_404(client_for, investigator, case):
    assert client_for(investigator).get("/cases/999999/").status_code == 404
    nobody = UserFactory(agency=None, role="")
    assert client_for(nobody).get(f"/cases/{case.pk}/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, case):
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Timeline filter and indicators -----------------------------------------------------------


def test_timeline_filter_shows_only_the_chosen_kind(client_for, investigator, case):
    html = page(client_for, investigator, case, "?kind=witness")
    assert WITNESS in html
    assert SUSPECT not in html
    assert CANVASS not in html
    assert 'aria-current="true">Witness' in html


def test_timeline_filter_over_htmx_returns_only_the_timeline(client_for, investigator, case):
    response = client_for(investigator).get(f"/cases/{case.pk}/?kind=suspect", headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="timeline"')
    assert SUSPECT in html
    assert WITNESS not in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_a_long_timeline_opens_on_the_newest_notes_and_shows_all_on_request(client_for, investigator):
    shooting = make_shooting(investigator)
    for i in range(TIMELINE_PAGE + 5):
        add(shooting, investigator, Note.Kind.GENERAL, text=f"Canvass update number {i:03d}.")

    first = page(client_for, investigator, shooting)
    assert first.count('class="note note-') == TIMELINE_PAGE
    assert f"Canvass update number {TIMELINE_PAGE + 4:03d}." in first  # the newest
    assert "Canvass update number 000." not in first
    assert f"Show all {TIMELINE_PAGE + 5} notes (5 older)" in first
    assert 'href="?all=1#timeline"' in first  # works without JavaScript

    everything = page(client_for, investigator, shooting, "?all=1")
    assert everything.count('class="note note-') == TIMELINE_PAGE + 5
    assert "Canvass update number 000." in everything
    assert "Show all" not in everything

    swapped = client_for(investigator).get(f"/cases/{shooting.pk}/?all=1&kind=general", headers=HTMX)
    assert swapped.content.decode().lstrip().startswith('<section id="timeline"')
    assert swapped.content.decode().count('class="note note-') == TIMELINE_PAGE + 5


def test_advocate_has_no_suspect_filter(client_for, advocate, case):
    html = page(client_for, advocate, case, "?kind=suspect")
    assert "?kind=suspect" not in html
    assert "No notes of this kind." in html
    assert SUSPECT not in html


def test_indicators_show_what_the_notes_and_flags_say(client_for, investigator, atf_agent, case):
    services.update_shooting(
        case,
        investigator,
        {"is_retaliation_risk": True, "counting": Shooting.Counting.HOLD},
        expected_version=case.version,
    )
    services.update_nibin_lead(NibinLead.objects.get(number="RB-2026-0007"), atf_agent, {"status": "hit"})
    services.add_victim(case, investigator, {"name": "Rory Falkenrath", "is_juvenile": True, "sex": "M"})
    html = page(client_for, investigator, case)
    for code in ["retaliation", "intimidation", "trafficking", "nibin_hit", "juvenile", "hold"]:
        assert f'data-indicator="{code}"' in html, code
    assert html.index('id="indicators"') < html.index('id="timeline"')


def test_intimidated_witness_indicator_comes_only_from_notes_the_viewer_may_see(client_for, atf_agent, investigator):
    shooting = make_shooting(investigator)
    add(shooting, investigator, Note.Kind.WITNESS, restricted=True, name=WITNESS, intimidation_concern=True)
    assert 'data-indicator="intimidation"' in page(client_for, investigator, shooting)
    assert 'data-indicator="intimidation"' not in page(client_for, atf_agent, shooting)


def test_victims_show_age_or_juvenile_sex_injury_and_referral(client_for, investigator):
    shooting = make_shooting(
        investigator,
        victims=[
            {"name": "Avery Lindqvist", "age": 31, "sex": "F", "injury": "nonfatal"},
            {"name": "Rory Falkenrath", "is_juvenile": True, "sex": "M", "referral_status": "referred"},
        ],
    )
    html = page(client_for, investigator, shooting)
    person = shooting.victims.get(name="Rory Falkenrath").person_role.person_id
    assert f'<a href="/cases/people/{person}/">Rory Falkenrath</a></td>\n      <td>juvenile</td>' in html
    assert "<td>31</td>" in html
    assert "Non-fatal injury" in html
    assert "Referred" in html


def test_linked_incident_and_cited_lead_are_shown_with_why(client_for, investigator, atf_agent, advocate, case):
    other = make_shooting(investigator)
    add(other, atf_agent, Note.Kind.FIREARM, serial_number="P1234567", nibin_leads=[])
    html = page(client_for, investigator, case)
    assert other.report_number in html
    assert "same firearm serial P1234567" in html
    assert "RB-2026-0007" in html
    advocate_html = page(client_for, advocate, case)
    assert "same firearm (serial number)" in advocate_html
    assert "same firearm serial P1234567" not in advocate_html


def test_detail_page_queries_do_not_grow_with_notes_victims_and_links(
    client_for, investigator, atf_agent, advocate, prosecutor, django_assert_max_num_queries
):
    shooting = make_shooting(
        investigator, victims=[{"name": f"Victim Quillfeather {i}", "age": 20 + i, "sex": "M"} for i in range(5)]
    )
    for i in range(12):
        add(shooting, investigator, Note.Kind.SUSPECT, name=f"Suspect Marrowby {i}", status="suspect")
        add(shooting, investigator, Note.Kind.WITNESS, name=f"Witness Thistlewood {i}", cooperation="cooperative")
        add(shooting, atf_agent, Note.Kind.FIREARM, nibin_leads=[f"L-{i}"], serial_number=f"SN{i}")
        add(shooting, advocate, Note.Kind.VICTIM_SERVICES, referral_status="referred", text=f"call {i}")
        add(shooting, prosecutor, Note.Kind.GENERAL, text=f"charging memo {i}")
    for i in range(4):
        other = make_shooting(investigator)
        add(other, atf_agent, Note.Kind.FIREARM, nibin_leads=[f"L-{i}"])
        services.link_manually(shooting, make_shooting(investigator), investigator, f"same car {i}")
    for i in range(3):
        shooting.refresh_from_db()
        services.update_shooting(shooting, investigator, {"beat": f"1{i}"}, expected_version=shooting.version)
    retracted = Note.objects.filter(shooting=shooting, kind=Note.Kind.SUSPECT).first()
    services.retract_note(retracted, investigator, "wrong case")
    client = client_for(investigator)
    # session, user (with the agency need-to-know reads); the case (with lead investigator); the
    # kind, agency and fields of every note it may see (kind counts, indicators, cited leads); the notes the
    # timeline shows (with author, agency, retracted-by); victims; cited leads; change history;
    # partner agencies; linked cases: cluster members, their keys, their leads, manual links;
    # visibility of the linked cases; the manual links with their cases (for removal); the
    # meetings that had the case on their agenda (Reviews; their action items only when there
    # are any, tests/meetings/test_case_reviews.py); the associates (law enforcement); the audit
    # row (insert; on SQLite the last hash first).
    with django_assert_max_num_queries(20):
        response = client.get(f"/cases/{shooting.pk}/?all=1")
    assert response.status_code == 200
    # 60 notes, less the advocacy center's 12 victim-services notes, which police do not see
    assert response.content.decode().count('class="note note-') == 48
    with django_assert_max_num_queries(20):
        assert client.get(f"/cases/{shooting.pk}/").status_code == 200


# --- Inline edit of status, counting, flags and lead ------------------------------------------


def test_investigator_clears_a_case_inline_and_history_shows_it(client_for, investigator, supervisor):
    shooting = make_shooting(investigator)
    data = {
        "version": shooting.version,
        "status": "cleared_arrest",
        "cleared_on": "",
        "counting": "counts",
        "is_retaliation_risk": "on",
        "lead_investigator": supervisor.pk,
    }
    response = client_for(investigator).post(f"/cases/{shooting.pk}/quick-edit/", data, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="facts"')
    assert f"Cleared by arrest, {timezone.localdate():%Y-%m-%d}" in html
    assert 'id="history" class="card" aria-labelledby="history-title" hx-swap-oob="true"' in html
    assert "Status: Open → Cleared by arrest" in html
    assert 'data-indicator="retaliation"' in html
    shooting.refresh_from_db()
    assert shooting.status == "cleared_arrest"
    assert shooting.lead_investigator == supervisor
    assert shooting.version == 2


def test_inline_edit_without_javascript_redirects_with_a_message(client_for, investigator):
    shooting = make_shooting(investigator)
    client = client_for(investigator)
    form_page = client.get(f"/cases/{shooting.pk}/quick-edit/").content.decode()
    assert '<form method="post" action="/cases/' in form_page
    assert 'name="version"' in form_page
    data = {"version": shooting.version, "status": "open", "counting": "hold", "lead_investigator": ""}
    response = client.post(f"/cases/{shooting.pk}/quick-edit/", data, follow=True)
    assert response.redirect_chain[0][0] == f"/cases/{shooting.pk}/#facts"
    assert "Status and flags saved." in response.content.decode()
    shooting.refresh_from_db()
    assert shooting.counting == "hold"


def test_reopening_a_case_removes_the_date_cleared(client_for, investigator):
    shooting = make_shooting(investigator, status="cleared_arrest", cleared_on=timezone.localdate())
    data = {"version": shooting.version, "status": "open", "cleared_on": "2026-01-01", "counting": "counts"}
    client_for(investigator).post(f"/cases/{shooting.pk}/quick-edit/", data)
    shooting.refresh_from_db()
    assert shooting.status == "open"
    assert shooting.cleared_on is None


def test_inline_edit_with_a_future_date_cleared_keeps_what_was_typed(client_for, investigator):
    shooting = make_shooting(investigator)
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = {"version": shooting.version, "status": "cleared_arrest", "cleared_on": future, "counting": "unfounded"}
    html = client_for(investigator).post(f"/cases/{shooting.pk}/quick-edit/", data, headers=HTMX).content.decode()
    assert "The date cleared cannot be in the future." in html
    assert f'value="{future}"' in html
    assert '<option value="unfounded" selected>' in html
    shooting.refresh_from_db()
    assert shooting.status == "open"


def test_inline_edit_conflict_shows_the_newer_values_and_saves_nothing(client_for, investigator, supervisor):
    shooting = make_shooting(investigator)
    loaded_version = shooting.version
    services.update_shooting(shooting, supervisor, {"counting": "unfounded"}, expected_version=loaded_version)
    data = {"version": loaded_version, "status": "inactive", "counting": "counts", "is_group_involved": "on"}
    html = client_for(investigator).post(f"/cases/{shooting.pk}/quick-edit/", data, headers=HTMX).content.decode()
    assert "Not saved: someone else changed this case" in html
    assert "Leon Marchetti" in html
    assert "Counting state: <strong>Unfounded (not a qualifying shooting)</strong>" in html
    assert '<option value="inactive" selected>' in html  # what was typed is kept
    assert 'name="version" value="2"' in html  # saving again is a deliberate overwrite
    shooting.refresh_from_db()
    assert (shooting.status, shooting.counting, shooting.is_group_involved) == ("open", "unfounded", False)


def test_lead_investigator_choices_are_active_law_enforcement_investigators(client_for, investigator, advocate, police):
    UserFactory(first_name="Ines", last_name="Gravely", agency=police, role=User.Role.INVESTIGATOR, is_active=False)
    UserFactory(first_name="Otto", last_name="Brambleton", agency=police, role=User.Role.PROSECUTOR)
    UserFactory(first_name="Sol", last_name="Kettering", agency=police, role=User.Role.COORDINATOR)
    shooting = make_shooting(investigator)
    html = client_for(investigator).get(f"/cases/{shooting.pk}/quick-edit/", headers=HTMX).content.decode()
    assert "Dana Whitfield (RBPD)" in html
    assert "Sol Kettering (RBPD)" in html
    assert "Ines Gravely" not in html
    assert "Otto Brambleton" not in html
    assert "Jordan Kessley" not in html


def test_advocate_may_not_edit_the_case_and_sees_no_edit_controls(client_for, advocate, investigator):
    shooting = make_shooting(investigator)
    html = page(client_for, advocate, shooting)
    assert "Edit status, flags and lead" not in html
    assert "Add a victim" not in html
    assert "Link to another case" not in html
    client = client_for(advocate)
    data = {"version": shooting.version, "status": "inactive", "counting": "counts"}
    assert client.post(f"/cases/{shooting.pk}/quick-edit/", data).status_code == 403
    assert client.post(f"/cases/{shooting.pk}/victims/add/", {"name": "X", "sex": "U"}).status_code == 403
    shooting.refresh_from_db()
    assert shooting.status == "open"


# --- Victims ----------------------------------------------------------------------------------


def test_investigator_adds_a_victim_inline(client_for, investigator):
    shooting = make_shooting(investigator, victims=[])
    data = {"name": "Marisol Quenby", "age": "29", "sex": "F", "injury": "nonfatal"}
    html = client_for(investigator).post(f"/cases/{shooting.pk}/victims/add/", data, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<section id="victims"')
    assert "Marisol Quenby" in html
    assert shooting.victims.get().name == "Marisol Quenby"


def test_bad_victim_input_keeps_what_was_typed(client_for, investigator):
    shooting = make_shooting(investigator, victims=[])
    data = {"name": "Marisol Quenby", "age": "19", "is_juvenile": "on", "sex": "F", "injury": "nonfatal"}
    html = client_for(investigator).post(f"/cases/{shooting.pk}/victims/add/", data).content.decode()
    assert "A juvenile is under 18: leave the age blank or correct it." in html
    assert 'value="Marisol Quenby"' in html
    assert '<details class="add-victim" open>' in html
    assert not shooting.victims.exists()


@pytest.mark.parametrize("age", ["16", ""])
def test_a_juvenile_victim_added_on_the_case_page_may_have_an_age_under_18_or_none(client_for, investigator, age):
    shooting = make_shooting(investigator, victims=[])
    data = {"name": "Marisol Quenby", "age": age, "is_juvenile": "on", "sex": "F", "injury": "nonfatal"}

    html = client_for(investigator).post(f"/cases/{shooting.pk}/victims/add/", data, follow=True).content.decode()

    assert "Victim Marisol Quenby added." in html
    assert ">Marisol Quenby</a></td>\n      <td>juvenile</td>" in html
    victim = shooting.victims.get()
    assert (victim.age, victim.is_juvenile) == (int(age) if age else None, True)


def test_a_victim_who_died_is_not_added_to_a_nonfatal_case_but_recorded_as_a_death(client_for, investigator):
    shooting = make_shooting(investigator, victims=[{"name": "Avery Lindqvist", "age": 24, "sex": "M"}])
    data = {"name": "Marisol Quenby", "age": "29", "sex": "F", "injury": "fatal"}

    html = client_for(investigator).post(f"/cases/{shooting.pk}/victims/add/", data, headers=HTMX).content.decode()

    assert "Add the victim as injured, then record the death with its date" in html
    assert list(shooting.victims.values_list("name", flat=True)) == ["Avery Lindqvist"]
    shooting.refresh_from_db()
    assert shooting.kind == Shooting.Kind.NONFATAL


def test_a_victim_who_died_is_added_to_a_homicide(client_for, investigator):
    shooting = make_shooting(
        investigator, kind=Shooting.Kind.HOMICIDE, victims=[{"name": "Avery Lindqvist", "age": 24, "injury": "fatal"}]
    )
    data = {"name": "Marisol Quenby", "age": "29", "sex": "F", "injury": "fatal"}

    client_for(investigator).post(f"/cases/{shooting.pk}/victims/add/", data)

    assert shooting.victims.get(name="Marisol Quenby").injury == Victim.Injury.FATAL


def test_victim_death_makes_a_nonfatal_shooting_a_homicide_with_history(client_for, investigator):
    shooting = make_shooting(investigator)
    victim = shooting.victims.get()
    died_on = timezone.localdate().isoformat()
    response = client_for(investigator).post(f"/cases/victims/{victim.pk}/died/", {"died_on": died_on}, follow=True)
    html = response.content.decode()
    assert f"The death of {victim.name} is recorded." in html
    assert '<span class="case-kind">Homicide</span>' in html
    assert "Kind: Non-fatal injury shooting → Homicide" in html
    assert f"Victim {victim.pk} died on {died_on}" in html
    shooting.refresh_from_db()
    victim.refresh_from_db()
    assert shooting.kind == Shooting.Kind.HOMICIDE
    assert victim.injury == Victim.Injury.FATAL


def test_victim_death_in_the_future_is_refused_next_to_the_field(client_for, investigator):
    shooting = make_shooting(investigator)
    victim = shooting.victims.get()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    html = client_for(investigator).post(f"/cases/victims/{victim.pk}/died/", {"died_on": future}, headers=HTMX)
    html = html.content.decode()
    assert "The date of death cannot be in the future." in html
    assert f'value="{future}"' in html
    shooting.refresh_from_db()
    assert shooting.kind == Shooting.Kind.NONFATAL
    assert not ShootingChange.objects.filter(shooting=shooting).exists()


def test_victim_of_a_case_the_user_may_not_see_is_404(client_for, investigator):
    nobody = UserFactory(agency=None, role="")
    victim = make_shooting(investigator).victims.get()
    response = client_for(nobody).post(f"/cases/victims/{victim.pk}/died/", {"died_on": "2026-01-01"})
    assert response.status_code == 404


# --- Manual links -----------------------------------------------------------------------------


def test_investigator_links_two_cases_by_report_number_with_a_reason(client_for, investigator, advocate):
    a, b = make_shooting(investigator), make_shooting(investigator)
    data = {"report_number": b.report_number.lower(), "reason": "Same grey sedan in both videos"}
    html = client_for(investigator).post(f"/cases/{a.pk}/links/add/", data, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<section id="links"')
    assert b.report_number in html
    assert "linked by hand: Same grey sedan in both videos" in html
    assert a.report_number in page(client_for, advocate, b)


def test_link_to_an_unknown_report_number_or_without_reason_is_refused(client_for, investigator):
    a = make_shooting(investigator)
    html = client_for(investigator).post(f"/cases/{a.pk}/links/add/", {"report_number": "RB00000000", "reason": ""})
    html = html.content.decode()
    assert "No case has the report number RB00000000." in html
    assert "Give the reason for the link." in html
    assert 'value="RB00000000"' in html
    a.refresh_from_db()
    assert a.cluster_id is None


def test_removing_a_manual_link_needs_a_reason_and_unlinks(client_for, investigator):
    a, b = make_shooting(investigator), make_shooting(investigator)
    link = services.link_manually(a, b, investigator, "Same grey sedan")
    client = client_for(investigator)
    refused = client.post(f"/cases/links/{link.pk}/remove/", {"reason": " ", "from_case": a.pk}).content.decode()
    assert "Give the reason for removing it." in refused
    response = client.post(f"/cases/links/{link.pk}/remove/", {"reason": "Different car", "from_case": b.pk})
    assert response["Location"] == f"/cases/{b.pk}/#links"
    link.refresh_from_db()
    assert link.removal_reason == "Different car"
    a.refresh_from_db()
    assert a.cluster_id is None


def test_each_note_on_the_timeline_links_to_its_own_history_and_only_its_author_to_its_edit_and_retraction(
    investigator, atf_agent, case
):
    """The links are worked out once for the whole timeline: each must still name its own note."""
    for viewer in (investigator, atf_agent):
        timeline = case_view(case, viewer).timeline
        assert len({item.note.pk for item in timeline}) == len(timeline) > 2
        for item in timeline:
            pk = item.note.pk
            mine = item.note.author_id == viewer.pk
            assert item.revisions_url == reverse("cases:note_revisions", args=[pk])
            assert item.edit_url == (reverse("cases:edit_note", args=[pk]) if mine else "")
            assert item.retract_url == (reverse("cases:retract_note", args=[pk]) if mine else "")
