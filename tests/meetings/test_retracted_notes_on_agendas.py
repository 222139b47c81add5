"""The README's promise "a retracted note's text is never shown again", on the agenda: a note
retracted before the agenda is built, or after it is built and before it is frozen, is on no
agenda page, no htmx fragment of it and no printed packet, for every person at the table and
every audience. A note of the same kind that was not retracted is shown, so the check can fail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import Note, Shooting
from meetings.agenda import services as agenda_services
from meetings.models import Meeting, PrintedCopy
from tests.factories import make_shooting
from tests.meetings.agenda_helpers import meeting_soon, packet_html_text
from tests.meetings.test_pdf import pdf_text
from tests.security.sweep_data import HTMX, readable_text, sentinels_in

pytestmark = pytest.mark.django_db

# Single made-up words, found whatever the format and wherever a line wraps.
RETRACTED_POLICE = "Quorvathine"  # a general note of the police: law enforcement sees it
RETRACTED_ADVOCACY = "Silvermantle"  # a general note of advocates: everyone sees it
RETRACTED_SUSPECT = "Drummelbrook"  # a suspect's name: law enforcement sees it
RETRACTED = [RETRACTED_POLICE, RETRACTED_ADVOCACY, RETRACTED_SUSPECT]
LIVE_ADVOCACY = "Tumblethorn"
LIVE_SUSPECT = "Ashcombery"

PERSONAS = ["coordinator", "investigator", "prosecutor", "atf_agent", "advocate"]
# What each person must still find, live notes they may see: proof the agenda shows such notes.
SHOWN_TO = {
    "coordinator": [LIVE_ADVOCACY, LIVE_SUSPECT],
    "investigator": [LIVE_ADVOCACY, LIVE_SUSPECT],
    "prosecutor": [LIVE_ADVOCACY, LIVE_SUSPECT],
    "atf_agent": [LIVE_ADVOCACY, LIVE_SUSPECT],
    "advocate": [LIVE_ADVOCACY],
}
AUDIENCE_SHOWS = {
    PrintedCopy.Audience.LAW_ENFORCEMENT: [LIVE_ADVOCACY, LIVE_SUSPECT],
    PrintedCopy.Audience.PROSECUTORS: [LIVE_ADVOCACY, LIVE_SUSPECT],
    PrintedCopy.Audience.COMMUNITY: [LIVE_ADVOCACY],
}


def suspect(name: str) -> dict:
    return {
        "name": f"Corin {name}",
        "aliases": "",
        "date_of_birth": None,
        "approximate_age": 25,
        "status": "suspect",
        "basis": "Seen on a doorbell camera",
        "text": "",
    }


def general(text: str) -> dict:
    return {"text": text, "follow_up_contact": False}


def notes_on(shooting: Shooting, investigator, advocate) -> list[Note]:
    """The notes to retract, the newest of the case, beside live notes of the same kinds (an
    agenda item shows the three latest notes of each kind)."""
    add = case_services.add_note
    add(shooting, advocate, Note.Kind.GENERAL, general(f"The {LIVE_ADVOCACY} family has a safety plan."))
    add(shooting, investigator, Note.Kind.SUSPECT, suspect(LIVE_SUSPECT))
    return [
        add(shooting, investigator, Note.Kind.GENERAL, general(f"The {RETRACTED_POLICE} tip was wrong.")),
        add(shooting, advocate, Note.Kind.GENERAL, general(f"The {RETRACTED_ADVOCACY} family was not theirs.")),
        add(shooting, investigator, Note.Kind.SUSPECT, suspect(RETRACTED_SUSPECT)),
    ]


def retract(notes: list[Note]) -> None:
    for note in notes:
        case_services.retract_note(note, note.author, "Entered on the wrong case")


def agenda_case(investigator) -> Shooting:
    return make_shooting(investigator, kind=Shooting.Kind.HOMICIDE, lead_investigator=investigator)


def check_everything_shown(request, client_for, meeting: Meeting, packets: str) -> None:
    """Every page and fragment for every person, and every packet: printed (`pdf`) or as handed
    to the layout (`html`, cheap enough for the mutation runs)."""
    problems = []
    for persona in PERSONAS:
        client = client_for(request.getfixturevalue(persona))
        page = client.get(reverse("meetings:detail", args=[meeting.pk]))
        fragment = client.get(reverse("meetings:detail", args=[meeting.pk]), headers=HTMX)
        assert page.status_code == fragment.status_code == 200
        for how, response in (("page", page), ("fragment", fragment)):
            text = readable_text(response)
            if found := sentinels_in(text, RETRACTED):
                problems.append((persona, how, "retracted shown", found))
            if missing := set(SHOWN_TO[persona]) - set(sentinels_in(text, SHOWN_TO[persona])):
                problems.append((persona, how, "live note missing", sorted(missing)))
    printers = {"coordinator": list(AUDIENCE_SHOWS), "advocate": [PrintedCopy.Audience.COMMUNITY]}
    for persona, audiences in printers.items():
        client = client_for(request.getfixturevalue(persona))
        for audience in audiences:
            if packets == "html":
                text = packet_html_text(meeting, request.getfixturevalue(persona), audience)
            else:
                response = client.get(reverse("meetings:agenda_pdf", args=[meeting.pk]), {"audience": audience})
                assert response.status_code == 200, (persona, audience)
                text = pdf_text(response.content)
            if found := sentinels_in(text, RETRACTED):
                problems.append((persona, f"{audience} packet", "retracted shown", found))
            if missing := set(AUDIENCE_SHOWS[audience]) - set(sentinels_in(text, AUDIENCE_SHOWS[audience])):
                problems.append((persona, f"{audience} packet", "live note missing", sorted(missing)))
    assert not problems, problems


@pytest.mark.parametrize("packets", ["pdf", "html"])
def test_a_note_retracted_before_the_agenda_is_built_is_on_no_page_fragment_or_packet(
    packets, request, client_for, coordinator, investigator, advocate
):
    meeting = meeting_soon()
    retract(notes_on(agenda_case(investigator), investigator, advocate))

    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()

    assert meeting.items.filter(shooting__isnull=False).exists()
    check_everything_shown(request, client_for, meeting, packets)


@pytest.mark.parametrize("packets", ["pdf", "html"])
def test_a_note_retracted_after_the_build_is_gone_from_the_live_and_the_frozen_agenda(
    packets, request, client_for, coordinator, investigator, advocate
):
    meeting = meeting_soon()
    notes = notes_on(agenda_case(investigator), investigator, advocate)
    agenda_services.build_agenda(meeting, coordinator)
    meeting.refresh_from_db()
    # Shown and printed once before the retraction, so that anything kept from then is tested.
    page = client_for(coordinator).get(reverse("meetings:detail", args=[meeting.pk]))
    assert set(sentinels_in(readable_text(page), RETRACTED)) == set(RETRACTED)
    if packets == "html":
        assert set(sentinels_in(packet_html_text(meeting, coordinator, "law_enforcement"), RETRACTED)) == set(RETRACTED)
    else:
        client_for(coordinator).get(reverse("meetings:agenda_pdf", args=[meeting.pk]), {"audience": "law_enforcement"})

    retract(notes)
    check_everything_shown(request, client_for, meeting, packets)

    agenda_services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FROZEN
    check_everything_shown(request, client_for, meeting, packets)
