"""A refusal is on record twice: one audit row, and a warning in the application log that the
operators' monitoring reads (who asked for what, at which address), inside a request or not."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from accounts import audit
from accounts.models import AuditEvent
from cases import access, services
from cases.models import LeadAssignment, NibinLead, Note
from cases.saved_searches import services as search_services
from cases.saved_searches.models import SavedSearch
from cases.search import CaseQuery
from tests.factories import UserFactory, make_shooting

pytestmark = pytest.mark.django_db


def test_a_refused_request_is_logged_with_who_what_and_where(client_for, advocate, investigator, caplog):
    note = services.add_note(make_shooting(), investigator, Note.Kind.SUSPECT, {"name": "Thaddeus Vantwerp"})
    path = f"/cases/notes/{note.pk}/revisions/"

    with caplog.at_level(logging.WARNING, logger="shootreview.access"):
        assert client_for(advocate).get(path).status_code == 404

    [record] = [r for r in caplog.records if r.name == "shootreview.access"]
    assert record.getMessage() == f"refused access: user={advocate.pk} object=note:{note.pk} path={path}"
    row = AuditEvent.objects.latest("id")
    assert (row.outcome, row.actor_id, row.object_type, row.object_id) == ("refused", advocate.pk, "note", str(note.pk))
    assert AuditEvent.objects.filter(actor_id=advocate.pk, outcome="refused").count() == 1


def test_a_refusal_outside_a_request_writes_its_own_audit_row(advocate, investigator, caplog):
    # A task or a command asking on someone's behalf: no request, so no middleware row.
    note = services.add_note(make_shooting(), investigator, Note.Kind.SUSPECT, {"name": "Thaddeus Vantwerp"})
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    with caplog.at_level(logging.WARNING, logger="shootreview.access"), pytest.raises(Http404):
        access.access_note(advocate, note.pk)

    rows = list(AuditEvent.objects.filter(id__gt=before).values_list("event", "actor_id", "object_type", "object_id"))
    assert rows == [("access.refused", advocate.pk, "note", str(note.pk))]
    assert AuditEvent.objects.get(id__gt=before).outcome == AuditEvent.Outcome.REFUSED
    [record] = [r for r in caplog.records if r.name == "shootreview.access"]
    assert record.getMessage() == f"refused access: user={advocate.pk} object=note:{note.pk} path="


def test_a_case_that_does_not_exist_is_refused_on_record_like_one_that_may_not_be_seen(
    client_for, investigator, caplog
):
    client = client_for(investigator)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    with caplog.at_level(logging.WARNING, logger="shootreview.access"):
        assert client.get("/cases/999999/").status_code == 404

    rows = list(AuditEvent.objects.filter(id__gt=before).values_list("outcome", "actor_id", "object_type", "object_id"))
    assert rows == [(AuditEvent.Outcome.REFUSED, investigator.pk, "shooting", "999999")]
    [record] = [r for r in caplog.records if r.name == "shootreview.access"]
    assert record.getMessage() == f"refused access: user={investigator.pk} object=shooting:999999 path=/cases/999999/"


@pytest.mark.parametrize("pk", ["12abc", "", "-3", "1 OR 1=1"])
def test_an_identifier_that_is_not_a_number_is_refused_not_a_server_error(investigator, pk):
    # Ids reach these look-ups from forms and task arguments too, not only from URL patterns.
    shooting = make_shooting()
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "x"})
    assert access.access_shooting(investigator, shooting.pk) == shooting
    assert access.access_note(investigator, note.pk) == note

    with pytest.raises(Http404):
        access.access_shooting(investigator, pk)
    with pytest.raises(Http404):
        access.access_note(investigator, pk)
    with pytest.raises(Http404):
        access.access_saved_search(investigator, pk)
    assert AuditEvent.objects.filter(event="access.refused", object_id=pk).count() == 3


def test_inside_a_request_a_refusal_leaves_the_row_to_the_request_even_when_not_handed_it(advocate, investigator):
    # Code deep inside a view may ask without passing the request: the middleware's one row
    # still records the refusal, and no second row is written.
    note = services.add_note(make_shooting(), investigator, Note.Kind.SUSPECT, {"name": "Thaddeus Vantwerp"})
    request = RequestFactory().get("/somewhere/")
    request.user = advocate
    before = AuditEvent.objects.count()
    token = audit.current_request.set(request)
    try:
        with pytest.raises(Http404):
            access.access_note(advocate, note.pk)
    finally:
        audit.current_request.reset(token)

    assert request.audit_refused == ("note", str(note.pk))
    assert AuditEvent.objects.count() == before


def test_an_anonymous_refusal_outside_a_request_names_no_one(db):
    shooting = make_shooting()

    with pytest.raises(Http404):
        access.access_shooting(AnonymousUser(), shooting.pk)

    row = AuditEvent.objects.get(event="access.refused")
    assert (row.actor_id, row.actor_username, row.object_id) == (None, "", str(shooting.pk))


# --- Every lookup names who asked for what ------------------------------------------------------


def refused_on_record(caplog, ask, user) -> tuple:
    """Ask outside a request; return the one refusal row and the log line it left."""
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="shootreview.access"), pytest.raises(Http404):
        ask()
    [row] = AuditEvent.objects.filter(id__gt=before).values_list("event", "actor_id", "object_type", "object_id")
    [record] = [r.getMessage() for r in caplog.records if r.name == "shootreview.access"]
    return row, record


@pytest.fixture
def refusals(investigator, advocate, prosecutor):
    """Every lookup asked for something missing, withdrawn or not the asker's: (who, the lookup
    taking the request to hand it, object type, identifier asked for), and what may be asked for."""
    shooting = make_shooting(victims=[{"name": "Avery Lindqvist", "age": 30, "sex": "M"}])
    other = make_shooting()
    kept = services.link_manually(shooting, other, investigator, "Same crew")
    withdrawn = services.link_manually(other, make_shooting(), investigator, "Same car")
    services.remove_manual_link(withdrawn, investigator, "Wrong car")
    nobody = UserFactory(agency=None, role="")
    # A lead joining the case opens its work there; prosecutors see leads but do not manage them.
    services.add_note(shooting, investigator, Note.Kind.FIREARM, {"nibin_leads": ["RB-2026-0791"]})
    lead = NibinLead.objects.get(number="RB-2026-0791")
    work = LeadAssignment.objects.get(lead=lead, shooting=shooting)
    search = search_services.save_search(investigator, "Open cases", SavedSearch.Alert.NONE, CaseQuery(text="RB"))
    # Kept from before the person lost their role: no longer theirs to open.
    kept_by_nobody = SavedSearch.objects.create(owner=nobody, name="Old watch", params={"q": "RB"})
    asked = [
        (investigator, lambda r: access.access_victim(investigator, 999999, r), "victim", "999999"),
        (investigator, lambda r: access.access_manual_link(investigator, 999999, r), "manual link", "999999"),
        (
            investigator,
            lambda r: access.access_manual_link(investigator, withdrawn.pk, r),
            "manual link",
            str(withdrawn.pk),
        ),
        (nobody, lambda r: access.access_manual_link(nobody, kept.pk, r), "manual link", str(kept.pk)),
        (investigator, lambda r: access.access_lead(investigator, 999999, r), "NIBIN lead", "999999"),
        (nobody, lambda r: access.access_lead_list(nobody, r), "NIBIN lead list", "-"),
        (advocate, lambda r: access.access_note_kind(advocate, Note.Kind.SUSPECT, r), "note kind", "suspect"),
        (advocate, lambda r: access.access_import(advocate, r), "import", "shootings"),
        (advocate, lambda r: access.access_new_shooting(advocate, r), "shooting", "new"),
        (
            advocate,
            lambda r: access.access_shooting_to_edit(advocate, shooting.pk, r),
            "shooting",
            str(shooting.pk),
        ),
        (investigator, lambda r: access.access_shooting(investigator, 999999, r), "shooting", "999999"),
        (advocate, lambda r: access.access_note(advocate, 999999, r), "note", "999999"),
        (
            prosecutor,
            lambda r: access.access_lead_to_triage(prosecutor, lead.pk, r),
            "NIBIN lead triage",
            str(lead.pk),
        ),
        (investigator, lambda r: access.access_lead_to_triage(investigator, 999999, r), "NIBIN lead", "999999"),
        (
            prosecutor,
            lambda r: access.access_lead_work(prosecutor, lead.pk, work.pk, r),
            "NIBIN lead work",
            str(work.pk),
        ),
        (
            investigator,
            lambda r: access.access_lead_work(investigator, 999999, work.pk, r),
            "NIBIN lead work",
            str(work.pk),
        ),
        (advocate, lambda r: access.access_saved_search(advocate, search.pk, r), "saved search", str(search.pk)),
        (
            nobody,
            lambda r: access.access_saved_search(nobody, kept_by_nobody.pk, r),
            "saved search",
            str(kept_by_nobody.pk),
        ),
        (nobody, lambda r: access.access_saved_searches(nobody, r), "saved search list", "-"),
        (advocate, lambda r: access.access_feed_import(advocate, "nibin", r), "import", "nibin"),
    ]
    allowed = {"shooting": shooting, "kept": kept, "lead": lead, "work": work, "search": search}
    return asked, allowed


def test_each_lookup_refuses_what_is_missing_or_withdrawn_and_names_it_on_record(refusals, investigator, caplog):
    asked, allowed = refusals
    for user, ask, object_type, object_id in asked:
        row, line = refused_on_record(caplog, lambda ask=ask: ask(None), user)
        assert row == ("access.refused", user.pk, object_type, object_id)
        assert line == f"refused access: user={user.pk} object={object_type}:{object_id} path="
    # What may be asked for is handed over.
    victim = allowed["shooting"].victims.get()
    assert access.access_victim(investigator, victim.pk) == victim
    assert access.access_manual_link(investigator, allowed["kept"].pk) == allowed["kept"]
    assert access.access_lead_to_triage(investigator, allowed["lead"].pk) == allowed["lead"]
    assert access.access_lead_work(investigator, allowed["lead"].pk, allowed["work"].pk) == allowed["work"]
    assert access.access_saved_search(investigator, allowed["search"].pk) == allowed["search"]


def test_each_lookup_handed_a_request_leaves_the_refusal_to_that_request(refusals, caplog):
    # A caller that holds the request (a view, or code serving it outside the audit middleware)
    # hands it on: the refusal goes on that request's one row, and the log names its address.
    asked, _ = refusals
    for user, ask, object_type, object_id in asked:
        request = RequestFactory().get("/asked/here/")
        request.user = user
        before = AuditEvent.objects.count()
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="shootreview.access"), pytest.raises(Http404):
            ask(request)
        assert request.audit_refused == (object_type, object_id), object_type
        assert AuditEvent.objects.count() == before, object_type
        [line] = [r.getMessage() for r in caplog.records if r.name == "shootreview.access"]
        assert line == f"refused access: user={user.pk} object={object_type}:{object_id} path=/asked/here/"


def test_asking_for_a_case_s_viewers_names_the_supervisor_and_the_missing_case(supervisor, caplog):
    request = RequestFactory().get("/cases/999999/viewers/")
    request.user = supervisor
    with caplog.at_level(logging.WARNING, logger="shootreview.access"), pytest.raises(Http404):
        access.access_audited_shooting(request, 999999)
    assert request.audit_refused == ("shooting", "999999")
    [line] = [r.getMessage() for r in caplog.records if r.name == "shootreview.access"]
    assert line == f"refused access: user={supervisor.pk} object=shooting:999999 path=/cases/999999/viewers/"
