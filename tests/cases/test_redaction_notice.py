"""Whoever sees only part of a note is told so, and only they: an advocate reading a firearm
trace or a witness note learns that some fields are not shown; an investigator, who sees every
field, is not told that anything is hidden."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Note
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

NOTICE = "Some fields of this note are not shown to your agency."


@pytest.fixture
def shooting(investigator, atf_agent, advocate):
    shooting = make_shooting(investigator)
    services.add_note(shooting, atf_agent, Note.Kind.FIREARM, {"caliber": "9mm", "serial_number": "QX0001"})
    services.add_note(
        shooting, investigator, Note.Kind.WITNESS, {"name": "Odile Farrant", "intimidation_concern": True}
    )
    services.add_note(shooting, advocate, Note.Kind.GENERAL, {"text": "Family contacted."})
    return shooting


def test_an_advocate_is_told_on_each_note_shown_in_part(client_for, advocate, shooting):
    page = client_for(advocate).get(f"/cases/{shooting.pk}/").content.decode()

    assert page.count(NOTICE) == 2  # the trace and the witness note; their own general note is whole


@pytest.mark.parametrize("persona", ["investigator", "atf_agent", "prosecutor"])
def test_law_enforcement_is_never_told_that_something_is_hidden(request, client_for, persona, shooting):
    page = client_for(request.getfixturevalue(persona)).get(f"/cases/{shooting.pk}/").content.decode()

    assert "Odile Farrant" in page and "QX0001" in page
    assert NOTICE not in page
