"""A note's revisions: every version with who and when, and what changed, redacted for the viewer."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Note
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

OLD_WITNESS = "Wren Ashdown"
NEW_WITNESS = "Wren Ashdown-Pryce"
WITNESS_PHONE = "816-555-0142"


def revisions_page(client, note) -> str:
    response = client.get(f"/cases/notes/{note.pk}/revisions/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def witness_note(investigator):
    shooting = make_shooting(investigator)
    note = services.add_note(
        shooting,
        investigator,
        Note.Kind.WITNESS,
        {"name": OLD_WITNESS, "contact": WITNESS_PHONE, "cooperation": "cooperative", "intimidation_concern": False},
    )
    # revision 2: only the identity changes
    fields = {**note.fields, "name": NEW_WITNESS}
    note = services.revise_note(note, investigator, fields, restricted=False)
    # revision 3: a safety flag changes
    return services.revise_note(note, investigator, {**fields, "intimidation_concern": True}, restricted=False)


def test_every_revision_is_listed_with_who_and_when_and_the_old_one_stays_viewable(
    client_for, investigator, witness_note
):
    html = revisions_page(client_for(investigator), witness_note)
    for number in (1, 2, 3):
        assert f'<li id="revision-{number}"' in html
    assert html.count("Dana Whitfield, <time") == 3
    assert OLD_WITNESS in html  # revision 1 as it was
    assert "<del>Wren Ashdown</del>" in html
    assert "<ins>Wren Ashdown-Pryce</ins>" in html
    assert '<th scope="row">Intimidation or safety concern</th><td class="before"><del>no</del>' in html


def test_edit_through_the_page_is_listed_as_revision_two(client_for, investigator):
    shooting = make_shooting(investigator)
    note = services.add_note(shooting, investigator, Note.Kind.SUSPECT, {"name": "Tobin Quarrier", "status": "suspect"})
    client = client_for(investigator)
    client.post(f"/cases/notes/{note.pk}/edit/", {"name": "Tobin Quarrier", "status": "charged"})
    html = revisions_page(client, note)
    assert "<h2>Revision 2</h2>" in html
    status_row = '<th scope="row">Status</th><td class="before"><del>Suspect</del></td><td class="after"><ins>Charged'
    assert status_row in html


def test_advocate_never_sees_a_witness_name_in_a_revision_difference(client_for, advocate, witness_note):
    html = revisions_page(client_for(advocate), witness_note)
    assert "Wren" not in html
    assert "Ashdown" not in html
    assert WITNESS_PHONE not in html
    assert "Some fields of this note are not shown to your agency" in html
    # revision 2 changed only the name: nothing the advocate may see changed
    assert "No change in the fields you may see." in html
    # revision 3 changed the safety flag, which advocates do see
    assert "Intimidation or safety concern" in html


def test_advocate_sees_no_purchaser_in_a_firearm_revision(client_for, advocate, atf_agent, investigator):
    shooting = make_shooting(investigator)
    note = services.add_note(shooting, atf_agent, Note.Kind.FIREARM, {"make": "Hi-Point", "purchaser": "Ezra Pellham"})
    services.revise_note(note, atf_agent, {"make": "Hi-Point", "purchaser": "Ezra Pellham Jr"}, restricted=False)
    html = revisions_page(client_for(advocate), note)
    assert "Pellham" not in html
    assert "Hi-Point" in html


def test_revision_restricted_at_the_time_is_withheld_from_other_agencies(client_for, investigator, outsider):
    shooting = make_shooting(investigator)
    note = services.add_note(
        shooting, investigator, Note.Kind.GENERAL, {"text": "Informant Cosmo Hadderly named him"}, restricted=True
    )
    services.revise_note(note, investigator, {"text": "A caller named him"}, restricted=False)
    html = revisions_page(client_for(outsider), note)
    assert "Cosmo Hadderly" not in html
    assert "This revision was restricted to Riverbend Metropolitan Police Department" in html
    assert "A caller named him" in html
    assert "Cosmo Hadderly" in revisions_page(client_for(investigator), note)


def test_revisions_page_queries_do_not_grow_with_revisions(client_for, investigator, django_assert_max_num_queries):
    shooting = make_shooting(investigator)
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "v1"})
    for i in range(2, 25):
        note = services.revise_note(note, investigator, {"text": f"v{i}"}, restricted=False)
    client = client_for(investigator)
    # session, user, the viewer's agency, the note (with case, author, agency), its revisions; the
    # audit row (the note's case, insert; on SQLite the last hash first)
    with django_assert_max_num_queries(9):
        html = revisions_page(client, note)
    assert "<h2>Revision 24</h2>" in html
