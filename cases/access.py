"""Need-to-know: who may see which shooting, note and field. Every list, detail, search, count,
export, PDF and htmx fragment asks here; nothing else decides visibility.

- Law enforcement and prosecutors (a role of investigator, federal agent, prosecutor, coordinator
  or supervisor in a police, federal or prosecutor agency): every suspect, firearm-trace, witness
  (identity included) and general note; victim-services notes of their own agency only.
- Victim advocates: victim-services notes; witness notes reduced to the safety fields; firearm
  traces without serial number, purchaser, dealer or free text; general notes written by advocacy agencies;
  never a suspect note.
- A note restricted to its agency: only members of the author's agency, whatever their role.
The README's "Who sees what" table is the same matrix.
"""

from __future__ import annotations

import logging

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Agency, User

from .models import Note, Shooting

logger = logging.getLogger("shootreview.access")

LAW_ENFORCEMENT_ROLES = {
    User.Role.INVESTIGATOR,
    User.Role.FEDERAL_AGENT,
    User.Role.PROSECUTOR,
    User.Role.COORDINATOR,
    User.Role.SUPERVISOR,
}
LAW_ENFORCEMENT_AGENCIES = {Agency.Kind.POLICE, Agency.Kind.FEDERAL, Agency.Kind.PROSECUTOR}

# What an advocate sees of the notes they may see at all; every other field is removed before
# rendering, export or printing (allow-lists, so a field added later stays hidden by default).
ADVOCATE_FIELDS = {
    "witness": {"intimidation_concern", "relocation_requested", "referred_to_advocate"},
    "firearm": {
        "recovered",
        "recovered_on",
        "make",
        "model",
        "caliber",
        "casings_recovered",
        "projectiles_recovered",
        "nibin_leads",
        "etrace_number",
        "etrace_status",
        "time_to_crime_days",
    },
}


def can_see_cases(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or (user.role and user.agency_id)))


def sees_investigative_detail(user) -> bool:
    """Sworn law enforcement and prosecutors: suspects, traces, witness identities."""
    return bool(
        can_see_cases(user)
        and user.role in LAW_ENFORCEMENT_ROLES
        and user.agency_id
        and user.agency.kind in LAW_ENFORCEMENT_AGENCIES
    )


def is_advocate(user) -> bool:
    return bool(can_see_cases(user) and user.role == User.Role.VICTIM_ADVOCATE and user.agency_id)


def can_search_suspects(user) -> bool:
    return sees_investigative_detail(user)


def note_visibility_q(user) -> Q:
    """The filter for the notes `user` may see (at least in part)."""
    nothing = Q(pk__in=[])
    if not can_see_cases(user) or not user.agency_id:
        return nothing
    own_agency = Q(author_agency_id=user.agency_id)
    not_restricted = Q(restricted_to_agency=False) | own_agency
    if sees_investigative_detail(user):
        kinds = ~Q(kind=Note.Kind.VICTIM_SERVICES) | own_agency
    elif is_advocate(user):
        kinds = (
            Q(kind__in=[Note.Kind.VICTIM_SERVICES, Note.Kind.WITNESS, Note.Kind.FIREARM])
            | Q(kind=Note.Kind.GENERAL, author_agency__kind=Agency.Kind.VICTIM_ADVOCACY)
            | (Q(kind=Note.Kind.GENERAL) & own_agency)
        )
    else:
        kinds = Q(kind=Note.Kind.GENERAL) & own_agency
    return kinds & not_restricted


def shootings_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Every partner at the table sees every shooting; what they see *of* it is decided per
    note. Users without a role or agency (and inactive ones) see none."""
    queryset = queryset if queryset is not None else Shooting.objects.all()
    return queryset if can_see_cases(user) else queryset.none()


def notes_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The notes `user` may see, at least in part (what of each: `visible_fields`)."""
    queryset = queryset if queryset is not None else Note.objects.all()
    return queryset.filter(note_visibility_q(user))


