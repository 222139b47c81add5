"""Notes: add one of each kind (for those who may add it), read one, revise it (a new revision,
refused with 409 when the caller's revision is stale), record an eTrace answer on a firearm-trace
note, and retract one. Through the pages' own forms and services: cases.note_forms validates,
cases.services writes, cases.access decides who may see and change what."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.audit import annotate
from cases import access, services
from cases.models import Note, Shooting
from cases.note_forms import NOTE_FORMS, FirearmNoteForm, GeneralNoteForm, RetractForm

from .. import serializers as s
from ..errors import Conflict, InvalidInput
from ..inputs import body, form_data, valid_form
from .base import READ_ERRORS, WRITE_ERRORS, ApiView, django_request

ETRACE_FIELDS = frozenset({"etrace_number", "etrace_status"})


def note_json(note: Note, user) -> dict:
    """A note as `user` may see it: only the fields access.visible_fields lets through."""
    return {
        "id": note.pk,
        "case": note.shooting_id,
        "kind": note.kind,
        "author": note.author.get_full_name() or note.author.username,
        "author_agency": note.author_agency.code,
        "restricted_to_agency": note.restricted_to_agency,
        "revision": note.revision_number,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "retracted": note.is_retracted,
        "retraction_reason": note.retraction_reason,
        "redacted": access.is_redacted_for(note, user),
        "can_edit": access.can_edit_note(user, note),
        "fields": access.visible_fields(note, user),
    }


def _note(request, note_pk: int) -> Note:
    return access.access_note(request.user, note_pk, django_request(request))


def _editable(request, note_pk: int) -> Note:
    note = _note(request, note_pk)
    if not access.can_edit_note(request.user, note):
        if note.is_retracted:
            raise PermissionDenied("A retracted note cannot be changed.")
        raise PermissionDenied("Only the author or a supervisor of the author's agency may change this note.")
    return note


def _revision(sent: dict) -> int:
    value = sent.pop("revision", None)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit() or len(str(value)) > 9:
        raise InvalidInput({"revision": ["Send the revision of the note you read (a whole number)."]})
    return int(value)


def _revise(request, note: Note, sent: dict, expected: int) -> Response:
    """The note's current values with `sent` over them, validated by the kind's form as a whole."""
    form_class = NOTE_FORMS[note.kind]
    data = form_data({**form_class.initial_from(note), **sent}, frozenset(form_class.base_fields))
    form = valid_form(form_class, data, shooting=note.shooting)
    try:
        revised = services.revise_note(
            note,
            request.user,
            form.note_fields(),
            restricted=form.cleaned_data["restricted_to_agency"],
            expected_revision=expected,
        )
    except services.NoteConflict as conflict:
        annotate(django_request(request), detail={"edit_conflict": True})
        current = access.access_note(request.user, conflict.current.pk, django_request(request))
        raise Conflict(note_json(current, request.user)) from None
    except ValueError as error:  # retracted meanwhile
        raise InvalidInput({"non_field_errors": [str(error)]}) from None
    return Response(note_json(revised, request.user))


NoteBody = type(
    "NewNote",
    (serializers.Serializer,),
    {
        "kind": serializers.ChoiceField(choices=Note.Kind.choices),
        "restricted_to_agency": serializers.BooleanField(required=False),
        "__doc__": "The note's kind, and the fields of that kind's form (see the schemas `SuspectNote` … "
        "`GeneralNote`).",
    },
)
KIND_BODIES = {
    kind: s.serializer_for_form(form, f"{kind.title().replace('_', '')}Note") for kind, form in NOTE_FORMS.items()
}


class CaseNotes(ApiView):
    @extend_schema(
        summary="Add a note to a case",
        description="Send `kind` and that kind's fields: "
        + "; ".join(f"`{kind}`: {', '.join(form.base_fields)}" for kind, form in NOTE_FORMS.items())
        + ". Suspect, firearm-trace and witness notes are for law enforcement; victim-services notes for "
        "advocates; general notes for both.",
        request=NoteBody,
        responses={201: s.NoteSerializer, **WRITE_ERRORS},
    )
    def post(self, request, shooting_pk: int):
        user = request.user
        http = django_request(request)
        shooting = access.access_shooting(user, shooting_pk, http)
        sent = body(request)
        kind = sent.pop("kind", None)
        if not isinstance(kind, str) or kind not in Note.Kind.values:
            raise InvalidInput({"kind": [f"Choose one of: {', '.join(Note.Kind.values)}."]})
        access.access_note_kind(user, kind, http)
        form_class = NOTE_FORMS[kind]
        form = valid_form(form_class, form_data(sent, frozenset(form_class.base_fields)), shooting=shooting)
        note = services.add_note(
            Shooting.objects.get(pk=shooting.pk),
            user,
            kind,
            form.note_fields(),
            restricted=form.cleaned_data["restricted_to_agency"],
        )
        annotate(http, object_type="note", object_id=note.pk, case_id=shooting.pk, detail={"kind": kind})
        note = access.access_note(user, note.pk, http)
        return Response(note_json(note, user), status=status.HTTP_201_CREATED)


RevisionBody = s.serializer_for_form(
    GeneralNoteForm,
    "NoteRevision",
    extra=(("revision", serializers.IntegerField(min_value=1, help_text="The revision you read.")),),
    skip=("text", "follow_up_contact"),
)
EtraceBody = type(
    "EtraceUpdate",
    (serializers.Serializer,),
    {
        "revision": serializers.IntegerField(min_value=1, help_text="The revision of the note you read."),
        "etrace_status": s._field_from_form(FirearmNoteForm.base_fields["etrace_status"]),
        "etrace_number": s._field_from_form(FirearmNoteForm.base_fields["etrace_number"]),
    },
)
RetractBody = s.serializer_for_form(RetractForm, "NoteRetraction")


class NoteDetail(ApiView):
    @extend_schema(summary="One note, as you may see it", responses={200: s.NoteSerializer, **READ_ERRORS})
    def get(self, request, note_pk: int):
        return Response(note_json(_note(request, note_pk), request.user))

    @extend_schema(
        summary="Revise a note (its author, or a supervisor of the author's agency)",
        description="Send `revision` (the one you read) and the fields to change; the others keep their values. "
        "The note's kind's form checks the result as on the page. A note revised since answers 409.",
        request=RevisionBody,
        responses={200: s.NoteSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, note_pk: int):
        note = _editable(request, note_pk)
        sent = body(request)
        expected = _revision(sent)
        return _revise(request, note, sent, expected)


class NoteEtrace(ApiView):
    @extend_schema(
        summary="Record an eTrace answer on a firearm-trace note",
        description="The eTrace request number and status, as a new revision of the note (who may: as for "
        "revising the note). A note revised since answers 409.",
        request=EtraceBody,
        responses={200: s.NoteSerializer, **WRITE_ERRORS},
    )
    def post(self, request, note_pk: int):
        note = _editable(request, note_pk)
        if note.kind != Note.Kind.FIREARM:
            raise InvalidInput({"non_field_errors": ["Only a firearm-trace note has an eTrace status."]})
        sent = body(request)
        expected = _revision(sent)
        form_data(sent, ETRACE_FIELDS)
        annotate(
            django_request(request),
            event="api.etrace",
            detail={"etrace_status": str(sent.get("etrace_status", ""))[:20]},
        )
        return _revise(request, note, sent, expected)


class NoteRetract(ApiView):
    @extend_schema(
        summary="Retract a note, with the reason",
        request=RetractBody,
        responses={200: s.NoteSerializer, **WRITE_ERRORS},
    )
    def post(self, request, note_pk: int):
        note = _editable(request, note_pk)
        form = valid_form(RetractForm, form_data(body(request), frozenset(RetractForm.base_fields)))
        retracted = services.retract_note(note, request.user, form.cleaned_data["reason"])
        return Response(
            note_json(access.access_note(request.user, retracted.pk, django_request(request)), request.user)
        )
