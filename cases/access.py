"""Need-to-know: who may see which shooting, note and field. Every list, detail, search, count,
export, PDF and htmx fragment asks here; nothing else decides visibility.

- Law enforcement and prosecutors (a role of investigator, federal agent, prosecutor, coordinator
  or supervisor in a police, federal or prosecutor agency): every suspect, firearm-trace, witness
  (identity included) and general note; victim-services notes of their own agency only.
- Victim advocates: victim-services notes; witness notes reduced to the safety fields; firearm
  traces without serial number, purchaser, dealer or free text; general notes written by advocacy agencies;
  never a suspect note, nor the work on NIBIN leads (priority, owner, state, outcome).
- A note restricted to its agency: only members of the author's agency, whatever their role.
The README's "Who sees what" table is the same matrix.

A view gets each object it acts on through an `access_*` lookup here, which answers what the
viewer may not have with `accounts.audit.refuse` (404, and the attempt on record).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.access import access_audit_trail
from accounts.audit import refuse
from accounts.models import Agency, User

from .models import LeadAssignment, LinkKey, ManualLink, NibinLead, Note, SavedSearch, Shooting, Victim

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


def sees_prosecution_status(user) -> bool:
    """Referral, charges, custody / bail and disposition, and their history: everyone who sees
    the case, victim advocates included, as on the case page ("prosecution follow-through" in
    the README's table). Advocates plan victims' safety around custody and bail; the fields hold
    offences and states, while who is charged stays in the suspect notes."""
    return can_see_cases(user)


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


def notes_visible_to(user) -> QuerySet:
    """The notes `user` may see, at least in part (what of each: `visible_fields`). Callers narrow
    the result (one case's notes, one note) rather than hand in a queryset of their own."""
    return Note.objects.filter(note_visibility_q(user))


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
    by name, never by value: meetings.agenda.presentation remembers the choice per kind, author agency
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


def can_import_feeds(user) -> bool:
    """NIBIN lead reports and eTrace results are loaded by those who manage NIBIN leads (they may
    add firearm-trace notes too); what each row may change is checked row by row."""
    return can_manage_nibin(user)


# --- NIBIN leads: seen through the firearm-trace notes that cite them ---------------------------


def nibin_keys_visible_to(user: User) -> QuerySet[LinkKey]:
    """NIBIN keys taken from notes the viewer may see: a lead cited only in a note restricted to
    another agency does not show which cases it joins."""
    return LinkKey.objects.filter(kind=LinkKey.Kind.NIBIN, note__in=notes_visible_to(user))


def leads_visible_to(user: User) -> QuerySet[NibinLead]:
    """The leads cited by at least one firearm-trace note the viewer may see."""
    if not can_see_cases(user):
        return NibinLead.objects.none()
    return NibinLead.objects.filter(number__in=nibin_keys_visible_to(user).values("value"))


def lead_case_numbers(numbers: list[str], user: User) -> dict[str, list[tuple[int, str]]]:
    """Lead number → the (id, report number) of the visible cases citing it, in one query."""
    rows = (
        nibin_keys_visible_to(user)
        .filter(value__in=numbers, shooting__in=shootings_visible_to(user))
        .values_list("value", "shooting_id", "shooting__report_number")
        .order_by("shooting__report_number")
        .distinct()
    )
    found: dict[str, list[tuple[int, str]]] = {number: [] for number in numbers}
    for number, shooting_id, report_number in rows:
        if (shooting_id, report_number) not in found[number]:
            found[number].append((shooting_id, report_number))
    return found


def lead_shootings(lead: NibinLead, user: User) -> list[Shooting]:
    keys = nibin_keys_visible_to(user).filter(value=lead.number).values("shooting_id")
    return list(shootings_visible_to(user).filter(pk__in=keys).order_by("-occurred_from"))


def lead_work_visible_to(user: User) -> QuerySet[LeadAssignment]:
    """The work on NIBIN leads (owner, state, outcome): never for advocates, and only where a note
    the viewer may see still cites the lead on that case."""
    if not sees_investigative_detail(user):
        return LeadAssignment.objects.none()
    cited = nibin_keys_visible_to(user).filter(value=OuterRef("lead__number"), shooting_id=OuterRef("shooting_id"))
    return LeadAssignment.objects.filter(Exists(cited), shooting__in=shootings_visible_to(user))


# --- Permission-checked lookups: the object, or a refusal (404, audited) ----------------------


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


def access_audited_shooting(request, pk) -> Shooting:
    """The shooting whose audit trail a supervisor asks for ("who has seen this case"): any
    shooting, for supervisors and administrators only."""
    access_audit_trail(request)
    shooting = Shooting.objects.filter(pk=pk).first()
    if shooting is None:
        refuse(request.user, "shooting", pk, request)
    return shooting


def access_new_shooting(user, request=None) -> None:
    if not can_create_shooting(user):
        refuse(user, "shooting", "new", request)


def access_shooting_to_edit(user, pk, request=None) -> Shooting:
    shooting = access_shooting(user, pk, request)
    if not can_edit_shooting(user):
        refuse(user, "shooting", pk, request)
    return shooting


def access_victim(user, pk, request=None) -> Victim:
    victim = Victim.objects.filter(pk=pk, shooting__in=shootings_visible_to(user)).select_related("shooting").first()
    if victim is None:
        refuse(user, "victim", pk, request)
    return victim


def access_manual_link(user, pk, request=None) -> ManualLink:
    """A link in force between two cases the viewer may see."""
    visible = shootings_visible_to(user)
    link = (
        ManualLink.objects.filter(pk=pk, removed_at__isnull=True, from_shooting__in=visible, to_shooting__in=visible)
        .select_related("from_shooting", "to_shooting")
        .first()
    )
    if link is None:
        refuse(user, "manual link", pk, request)
    return link


def access_note_kind(user, kind: str, request=None) -> str:
    """A kind of note `user` may add."""
    if kind not in addable_note_kinds(user):
        refuse(user, "note kind", kind, request)
    return kind


def access_import(user, request=None) -> None:
    if not can_import(user):
        refuse(user, "import", "shootings", request)


def access_feed_import(user, feed: str, request=None) -> None:
    if not can_import_feeds(user):
        refuse(user, "import", feed, request)


def access_lead_list(user, request=None) -> QuerySet:
    """The NIBIN leads `user` may see, for the list of them."""
    if not can_see_cases(user):
        refuse(user, "NIBIN lead list", "-", request)
    return leads_visible_to(user)


def access_lead(user, pk, request=None) -> NibinLead:
    lead = leads_visible_to(user).filter(pk=pk).first()
    if lead is None:
        refuse(user, "NIBIN lead", pk, request)
    return lead


def access_lead_to_triage(user, pk, request=None) -> NibinLead:
    """A lead `user` may see and set the priority of."""
    lead = access_lead(user, pk, request)
    if not can_manage_nibin(user):
        refuse(user, "NIBIN lead triage", pk, request)
    return lead


def access_lead_work(user, lead_pk, work_pk, request=None) -> LeadAssignment:
    """The work on one case of a lead, for someone who manages leads and may see it there."""
    work = (
        lead_work_visible_to(user).filter(pk=work_pk, lead_id=lead_pk).select_related("lead", "shooting").first()
        if can_manage_nibin(user)
        else None
    )
    if work is None:
        refuse(user, "NIBIN lead work", work_pk, request)
    return work


# --- Saved searches: each person's own, never anyone else's -------------------------------------


def access_saved_searches(user, request=None) -> QuerySet[SavedSearch]:
    """The person's own saved searches (only those who may see cases keep any)."""
    if not can_see_cases(user):
        refuse(user, "saved search list", "-", request)
    return SavedSearch.objects.filter(owner=user)


def access_saved_search(user, pk, request=None) -> SavedSearch:
    """One of the person's own saved searches; another's answers as if it did not exist."""
    search = (
        SavedSearch.objects.filter(pk=pk, owner=user).first() if can_see_cases(user) and str(pk).isdigit() else None
    )
    if search is None:
        refuse(user, "saved search", pk, request)
    return search
