"""An agenda item's linked incidents say how each is linked: by a NIBIN lead or hit, the same
firearm serial, a link made by hand, or only through another linked case. The lead number, the
serial and the hand-made link's reason are investigative detail: a victim advocate reads only
"NIBIN lead", "same firearm" and "linked by hand", on the page and in every packet alike."""

from __future__ import annotations

import pytest

from cases import services as case_services
from cases.models import NibinLead, Note
from meetings.agenda import services as agenda_services
from meetings.agenda.presentation import agenda_view

from .agenda_helpers import H, case_at, firearm, local, meeting_at, note_at

pytestmark = pytest.mark.django_db

LEAD = "RB-2026-0777"
SERIAL = "SN-88231"
REASON = "Same crew, per the gang unit"


@pytest.fixture
def linked(investigator, atf_agent, coordinator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    new = case_at(investigator, local(2026, 2, 8, 22, 0))
    same_gun = case_at(investigator, local(2025, 11, 2, 23, 0), kind=H)
    by_hand = case_at(investigator, local(2025, 10, 1, 21, 0))
    further = case_at(investigator, local(2025, 9, 1, 21, 0))
    note_at(local(2026, 2, 9, 10, 0), new, atf_agent, Note.Kind.FIREARM, firearm([LEAD], serial_number=SERIAL))
    note_at(local(2025, 11, 5, 10, 0), same_gun, atf_agent, Note.Kind.FIREARM, firearm([LEAD], serial_number=SERIAL))
    case_services.link_manually(new, by_hand, investigator, REASON)
    # Joined to the new case only through the case linked by hand (the same other gun).
    note_at(local(2025, 10, 3, 10, 0), by_hand, atf_agent, Note.Kind.FIREARM, firearm(serial_number="SN-40001"))
    note_at(local(2025, 9, 3, 10, 0), further, atf_agent, Note.Kind.FIREARM, firearm(serial_number="SN-40001"))
    agenda_services.build_agenda(meeting, coordinator)
    return meeting, new, {"same_gun": same_gun, "by_hand": by_hand, "further": further}


def how_linked(meeting, reader, case) -> dict[str, str]:
    [item] = [i for i in agenda_view(meeting, reader).items if i.is_case and i.case.id == case.pk]
    return {view.report_number: view.text for view in item.case.linked}


def test_an_investigator_reads_the_lead_the_serial_and_the_reason_of_each_link(linked, investigator):
    meeting, new, others = linked
    texts = how_linked(meeting, investigator, new)
    assert texts == {
        others["same_gun"].report_number: f"{others['same_gun'].report_number} — homicide, 2 Nov 2025, open: "
        f"NIBIN lead {LEAD}; same firearm serial {SERIAL}",
        others["by_hand"].report_number: f"{others['by_hand'].report_number} — non-fatal injury shooting, 1 Oct 2025, "
        f"open: linked by hand: {REASON}",
        others["further"].report_number: f"{others['further'].report_number} — non-fatal injury shooting, 1 Sep 2025, "
        "open: through another linked case",
    }


def test_an_advocate_reads_how_cases_are_linked_without_the_lead_the_serial_or_the_reason(linked, advocate):
    meeting, new, others = linked
    texts = how_linked(meeting, advocate, new)
    assert texts[others["same_gun"].report_number].endswith(": NIBIN lead; same firearm")
    assert texts[others["by_hand"].report_number].endswith(": linked by hand")
    assert texts[others["further"].report_number].endswith(": through another linked case")
    everything = " ".join(texts.values())
    for detail in [LEAD, SERIAL, REASON]:
        assert detail not in everything


def test_a_lead_confirmed_as_a_hit_reads_as_a_hit(linked, investigator, advocate):
    meeting, new, others = linked
    NibinLead.objects.filter(number=LEAD).update(status=NibinLead.Status.HIT)
    same_gun = others["same_gun"].report_number
    assert f"NIBIN hit {LEAD}" in how_linked(meeting, investigator, new)[same_gun]
    assert how_linked(meeting, advocate, new)[same_gun].endswith(": NIBIN hit; same firearm")


def linked_in_order(meeting, reader, case) -> list[str]:
    [item] = [i for i in agenda_view(meeting, reader).items if i.is_case and i.case.id == case.pk]
    return [view.report_number for view in item.case.linked]


def test_the_linked_incidents_come_newest_first(linked, investigator):
    meeting, new, others = linked
    assert linked_in_order(meeting, investigator, new) == [
        others[name].report_number for name in ("same_gun", "by_hand", "further")
    ]


def test_the_case_a_link_by_hand_was_made_to_reads_it_the_same_way(linked, investigator):
    meeting, new, others = linked
    by_hand = others["by_hand"]  # on the agenda too, as an open case linked to the new one

    texts = how_linked(meeting, investigator, by_hand)

    assert texts[new.report_number].endswith(f"open: linked by hand: {REASON}")
    assert texts[others["further"].report_number].endswith(": same firearm serial SN-40001")
    assert texts[others["same_gun"].report_number].endswith(": through another linked case")
