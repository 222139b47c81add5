"""The timeline's notes are drawn once for what they show and reused (cases.note_html). A kept
drawing must never show a note as it was before a change, nor show one viewer what only another
may see."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import caches
from django.template.loader import get_template

from cases import services
from cases.detail import NoteView
from cases.models import Note
from cases.note_html import CACHE, NOTE_ATTRIBUTES, NOTE_PARTIAL
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

PURCHASER = "Ezra Pellham"
DEALER = "Brackenridge Arms and Tackle"


@pytest.fixture(autouse=True)
def _empty_note_cache():
    caches[CACHE].clear()
    yield
    caches[CACHE].clear()


def page(client_for, user, shooting) -> str:
    response = client_for(user).get(f"/cases/{shooting.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_digest_covers_everything_the_note_partial_reads():
    source = Path(get_template(NOTE_PARTIAL).origin.name).read_text()
    partial = source[source.index("{% partialdef note %}") :]
    partial = partial[: partial.index("{% endpartialdef %}")]
    # Of the model object behind a view only what the digest takes of it ...
    assert set(re.findall(r"item\.note\.(\w+)", partial)) <= set(NOTE_ATTRIBUTES)
    # ... and otherwise the view's own fields (all in the digest) or what is derived from them.
    read = set(re.findall(r"item\.(\w+)", partial)) - {"note"}
    derived = {"short_values", "long_values"}
    assert read <= set(NoteView.__dataclass_fields__) | derived
    # The partial reads nothing of the page but the item and `focus` (drawn afresh when set).
    names = set(re.findall(r"{{\s*(\w+)", partial)) | set(re.findall(r"{%\s*(?:if|for \w+ in)\s+(\w+)", partial))
    assert names <= {"item", "value", "focus"}


def test_a_revised_note_is_shown_as_it_is_now(client_for, investigator):
    shooting = make_shooting(investigator)
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "Canvass found one camera."})
    assert "Canvass found one camera." in page(client_for, investigator, shooting)
    assert "Canvass found one camera." in page(client_for, investigator, shooting)  # the kept drawing

    services.revise_note(note, investigator, {"text": "Canvass found three cameras."}, restricted=False)

    html = page(client_for, investigator, shooting)
    assert "Canvass found three cameras." in html
    assert "Canvass found one camera." not in html


def test_a_retracted_note_is_shown_retracted(client_for, investigator):
    shooting = make_shooting(investigator)
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "Tip from the corner store."})
    assert "is-retracted" not in page(client_for, investigator, shooting)

    services.retract_note(note, investigator, "Entered on the wrong case.")

    html = page(client_for, investigator, shooting)
    assert "is-retracted" in html
    assert "Entered on the wrong case." in html


def test_a_drawing_kept_for_one_viewer_never_shows_another_what_is_hidden_from_them(
    client_for, investigator, atf_agent, advocate
):
    shooting = make_shooting(investigator)
    services.add_note(
        shooting,
        atf_agent,
        Note.Kind.FIREARM,
        {"recovered": True, "make": "Hi-Point", "model": "C9", "purchaser": PURCHASER, "dealer": DEALER},
    )
    # The agent, who wrote it and may edit it, and the investigator see it whole; each drawing kept.
    for reader in (atf_agent, investigator):
        html = page(client_for, reader, shooting)
        assert PURCHASER in html and DEALER in html

    html = page(client_for, advocate, shooting)

    assert "Hi-Point" in html
    assert PURCHASER not in html and DEALER not in html
    assert "Some fields of this note are not shown to your agency." in html


def test_edit_links_are_drawn_only_for_whoever_may_edit(client_for, investigator, prosecutor):
    shooting = make_shooting(investigator)
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "Shell casings bagged."})
    edit = f"/cases/notes/{note.pk}/edit/"
    assert edit in page(client_for, investigator, shooting)

    html = page(client_for, prosecutor, shooting)

    assert "Shell casings bagged." in html
    assert edit not in html
