"""Notes on a case: add one of each kind, edit (a new revision), retract with a reason, and read
every revision. Someone who may not see a note gets a 404 for all of these (access.access_note);
someone who may see it but is neither its author nor a supervisor of the author's agency gets a
403 when trying to change it.

With htmx the forms open inside the page and a saved note is swapped into the timeline, focused,
with a status message announced; a form reached as a page of its own (a bookmark, a new tab, no
JavaScript) is a plain form that redirects back to the case with the message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from accounts.models import User
from cases import access, detail, services
from cases.focus import announce, focus_first_error
from cases.models import Note, Shooting
from cases.note_forms import NOTE_FORMS, NoteForm, RetractForm
from cases.people import access as people_access
from cases.people import services as people_services
from cases.people.pages import chosen_person_pk, match_context

from .case_detail import render_parts

NOTE_PARTIAL = "cases/case_detail.html#note"
FORM_TEMPLATE = "cases/note_form.html"
RETRACT_TEMPLATE = "cases/note_retract.html"
# What adding, editing or retracting a note can change elsewhere on the page.
NOTE_SECTIONS = ["indicators", "links", "leads", "kind_filters"]


def _sections_for(note: Note) -> list[str]:
    # A victim-services note carries the referral status shown in the victims table.
    return [*NOTE_SECTIONS, "victims"] if note.kind == Note.Kind.VICTIM_SERVICES else NOTE_SECTIONS


def _kind_label(kind: str) -> str:
    return dict(Note.Kind.choices)[kind]


def _form(kind: str, shooting: Shooting, *, data=None, initial=None, auto_id: str, focus: bool) -> NoteForm:
    form = NOTE_FORMS[kind](data, initial=initial, shooting=shooting, auto_id=auto_id)
    # Who may see the note is the last thing decided, just above the button.
    form.order_fields([name for name in form.fields if name != "restricted_to_agency"] + ["restricted_to_agency"])
    if focus:
        # A form opened inside the page takes the keyboard focus (htmx honours autofocus on swap).
        first = next(iter(form.fields.values()))
        first.widget.attrs["autofocus"] = True
    return form


def _case_view(request: HttpRequest, shooting_id: int) -> detail.CaseView:
    shooting = access.access_shooting(
        request.user, shooting_id, request, queryset=Shooting.objects.select_related("lead_investigator")
    )
    return detail.case_view(shooting, request.user)


def _note_item(case: detail.CaseView, note: Note) -> detail.NoteView:
    # The timeline's copy carries its author and retraction; an older note is read on its own.
    found = next((item for item in case.shown if item.pk == note.pk), None)
    return case.note_view(found or note)


def _access_editable(request: HttpRequest, note_pk: int) -> Note:
    note = access.access_note(request.user, note_pk, request)
    if not access.can_edit_note(request.user, note):
        reason = "A retracted note cannot be changed." if note.is_retracted else None
        raise PermissionDenied(reason or "Only the author or a supervisor of the author's agency may change this note.")
    return note


def _note_changed(request: HttpRequest, note: Note, message: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, message)
        return redirect(f"{note.shooting.get_absolute_url()}#note-{note.pk}")
    case = _case_view(request, note.shooting_id)
    html = render_to_string(NOTE_PARTIAL, {"case": case, "item": _note_item(case, note), "focus": True}, request)
    return HttpResponse(html + render_parts(request, None, case, oob=_sections_for(note)) + announce(request, message))


def _add_note_buttons(request: HttpRequest, shooting: Shooting, *, focus_kind: str) -> str:
    """The case page's "Add … note" buttons, out of band, the one of `focus_kind` focused."""
    case = {"shooting": shooting, "addable_kinds": detail.addable_kinds(request.user)}
    context = {"case": case, "oob": True, "focus_kind": focus_kind}
    return render_to_string("cases/case_detail.html#add_note_buttons", context, request)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def add_note(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    user: User = request.user
    shooting = access.access_shooting(user, pk, request)
    access.access_note_kind(user, kind, request)
    if request.method == "GET" and request.htmx and request.GET.get("cancel"):
        # The slot empties; the focus goes back to the button that opened the form, not to <body>.
        return HttpResponse(_add_note_buttons(request, shooting, focus_kind=kind))
    data = request.POST if request.method == "POST" else None
    form = _form(kind, shooting, data=data, auto_id="add_%s", focus=bool(request.htmx) and data is None)
    names_person = kind in people_services.NOTE_ROLES
    looking = names_person and data is not None and bool(data.get("find_person"))
    if data is not None and not looking and form.is_valid():
        chosen = chosen_person_pk(data) if names_person else None
        person = people_access.access_person_to_link(user, chosen, request) if chosen else None
        note = services.add_note(
            shooting,
            user,
            kind,
            form.note_fields(),
            restricted=form.cleaned_data["restricted_to_agency"],
            person=person,
        )
        message = f"{_kind_label(kind)} note added."
        if not request.htmx:
            messages.success(request, message)
            return redirect(f"{shooting.get_absolute_url()}#note-{note.pk}")
        case = _case_view(request, shooting.pk)
        html = render_to_string(NOTE_PARTIAL, {"case": case, "item": _note_item(case, note), "focus": True}, request)
        html += render_parts(request, None, case, oob=["note_form_slot", *_sections_for(note)])
        html += announce(request, message)
        # The form posted into its own slot; a saved note goes to the top of the timeline instead.
        return reswap(retarget(HttpResponse(html), "#timeline-list"), "afterbegin")
    context = {"shooting": shooting, "form": focus_first_error(form), "kind": kind, "kind_label": _kind_label(kind)}
    context |= {"names_person": names_person, **match_context(user, data if looking else None)}
    # Only a form inside the case page aims htmx at the case page's parts.
    context |= {"nav": "cases", "fragment": bool(request.htmx)}
    if request.htmx:
        return render(request, f"{FORM_TEMPLATE}#add_form", context)
    return render(request, FORM_TEMPLATE, context)


@require_safe
@vary_on_headers("HX-Request")
def note_detail(request: HttpRequest, note_pk: int) -> HttpResponse:
    """One note as the timeline shows it: what "cancel" puts back in place of an open form."""
    note = access.access_note(request.user, note_pk, request)
    if not request.htmx:
        return redirect(f"{note.shooting.get_absolute_url()}#note-{note.pk}")
    victims = {v.pk: v.name for v in note.shooting.victims.all()} if note.kind == Note.Kind.VICTIM_SERVICES else {}
    # The form it replaces had the focus; the note takes it back.
    return render(request, NOTE_PARTIAL, {"item": detail.note_view(note, request.user, victims), "focus": True})


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def edit_note(request: HttpRequest, note_pk: int) -> HttpResponse:
    note = _access_editable(request, note_pk)
    form_class = NOTE_FORMS[note.kind]
    auto_id = f"note{note.pk}_%s"
    if request.method == "POST":
        form = _form(note.kind, note.shooting, data=request.POST, auto_id=auto_id, focus=False)
        if form.is_valid():
            try:
                revised = services.revise_note(
                    note, request.user, form.note_fields(), restricted=form.cleaned_data["restricted_to_agency"]
                )
            except ValueError as error:  # retracted by someone else meanwhile
                form.add_error(None, str(error))
            else:
                if revised.revision_number == note.revision_number:
                    message = "Nothing was changed."
                else:
                    message = f"Note saved as revision {revised.revision_number}."
                return _note_changed(request, revised, message)
    else:
        form = _form(
            note.kind,
            note.shooting,
            initial=form_class.initial_from(note),
            auto_id=auto_id,
            focus=bool(request.htmx),
        )
    context = {"note": note, "shooting": note.shooting, "form": focus_first_error(form), "kind": note.kind}
    context |= {"kind_label": _kind_label(note.kind), "nav": "cases", "fragment": bool(request.htmx)}
    if request.htmx:
        return render(request, f"{FORM_TEMPLATE}#edit_form", context)
    return render(request, FORM_TEMPLATE, context)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def retract_note(request: HttpRequest, note_pk: int) -> HttpResponse:
    note = _access_editable(request, note_pk)
    form = RetractForm(request.POST if request.method == "POST" else None, auto_id=f"retract{note.pk}_%s")
    if request.method == "POST" and form.is_valid():
        retracted = services.retract_note(note, request.user, form.cleaned_data["reason"])
        return _note_changed(request, retracted, "Note retracted.")
    if request.htmx and request.method == "GET":
        form.fields["reason"].widget.attrs["autofocus"] = True
    context = {"note": note, "shooting": note.shooting, "form": focus_first_error(form), "nav": "cases"}
    context |= {"kind_label": _kind_label(note.kind), "fragment": bool(request.htmx)}
    if request.htmx:
        return render(request, f"{RETRACT_TEMPLATE}#retract_form", context)
    return render(request, RETRACT_TEMPLATE, context)


@require_safe
def note_revisions(request: HttpRequest, note_pk: int) -> HttpResponse:
    """Every revision with who and when, and what changed from the one before, redacted for the
    viewer on both sides.

    Queries: the note (with case, author, agency), the revisions, and for a victim-services note
    the case's victims (to name the victim it concerns)."""
    note = access.access_note(request.user, note_pk, request)
    victims = {v.pk: v.name for v in note.shooting.victims.all()} if note.kind == Note.Kind.VICTIM_SERVICES else {}
    context = {
        "note": note,
        "shooting": note.shooting,
        "revisions": detail.revision_views(note, request.user, victims),
        "redacted": access.is_redacted_for(note, request.user),
        "kind_label": _kind_label(note.kind),
        "nav": "cases",
    }
    return render(request, "cases/note_revisions.html", context)
