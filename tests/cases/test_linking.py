"""Shootings sharing a NIBIN lead or a firearm serial are linked, both ways and transitively."""

from __future__ import annotations

import pytest

from cases import linking, services
from cases.models import NibinLead, Note, Shooting
from cases.note_forms import normalise_serial
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db


def firearm(shooting, user, **fields):
    base = {"serial_number": "", "nibin_leads": [], "recovered": False}
    base.update(fields)
    return services.add_note(shooting, user, Note.Kind.FIREARM, base)


def test_shared_nibin_lead_links_both_ways(atf_agent):
    a, b, c = make_shooting(), make_shooting(), make_shooting()
    firearm(a, atf_agent, nibin_leads=["RB-2026-0101"])
    firearm(b, atf_agent, nibin_leads=["RB-2026-0101"])

    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.cluster_id == b.cluster_id == min(a.pk, b.pk)
    assert c.cluster_id is None
    [link] = linking.linked_cases(a)
    assert link.shooting == b
    assert link.reasons == ["NIBIN lead RB-2026-0101"]
    assert [x.shooting for x in linking.linked_cases(b)] == [a]
    assert NibinLead.objects.get(number="RB-2026-0101").status == NibinLead.Status.LEAD


def test_serial_written_differently_still_links_and_chains_transitively(atf_agent, investigator):
    a, b, c = make_shooting(), make_shooting(), make_shooting()
    firearm(a, atf_agent, serial_number="ABX1234", nibin_leads=["L-1"])
    firearm(b, investigator, nibin_leads=["L-1"])
    firearm(c, investigator, serial_number=normalise_serial("abx 12-34"))
    b.refresh_from_db()

    clusters = set(Shooting.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("cluster_id", flat=True))
    assert clusters == {a.pk}
    reasons = {x.shooting.pk: x.reasons for x in linking.linked_cases(b)}
    assert reasons[a.pk] == ["NIBIN lead L-1"]
    assert reasons[c.pk] == ["through another linked case"]


def test_retracting_the_only_shared_note_splits_the_cluster(atf_agent):
    a, b = make_shooting(), make_shooting()
    firearm(a, atf_agent, nibin_leads=["L-9"])
    note = firearm(b, atf_agent, nibin_leads=["L-9"])
    services.retract_note(note, atf_agent, "entered on the wrong case")

    assert set(Shooting.objects.filter(pk__in=[a.pk, b.pk]).values_list("cluster_id", flat=True)) == {None}


def test_manual_link_with_reason(investigator):
    a, b = make_shooting(), make_shooting()
    services.link_manually(a, b, investigator, "same vehicle described by witnesses")
    a.refresh_from_db()
    [link] = linking.linked_cases(a)
    assert link.reasons == ["linked by hand: same vehicle described by witnesses"]
    with pytest.raises(ValueError):
        services.link_manually(a, b, investigator, "  ")


def test_a_hit_is_shown_on_every_case_it_joins(atf_agent):
    a, b = make_shooting(), make_shooting()
    firearm(a, atf_agent, nibin_leads=["L-7"])
    firearm(b, atf_agent, nibin_leads=["L-7"])
    lead = NibinLead.objects.get(number="L-7")
    services.update_nibin_lead(lead, atf_agent, {"status": NibinLead.Status.HIT})
    for case in (a, b):
        case.refresh_from_db()
        assert linking.linked_cases(case)[0].reasons == ["NIBIN hit L-7"]


def test_a_trace_restricted_to_its_agency_links_nothing(atf_agent):
    a, b = make_shooting(), make_shooting()
    firearm(a, atf_agent, nibin_leads=["L-55"])
    services.add_note(
        b, atf_agent, Note.Kind.FIREARM, {"nibin_leads": ["L-55"], "serial_number": "QX1"}, restricted=True
    )
    assert set(Shooting.objects.filter(pk__in=[a.pk, b.pk]).values_list("cluster_id", flat=True)) == {None}
