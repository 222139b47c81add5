"""Adding, editing and retracting notes from the case page, with htmx and as plain forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from cases import services
from cases.models import LinkKey, Note, NoteRevision
from tests.factories import UserFactory, make_shooting

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}

# One valid form per kind, with a fictional value that must show in the new note.
VALID = {
    "suspect": ({"name": "Tobin Quarrier", "aliases": "T-Bone", "status": "suspect"}, "Tobin Quarrier"),
    "firearm": (
        {"make": "Hi-Point", "serial_number": "p12-345", "nibin_leads": "RB-2026-0101", "etrace_status": "pending"},
        "RB-2026-0101",
    ),
    "witness": ({"name": "Wren Ashdown", "cooperation": "reluctant", "intimidation_concern": "on"}, "Wren Ashdown"),
    "victim_services": (
        {"service_agency": "Northgate Family Services", "referral_status": "contacted"},
        "Northgate Family Services",
    ),
    "general": ({"text": "Canvass of the 1800 block found two cameras"}, "found two cameras"),
}


@pytest.fixture
def shooting(investigator):
    return make_shooting(investigator)


def author_for(kind, investigator, advocate):
    return advocate if kind == Note.Kind.VICTIM_SERVICES else investigator


@pytest.mark.parametrize("kind", list(VALID))
def test_htmx_add_note_returns_the_note_for_the_top_of_the_timeline(client_for, investigator, advocate, shooting, kind):
    user = author_for(kind, investigator, advocate)
    data, shown = VALID[kind]
    response = client_for(user).post(f"/cases/{shooting.pk}/notes/add/{kind}/", data, headers=HTMX)
    assert response.status_code == 200
    note = Note.objects.get(shooting=shooting, kind=kind)
    assert note.author == user
    html = response.content.decode()
    assert html.startswith(f'\n<li id="note-{note.pk}" class="note note-{kind}')
    assert shown in html
    assert response["HX-Retarget"] == "#timeline-list"
    assert response["HX-Reswap"] == "afterbegin"
    # the form closes
    assert '<div id="note-form-slot" class="note-form-slot" hx-swap-oob="true"></div>' in html
    assert note.revisions.count() == 1


def test_firearm_note_added_over_htmx_refreshes_the_cited_leads(client_for, investigator, shooting):
    data, _ = VALID["firearm"]
    html = client_for(investigator).post(f"/cases/{shooting.pk}/notes/add/firearm/", data, headers=HTMX)
    html = html.content.decode()
    assert '<section id="leads" class="card" aria-labelledby="leads-title" hx-swap-oob="true">' in html
    assert ">RB-2026-0101</a>" in html
    note = Note.objects.get(shooting=shooting)
    assert note.fields["serial_number"] == "P12345"
    assert set(LinkKey.objects.filter(note=note).values_list("value", flat=True)) == {"P12345", "RB-2026-0101"}


def test_witness_note_with_intimidation_raises_the_indicator_in_the_same_response(client_for, investigator, shooting):
    data, _ = VALID["witness"]
    html = client_for(investigator).post(f"/cases/{shooting.pk}/notes/add/witness/", data, headers=HTMX)
    assert 'data-indicator="intimidation"' in html.content.decode()


def test_add_note_form_opens_inline_with_htmx_and_as_a_page_without(client_for, investigator, shooting):
    client = client_for(investigator)
    inline = client.get(f"/cases/{shooting.pk}/notes/add/suspect/", headers=HTMX).content.decode()
    assert '<div class="card note-form">' in inline
    assert 'hx-post="/cases/' in inline
    assert "<html" not in inline
    assert "autofocus" in inline
    full = client.get(f"/cases/{shooting.pk}/notes/add/suspect/").content.decode()
    assert "<h1>Add a suspect note" in full
    assert '<form method="post" action="/cases/' in full
    # On a page of its own the form is a plain form: the slot htmx would aim at is not there.
    assert "hx-post" not in full and "note-form-slot" not in full


@pytest.mark.parametrize("what", ["edit", "retract"])
def test_edit_and_retract_forms_as_pages_are_plain_forms(client_for, investigator, shooting, what):
    note = services.add_note(shooting, investigator, Note.Kind.GENERAL, {"text": "Two cameras"})
    client = client_for(investigator)
    full = client.get(f"/cases/notes/{note.pk}/{what}/").content.decode()
    assert f'action="/cases/notes/{note.pk}/{what}/"' in full
    assert "hx-post" not in full and "hx-target" not in full
    inline = client.get(f"/cases/notes/{note.pk}/{what}/", headers=HTMX).content.decode()
    assert f'hx-target="#note-{note.pk}"' in inline


def test_a_note_added_with_htmx_is_announced_out_of_band_and_takes_the_focus(client_for, investigator, shooting):
    response = client_for(investigator).post(
        f"/cases/{shooting.pk}/notes/add/general/", VALID["general"][0], headers=HTMX
    )
    html = response.content.decode()
    note = Note.objects.get(shooting=shooting)
    assert f'<li id="note-{note.pk}" class="note note-general" tabindex="-1" autofocus>' in html
    assert re.search(
        r'<div id="messages" class="messages-region" role="status" hx-swap-oob="innerHTML">\s*<ul class="messages">'
        r'\s*<li class="message message-success">General note added.</li>',
        html,
    )
    # Told once: the message is not kept for the next page.
    assert "General note added." not in client_for(investigator).get(f"/cases/{shooting.pk}/").content.decode()


def test_plain_post_adds_the_note_and_redirects_with_a_message(client_for, investigator, shooting):
    response = client_for(investigator).post(
        f"/cases/{shooting.pk}/notes/add/general/", {"text": "Family asked for a call"}, follow=True
    )
    note = Note.objects.get(shooting=shooting)
    assert response.redirect_chain == [(f"/cases/{shooting.pk}/#note-{note.pk}", 302)]
    html = response.content.decode()
    assert "General note added." in html
    assert "Family asked for a call" in html


def test_a_firearm_recovered_tomorrow_is_refused_beside_the_date(client_for, investigator, shooting):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {"recovered": "on", "recovered_on": tomorrow, "make": "Glock", "model": "19"}
    html = client_for(investigator).post(f"/cases/{shooting.pk}/notes/add/firearm/", data).content.decode()
    assert "The recovery date cannot be in the future." in html
    assert 'id="add_recovered_on_error"' in html
    assert not Note.objects.exists()


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client_for, investigator, shooting):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {"name": "", "aliases": "T-Bone, Tobe", "date_of_birth": tomorrow, "status": "suspect", "basis": "Seen"}
    response = client_for(investigator).post(f"/cases/{shooting.pk}/notes/add/suspect/", data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "HX-Retarget" not in response
    assert 'id="add_name_error"' in html
    assert "The date of birth cannot be in the future." in html
    assert 'value="T-Bone, Tobe"' in html
    assert f'value="{tomorrow}"' in html
    assert not Note.objects.exists()


def test_plain_post_with_bad_input_shows_the_form_page_with_errors(client_for, investigator, shooting):
    response = client_for(investigator).post(f"/cases/{shooting.pk}/notes/add/general/", {"text": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Add a general note" in html
    assert "This field is required." in html
    assert not Note.objects.exists()


def test_restricted_note_is_stored_as_restricted(client_for, investigator, shooting):
    data = {"text": "Informant Cosmo Hadderly named the shooter", "restricted_to_agency": "on"}
    client_for(investigator).post(f"/cases/{shooting.pk}/notes/add/general/", data)
    note = Note.objects.get()
    assert note.restricted_to_agency
    assert "restricted_to_agency" not in note.fields


def test_victim_services_note_sets_the_victims_referral_status(client_for, advocate, shooting):
    victim = shooting.victims.get()
    form = client_for(advocate).get(f"/cases/{shooting.pk}/notes/add/victim_services/").content.decode()
    assert f'<option value="{victim.pk}">{victim.name}</option>' in form
    data = {"victim": victim.pk, "referral_status": "engaged", "service_agency": "Northgate Family Services"}
    client_for(advocate).post(f"/cases/{shooting.pk}/notes/add/victim_services/", data)
    victim.refresh_from_db()
    assert victim.referral_status == "engaged"


@pytest.mark.parametrize(
    ("persona", "kind"), [("advocate", "suspect"), ("advocate", "witness"), ("investigator", "victim_services")]
)
def test_a_kind_the_user_may_not_add_is_404(client_for, request, shooting, persona, kind):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(f"/cases/{shooting.pk}/notes/add/{kind}/").status_code == 404
    assert client.post(f"/cases/{shooting.pk}/notes/add/{kind}/", {"name": "Wren Ashdown"}).status_code == 404
    assert client.get(f"/cases/{shooting.pk}/notes/add/nonsense/").status_code == 404
    assert not Note.objects.exists()


def test_add_buttons_follow_what_the_user_may_add(client_for, investigator, advocate, shooting):
    police = client_for(investigator).get(f"/cases/{shooting.pk}/").content.decode()
    for label in ["Add suspect note", "Add firearm trace note", "Add witness note", "Add general note"]:
        assert label in police
    assert "Add victim services note" not in police
    advocacy = client_for(advocate).get(f"/cases/{shooting.pk}/").content.decode()
    assert "Add victim services note" in advocacy
    assert "Add general note" in advocacy
    assert "Add suspect note" not in advocacy
    assert "Add witness note" not in advocacy


def test_cancelling_an_inline_add_form_focuses_its_button_among_the_users_own(
    client_for, advocate, shooting, django_assert_max_num_queries
):
    client = client_for(advocate)
    with django_assert_max_num_queries(12):
        response = client.get(f"/cases/{shooting.pk}/notes/add/general/?cancel=1", headers=HTMX)
    html = response.content.decode()
    assert 'id="add-note-buttons"' in html and 'hx-swap-oob="true"' in html
    focused = re.findall(r"<a [^>]*autofocus[^>]*>([^<]*)</a>", html)
    assert focused == ["Add general note"]
    assert "Add victim services note" in html
    assert "Add suspect note" not in html and "Add witness note" not in html
    assert "<form" not in html


# --- Edit -------------------------------------------------------------------------------------


@pytest.fixture
def suspect_note(shooting, investigator):
    return services.add_note(shooting, investigator, Note.Kind.SUSPECT, {"name": "Tobin Quarrier", "status": "suspect"})


def test_author_edits_a_note_over_htmx_and_gets_revision_two(client_for, investigator, suspect_note):
    client = client_for(investigator)
    form = client.get(f"/cases/notes/{suspect_note.pk}/edit/", headers=HTMX).content.decode()
    assert form.lstrip().startswith(f'<li id="note-{suspect_note.pk}"')
    assert 'value="Tobin Quarrier"' in form
    data = {"name": "Tobin Quarrier", "aliases": "T-Bone", "status": "charged"}
    html = client.post(f"/cases/notes/{suspect_note.pk}/edit/", data, headers=HTMX).content.decode()
    assert html.startswith(f'\n<li id="note-{suspect_note.pk}" class="note note-suspect')
    assert "Charged" in html
    assert "Revisions (2)" in html
    suspect_note.refresh_from_db()
    assert suspect_note.revision_number == 2
    assert suspect_note.fields["status"] == "charged"
    first = NoteRevision.objects.get(note=suspect_note, number=1)
    assert first.fields["status"] == "suspect"


def test_edit_without_javascript_is_a_page_that_redirects_back(client_for, investigator, suspect_note):
    client = client_for(investigator)
    page = client.get(f"/cases/notes/{suspect_note.pk}/edit/").content.decode()
    assert "<h1>Edit suspect note" in page
    data = {"name": "Tobin Quarrier", "status": "in_custody"}
    response = client.post(f"/cases/notes/{suspect_note.pk}/edit/", data, follow=True)
    assert response.redirect_chain[0][0] == f"/cases/{suspect_note.shooting_id}/#note-{suspect_note.pk}"
    assert "Note saved as revision 2." in response.content.decode()


def test_edit_with_bad_input_keeps_what_was_typed(client_for, investigator, suspect_note):
    data = {"name": "", "aliases": "Tobe", "status": "charged", "approximate_age": "7"}
    html = client_for(investigator).post(f"/cases/notes/{suspect_note.pk}/edit/", data, headers=HTMX)
    html = html.content.decode()
    assert "This field is required." in html
    assert "greater than or equal to 10" in html
    assert 'value="Tobe"' in html
    assert '<option value="charged" selected>' in html
    suspect_note.refresh_from_db()
    assert suspect_note.revision_number == 1


def test_supervisor_of_the_authors_agency_may_edit(client_for, supervisor, suspect_note):
    data = {"name": "Tobin Quarrier", "status": "excluded"}
    assert client_for(supervisor).post(f"/cases/notes/{suspect_note.pk}/edit/", data).status_code == 302
    suspect_note.refresh_from_db()
    assert suspect_note.revision_number == 2


def test_someone_who_sees_but_did_not_write_the_note_gets_403(client_for, police, outsider, atf_agent, suspect_note):
    colleague = UserFactory(agency=police, role=User.Role.INVESTIGATOR)
    data = {"name": "Someone Else", "status": "excluded"}
    for user in (colleague, outsider, atf_agent):
        client = client_for(user)
        assert client.get(f"/cases/notes/{suspect_note.pk}/edit/").status_code == 403
        assert client.post(f"/cases/notes/{suspect_note.pk}/edit/", data).status_code == 403
        assert client.post(f"/cases/notes/{suspect_note.pk}/retract/", {"reason": "x"}).status_code == 403
    suspect_note.refresh_from_db()
    assert suspect_note.revision_number == 1
    assert not suspect_note.is_retracted


def test_someone_who_may_not_see_the_note_gets_404_everywhere(client_for, advocate, suspect_note):
    client = client_for(advocate)
    for path in ["", "edit/", "retract/", "revisions/"]:
        assert client.get(f"/cases/notes/{suspect_note.pk}/{path}", headers=HTMX).status_code == 404, path
    assert client.post(f"/cases/notes/{suspect_note.pk}/retract/", {"reason": "x"}).status_code == 404


def test_edit_buttons_show_only_to_who_may_edit(client_for, investigator, outsider, suspect_note):
    url = f"/cases/{suspect_note.shooting_id}/"
    assert f"/cases/notes/{suspect_note.pk}/edit/" in client_for(investigator).get(url).content.decode()
    assert f"/cases/notes/{suspect_note.pk}/edit/" not in client_for(outsider).get(url).content.decode()


def test_cancel_puts_the_note_back(client_for, investigator, suspect_note):
    client = client_for(investigator)
    html = client.get(f"/cases/notes/{suspect_note.pk}/", headers=HTMX).content.decode()
    assert html.startswith(f'\n<li id="note-{suspect_note.pk}"')
    assert "Tobin Quarrier" in html
    plain = client.get(f"/cases/notes/{suspect_note.pk}/")
    assert plain["Location"] == f"/cases/{suspect_note.shooting_id}/#note-{suspect_note.pk}"


# --- Retract ----------------------------------------------------------------------------------


def test_retraction_needs_a_reason(client_for, investigator, suspect_note):
    html = client_for(investigator).post(f"/cases/notes/{suspect_note.pk}/retract/", {"reason": "  "}, headers=HTMX)
    assert "Give the reason for retracting this note." in html.content.decode()
    suspect_note.refresh_from_db()
    assert not suspect_note.is_retracted


def test_retracted_note_stays_struck_through_with_the_reason(client_for, investigator, suspect_note):
    client = client_for(investigator)
    form = client.get(f"/cases/notes/{suspect_note.pk}/retract/", headers=HTMX).content.decode()
    assert "Reason for retraction" in form
    data = {"reason": "Alibi confirmed by the jail log"}
    html = client.post(f"/cases/notes/{suspect_note.pk}/retract/", data, headers=HTMX).content.decode()
    assert "is-retracted" in html
    assert '<del class="note-body">' in html
    assert "Retracted by Dana Whitfield" in html
    assert "Alibi confirmed by the jail log" in html
    assert f"/cases/notes/{suspect_note.pk}/edit/" not in html
    suspect_note.refresh_from_db()
    assert suspect_note.is_retracted
    assert Note.objects.filter(pk=suspect_note.pk).exists()
    # a retracted note can no longer be changed
    assert client.get(f"/cases/notes/{suspect_note.pk}/edit/").status_code == 403


def test_retract_without_javascript_redirects_with_a_message(client_for, investigator, suspect_note):
    client = client_for(investigator)
    assert "<h1>Retract a suspect note" in client.get(f"/cases/notes/{suspect_note.pk}/retract/").content.decode()
    response = client.post(f"/cases/notes/{suspect_note.pk}/retract/", {"reason": "Duplicate"}, follow=True)
    assert "Note retracted." in response.content.decode()