def note_is_visible(user, *, kind: str, author_agency_id: int, author_agency_kind: str, restricted: bool) -> bool:
    """The same rule as note_visibility_q, for a note held as data (an agenda snapshot, a printed
    packet). Tests check that the two always agree."""
    if not can_see_cases(user) or not user.agency_id:
        return False
    own = author_agency_id == user.agency_id
    if restricted and not own:
        return False
    if sees_investigative_detail(user):
        return kind != Note.Kind.VICTIM_SERVICES or own
    if is_advocate(user):
        return kind in {Note.Kind.VICTIM_SERVICES, Note.Kind.WITNESS, Note.Kind.FIREARM} or (
            kind == Note.Kind.GENERAL and (author_agency_kind == Agency.Kind.VICTIM_ADVOCACY or own)
        )
    return kind == Note.Kind.GENERAL and own


def visible_fields(note, user, fields: dict | None = None) -> dict:
    """The part of a note's fields (or of one revision's) that `user` may see. Fields are chosen
    by name, never by value: meetings.presentation remembers the choice per kind, author agency
    and field names."""
    fields = note.fields if fields is None else fields
    if sees_investigative_detail(user) or note.author_agency_id == user.agency_id:
        return dict(fields)
    allowed = ADVOCATE_FIELDS.get(note.kind)
    if allowed is None:
        return dict(fields)
    return {key: value for key, value in fields.items() if key in allowed}


def is_redacted_for(note, user) -> bool:
    return not (sees_investigative_detail(user) or note.author_agency_id == user.agency_id) and (
        note.kind in ADVOCATE_FIELDS
    )


def addable_note_kinds(user) -> list[str]:
    if sees_investigative_detail(user):
        return [Note.Kind.SUSPECT, Note.Kind.FIREARM, Note.Kind.WITNESS, Note.Kind.GENERAL]
    if is_advocate(user):
        return [Note.Kind.VICTIM_SERVICES, Note.Kind.GENERAL]
    return []


def can_edit_note(user, note) -> bool:
    """The author, or a supervisor of the author's agency, may revise or retract a note."""
    if note.is_retracted or not can_see_cases(user):
        return False
    if note.author_id == user.pk:
        return True
    return user.role == User.Role.SUPERVISOR and user.agency_id == note.author_agency_id


def can_create_shooting(user) -> bool:
    return sees_investigative_detail(user) and user.role in {
        User.Role.INVESTIGATOR,
        User.Role.COORDINATOR,
        User.Role.SUPERVISOR,
        User.Role.FEDERAL_AGENT,
    }


def can_edit_shooting(user) -> bool:
    return sees_investigative_detail(user)


def can_import(user) -> bool:
    return sees_investigative_detail(user) and user.role in {User.Role.COORDINATOR, User.Role.SUPERVISOR}


def can_manage_nibin(user) -> bool:
    return sees_investigative_detail(user) and user.role in {
        User.Role.FEDERAL_AGENT,
        User.Role.COORDINATOR,
        User.Role.SUPERVISOR,
        User.Role.INVESTIGATOR,
    }


def refuse(user, object_type: str, object_id, request=None):
    """Answer a request for something `user` may not see as if it did not exist (404), and hand
    the attempt to the audit trail. Every refusal in the app goes through this function: within
    a request the audit middleware writes the request's one row as a refusal; outside one, the
    row is written here."""
    from accounts import audit

    request = request if request is not None else audit.current_request.get()
    logger.warning(
        "refused access: user=%s object=%s:%s path=%s",
        getattr(user, "pk", None),
        object_type,
        object_id,
        getattr(request, "path", ""),
    )
    if request is not None:
        request.audit_refused = (object_type, str(object_id))
    else:
        audit.record(
            "access.refused",
            actor=user if getattr(user, "is_authenticated", False) else None,
            object_type=object_type,
            object_id=object_id,
            outcome="refused",
        )
    raise Http404(f"No {object_type} matches the given query.")


def access_shooting(user, pk, request=None, *, queryset=None):
    shooting = shootings_visible_to(user, queryset).filter(pk=pk).first() if str(pk).isdigit() else None
    if shooting is None:
        refuse(user, "shooting", pk, request)
    return shooting


def access_note(user, pk, request=None):
    note = (
        notes_visible_to(user).select_related("shooting", "author", "author_agency").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if note is None:
        refuse(user, "note", pk, request)
    return note
