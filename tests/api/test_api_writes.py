"""Writing through the API, as each role: notes of each kind for those who may add them, revisions
with the revision read (409 when stale), eTrace answers on a firearm-trace note, NIBIN hits and
the work on leads, and prosecution follow-through. The pages' forms check the input (400 with
field errors, nothing saved); refusals say nothing of what exists (404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, User
from cases import services
from cases.models import LeadAssignment, NibinLead, Note, NoteRevision, Shooting
from tests.factories import make_shooting

from .conftest import ApiClient, integration_account, token_for

pytestmark = pytest.mark.django_db

NEW_NOTE = {
    "suspect": {"name": "Corbin Valesco", "status": "suspect", "basis": "Seen on camera"},
    "firearm": {"make": "Glock", "nibin_leads": "RB-API-1", "etrace_status": "pending", "serial_number": "ab-12 34"},
    "witness": {"name": "Mira Tallis", "cooperation": "reluctant", "intimidation_concern": True},
    "victim_services": {"referral_status": "referred", "service_agency": "Harbor Light", "text": "Safety plan"},
    "general": {"text": "Canvass done on the block."},
}
MAY_ADD = {
    "investigator": {"suspect", "firearm", "witness", "general"},
    "atf_agent": {"suspect", "firearm", "witness", "general"},
    "prosecutor": {"suspect", "firearm", "witness", "general"},
    "coordinator": {"suspect", "firearm", "witness", "general"},
    "supervisor": {"suspect", "firearm", "witness", "general"},
    "advocate": {"victim_services", "general"},
}


@pytest.fixture
def shooting(investigator):
    return make_shooting(investigator)


@pytest.mark.parametrize("role", list(MAY_ADD))
def test_each_role_adds_the_kinds_of_note_it_may_and_no_other(role, request, shooting):
    user = request.getfixturevalue(role)
    api = ApiClient(token_for(user))
    url = f"/api/v1/cases/{shooting.pk}/notes/"
    for kind, fields in NEW_NOTE.items():
        before = Note.objects.count()
        response = api.post(url, {"kind": kind, **fields})
        if kind in MAY_ADD[role]:
            assert response.status_code == 201, (kind, response.content)
            note = Note.objects.get(pk=response.json()["id"])
            assert (note.kind, note.author, note.author_agency_id) == (kind, user, user.agency_id)
        else:
            assert response.status_code == 404, kind
            assert response.json() == {"detail": "Not found."}
            assert Note.objects.count() == before


def test_a_firearm_note_is_checked_and_stored_as_the_form_does(investigator, shooting):
    api = ApiClient(token_for(investigator))
    response = api.post(f"/api/v1/cases/{shooting.pk}/notes/", {"kind": "firearm", **NEW_NOTE["firearm"]})
    fields = response.json()["fields"]
    assert fields["serial_number"] == "AB1234"
    assert fields["nibin_leads"] == ["RB-API-1"]
    assert NibinLead.objects.filter(number="RB-API-1").exists()


def test_bad_note_input_answers_400_with_each_fields_error_and_saves_nothing(investigator, shooting):
    api = ApiClient(token_for(investigator))
    url = f"/api/v1/cases/{shooting.pk}/notes/"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = api.post(
        url,
        {
            "kind": "suspect",
            "name": "Bad\x00Name",
            "status": "wanted",
            "date_of_birth": tomorrow,
            "approximate_age": "old",
            "colour": "red",
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"colour"}  # unknown fields first: nothing else is read
    response = api.post(
        url,
        {
            "kind": "suspect",
            "name": "Bad\x00Name",
            "status": "wanted",
            "date_of_birth": tomorrow,
            "approximate_age": "old",
        },
    )
    errors = response.json()["errors"]
    assert set(errors) == {"name", "status", "date_of_birth", "approximate_age"}
    assert "control character" in errors["name"][0]
    assert "future" in errors["date_of_birth"][0]
    assert api.post(url, {"kind": "general", "text": ["a", "list"]}).json()["errors"]["text"]
    assert api.post(url, {"kind": "pamphlet"}).json()["errors"]["kind"]
    assert api.post(url, {"kind": "general", "text": "x", "follow_up_contact": {"a": 1}}).status_code == 400
    assert api.post(url, ["not", "an", "object"]).status_code == 400
    malformed = api.client.post(url, "{not json", content_type="application/json", headers=api.headers)
    assert malformed.status_code == 400 and "detail" in malformed.json()
    assert not Note.objects.filter(shooting=shooting).exists()


def test_a_note_revised_since_the_revision_sent_answers_409_with_the_current_note(investigator, supervisor, shooting):
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "First", "follow_up_contact": False})
    mine, theirs = ApiClient(token_for(investigator)), ApiClient(token_for(supervisor))
    assert theirs.patch(f"/api/v1/notes/{note.pk}/", {"revision": 1, "text": "Supervisor's fix"}).status_code == 200
    response = mine.patch(f"/api/v1/notes/{note.pk}/", {"revision": 1, "text": "Mine"})
    assert response.status_code == 409
    assert response.json()["current"]["revision"] == 2
    assert response.json()["current"]["fields"]["text"] == "Supervisor's fix"
    assert mine.patch(f"/api/v1/notes/{note.pk}/", {"revision": 2, "text": "Mine"}).status_code == 200
    assert NoteRevision.objects.filter(note=note).count() == 3
    assert mine.patch(f"/api/v1/notes/{note.pk}/", {"text": "no revision"}).json()["errors"]["revision"]


def test_only_the_author_or_a_supervisor_of_the_agency_revises_a_note(investigator, coordinator, atf_agent, shooting):
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "First", "follow_up_contact": False})
    for user in (coordinator, atf_agent):
        response = ApiClient(token_for(user)).patch(f"/api/v1/notes/{note.pk}/", {"revision": 1, "text": "Not mine"})
        assert response.status_code == 403
        assert "author" in response.json()["detail"]
    note.refresh_from_db()
    assert note.revision_number == 1


def test_an_etrace_answer_is_a_new_revision_of_the_firearm_trace_note(atf_agent, advocate, shooting):
    note = services.add_note(
        shooting, atf_agent, Note.Kind.FIREARM, {"make": "Taurus", "serial_number": "TX1", "etrace_status": "pending"}
    )
    api = ApiClient(token_for(atf_agent))
    url = f"/api/v1/notes/{note.pk}/etrace/"
    response = api.post(url, {"revision": 1, "etrace_status": "completed", "etrace_number": "T2026-0042"})
    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.revision_number, note.fields["etrace_status"], note.fields["etrace_number"]) == (
        2,
        "completed",
        "T2026-0042",
    )
    assert note.fields["serial_number"] == "TX1" and note.fields["make"] == "Taurus"
    assert api.post(url, {"revision": 1, "etrace_status": "no_trace"}).status_code == 409
    assert api.post(url, {"revision": 2, "etrace_status": "lost"}).json()["errors"]["etrace_status"]
    assert api.post(url, {"revision": 2, "make": "Colt"}).json()["errors"]["make"]
    general = services.add_note(shooting, atf_agent, Note.Kind.GENERAL, {"text": "x", "follow_up_contact": False})
    assert (
        api.post(f"/api/v1/notes/{general.pk}/etrace/", {"revision": 1, "etrace_status": "pending"}).status_code == 400
    )
    # An advocate sees the trace (redacted) but never changes it.
    assert ApiClient(token_for(advocate)).post(url, {"revision": 2, "etrace_status": "pending"}).status_code == 403


def test_a_note_restricted_to_another_agency_is_not_found_like_one_that_does_not_exist(
    investigator, outsider, shooting
):
    note = services.add_note(
        shooting, outsider, Note.Kind.GENERAL, {"text": "Ours only", "follow_up_contact": False}, restricted=True
    )
    api = ApiClient(token_for(investigator))
    hidden, missing = api.get(f"/api/v1/notes/{note.pk}/"), api.get("/api/v1/notes/999999999/")
    assert (
        (hidden.status_code, hidden.json()) == (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    )
    assert AuditEvent.objects.filter(object_id=str(note.pk), outcome="refused", actor_id=investigator.pk).count() == 1


def test_retracting_needs_a_reason(investigator, shooting):
    note = services.add_note(
        shooting, investigator, Note.Kind.GENERAL, {"text": "Wrong case", "follow_up_contact": False}
    )
    api = ApiClient(token_for(investigator))
    assert api.post(f"/api/v1/notes/{note.pk}/retract/", {}).json()["errors"]["reason"]
    response = api.post(f"/api/v1/notes/{note.pk}/retract/", {"reason": "Entered on the wrong case"})
    assert response.status_code == 200 and response.json()["retracted"] is True


# --- Prosecution follow-through ---------------------------------------------------------------


def test_prosecution_follow_through_changes_with_the_case_version(prosecutor, investigator, advocate, shooting):
    url = f"/api/v1/cases/{shooting.pk}/prosecution/"
    api = ApiClient(token_for(prosecutor))
    response = api.patch(url, {"version": shooting.version, "referred_to": "state", "charges_filed": "Assault 1st"})
    assert response.status_code == 200
    assert response.json() == {
        "referred_to": "state",
        "charges_filed": "Assault 1st",
        "custody_status": "",
        "disposition": "",
        "version": shooting.version + 1,
    }
    stale = ApiClient(token_for(investigator)).patch(url, {"version": shooting.version, "disposition": "plea"})
    assert stale.status_code == 409 and stale.json()["current"]["charges_filed"] == "Assault 1st"
    bad = api.patch(url, {"version": shooting.version + 1, "custody_status": "escaped", "charges_filed": "a\nb"})
    assert set(bad.json()["errors"]) == {"custody_status", "charges_filed"}
    assert api.patch(url, {"charges_filed": "x"}).json()["errors"]["version"]
    # Advocates read it on the case, never change it.
    assert ApiClient(token_for(advocate)).patch(url, {"version": 2, "disposition": "plea"}).status_code == 404
    shooting.refresh_from_db()
    assert (shooting.charges_filed, shooting.disposition) == ("Assault 1st", "")
    assert ApiClient(token_for(advocate)).get(f"/api/v1/cases/{shooting.pk}/").json()["prosecution"]["referred_to"] == (
        "state"
    )


# --- NIBIN leads and their work -----------------------------------------------------------------


@pytest.fixture
def lead(investigator):
    first, second = make_shooting(investigator), make_shooting(investigator)
    for case in (first, second):
        services.add_note(case, investigator, Note.Kind.FIREARM, {"nibin_leads": ["RB-API-77"]})
    return NibinLead.objects.get(number="RB-API-77")


def test_a_hit_is_recorded_with_the_lead_version_and_a_stale_one_answers_409(atf_agent, coordinator, lead):
    url = f"/api/v1/leads/{lead.pk}/"
    api = ApiClient(token_for(atf_agent))
    recovered = (timezone.now() - timedelta(days=2)).isoformat()
    response = api.patch(url, {"version": lead.version, "status": "hit", "evidence_recovered_at": recovered})
    assert response.status_code == 200, response.content
    lead.refresh_from_db()
    assert (lead.status, lead.status_changed_by, lead.version) == ("hit", atf_agent, 2)
    assert len(response.json()["cases"]) == 2
    stale = ApiClient(token_for(coordinator)).patch(url, {"version": 1, "status": "excluded"})
    assert stale.status_code == 409 and stale.json()["current"]["status"] == "hit"
    future = (timezone.now() + timedelta(days=2)).isoformat()
    assert api.patch(url, {"version": 2, "notified_at": future}).json()["errors"]["notified_at"]
    assert api.patch(url, {"version": 2, "status": "maybe"}).json()["errors"]["status"]


def test_a_prosecutor_sees_a_lead_but_does_not_manage_it_and_an_advocate_never_sees_its_work(
    prosecutor, advocate, lead
):
    assert (
        ApiClient(token_for(prosecutor)).patch(f"/api/v1/leads/{lead.pk}/", {"version": 1, "status": "hit"}).status_code
        == 403
    )
    seen = ApiClient(token_for(advocate)).get(f"/api/v1/leads/{lead.pk}/").json()
    # Advocates read a lead's number and cases only, as on the NIBIN pages.
    assert set(seen) == {"id", "number", "cases"}
    assert (
        ApiClient(token_for(advocate))
        .post(f"/api/v1/leads/{lead.pk}/triage/", {"priority": "high", "version": 1})
        .status_code
        == 404
    )


def test_lead_work_is_assigned_and_concluded_with_its_version(investigator, atf_agent, lead):
    work = LeadAssignment.objects.filter(lead=lead).first()
    url = f"/api/v1/leads/{lead.pk}/work/{work.pk}/"
    api = ApiClient(token_for(atf_agent))
    assigned = api.patch(url, {"version": work.version, "investigator": investigator.pk, "state": "assigned"})
    assert assigned.status_code == 200 and assigned.json()["investigator_id"] == investigator.pk
    stale = api.patch(url, {"version": work.version, "state": "investigating"})
    assert stale.status_code == 409 and stale.json()["current"]["state"] == "assigned"
    missing = api.patch(url, {"version": work.version + 1, "state": "done"})
    assert missing.json()["errors"]["outcome"]
    done = api.patch(url, {"version": work.version + 1, "outcome": "arrest", "outcome_note": "Arrest made"})
    assert done.json()["state"] == "done"
    triaged = api.post(
        f"/api/v1/leads/{lead.pk}/triage/", {"priority": "high", "priority_reason": "Two homicides", "version": 1}
    )
    assert triaged.status_code == 200 and triaged.json()["priority"] == "high"


# --- Integration accounts write as their role --------------------------------------------------


def test_an_integration_account_writes_as_its_role_and_the_note_names_it(police, advocacy_center, supervisor, shooting):
    feed = integration_account(police, User.Role.INVESTIGATOR, "rms-notes")
    api = ApiClient(token_for(feed, made_by=supervisor))
    response = api.post(f"/api/v1/cases/{shooting.pk}/notes/", {"kind": "suspect", **NEW_NOTE["suspect"]})
    assert response.status_code == 201
    assert Note.objects.get(pk=response.json()["id"]).author == feed
    advocacy = integration_account(advocacy_center, User.Role.VICTIM_ADVOCATE, "adv-system")
    api = ApiClient(token_for(advocacy, made_by=supervisor))
    assert (
        api.post(f"/api/v1/cases/{shooting.pk}/notes/", {"kind": "suspect", **NEW_NOTE["suspect"]}).status_code == 404
    )
    assert (
        api.post(f"/api/v1/cases/{shooting.pk}/notes/", {"kind": "general", "text": "Outreach done"}).status_code == 201
    )


def test_an_integration_account_is_never_offered_as_a_lead_investigator(police, supervisor, client, shooting):
    integration_account(police, User.Role.INVESTIGATOR, "rms-lead")
    client.force_login(supervisor)
    response = client.get(f"/cases/{shooting.pk}/edit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "rms-lead" not in page and "Records feed" not in page
    assert Shooting.objects.filter(lead_investigator__is_integration=True).count() == 0


def test_a_lead_change_keeps_what_was_not_sent_and_goes_in_the_leads_history(atf_agent, lead):
    url = f"/api/v1/leads/{lead.pk}/"
    api = ApiClient(token_for(atf_agent))
    assert api.patch(url, {"version": 1, "status": "hit", "examiner": "Examiner Dahl"}).status_code == 200
    # Now: the lead was received when the first note cited it, a moment ago.
    assert api.patch(url, {"version": 2, "notified_at": timezone.now().isoformat()}).status_code == 200
    lead.refresh_from_db()
    assert (lead.status, lead.examiner) == ("hit", "Examiner Dahl")
    history = [change.changes for change in lead.changes.order_by("pk")]
    hit = {"status": ["Lead (computer correlation)", "Hit (confirmed by examiner)"], "examiner": ["", "Examiner Dahl"]}
    assert history[0] == hit
    assert list(history[1]) == ["investigators notified"]
    assert [change.changed_by for change in lead.changes.all()] == [atf_agent, atf_agent]
