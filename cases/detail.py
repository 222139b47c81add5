"""What the case detail page, a note's revisions and the NIBIN pages show to one viewer.

Everything starts from what cases.access lets the viewer see: notes come from
`access.notes_visible_to(user)` and are cut down with `visible_fields` before any value, indicator
or revision difference is worked out, so a template can never show more than the viewer may see.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.audit import can_audit
from accounts.models import Agency, User
from accounts.stored_dates import minute_text

from . import access, linking
from .display import NoteValue, field_names_in_order, note_values
from .indicators import Indicator, indicators_for
from .models import ManualLink, NibinLead, Note, NoteRevision, Shooting, ShootingChange, Victim
from .note_html import render_notes

# The CGIC goal: every affected investigator told within 24–48 hours of recovering the evidence.
NIBIN_GOAL_HOURS = 48
# The change history shows the most recent changes; older ones stay in the database.
HISTORY_LIMIT = 50
# Notes the timeline shows before "Show all".
TIMELINE_PAGE = 25

LEAD_INVESTIGATOR_ROLES = [User.Role.INVESTIGATOR, User.Role.FEDERAL_AGENT, User.Role.SUPERVISOR, User.Role.COORDINATOR]


# --- Notes ------------------------------------------------------------------------------------


@dataclass
class NoteView:
    """A note as the timeline draws it. What it shows is worked out here as plain strings: the
    timeline's template lookups, date filters and URL tags would run for each of a case's notes."""

    note: Note
    values: list[NoteValue]
    redacted: bool
    can_edit: bool
    kind_label: str = ""
    restricted_to: str = ""  # the author's agency, for a note restricted to it
    author: str = ""  # "name, agency"
    created_iso: str = ""
    created: str = ""
    edited: str = ""  # "edited …" once revised
    retraction: str = ""  # who retracted it, when and why
    revisions_url: str = ""
    revisions_label: str = ""
    edit_url: str = ""
    retract_url: str = ""

    @property
    def short_values(self) -> list[NoteValue]:
        return [v for v in self.values if not v.long]

    @property
    def long_values(self) -> list[NoteValue]:
        return [v for v in self.values if v.long]


def _when(value: datetime) -> str:
    return minute_text(timezone.localtime(value))


def _person(person: User) -> str:
    return person.get_full_name() or person.username


def note_view(note: Note, user: User, victim_names: dict[int, str] | None = None) -> NoteView:
    can_edit = access.can_edit_note(user, note)
    retracted = note.is_retracted
    edited = ""
    if note.revision_number > 1:
        edited = "edited" if retracted else f"edited {_when(note.updated_at)}"
    return NoteView(
        note=note,
        values=note_values(note.kind, access.visible_fields(note, user), victim_names, hide_false=True),
        redacted=access.is_redacted_for(note, user),
        can_edit=can_edit,
        kind_label=note.get_kind_display(),
        restricted_to=note.author_agency.name if note.restricted_to_agency else "",
        author=f"{_person(note.author)}, {note.author_agency.name}",
        created_iso=timezone.localtime(note.created_at).isoformat(),
        created=_when(note.created_at),
        edited=edited,
        retraction=(
            f"Retracted by {_person(note.retracted_by) if note.retracted_by_id else ''} on "
            f"{_when(note.retracted_at)}: {note.retraction_reason}"
            if retracted
            else ""
        ),
        revisions_url=reverse("cases:note_revisions", args=[note.pk]),
        revisions_label=f"Revisions ({note.revision_number})" if note.revision_number > 1 else "History",
        edit_url=reverse("cases:edit_note", args=[note.pk]) if can_edit else "",
        retract_url=reverse("cases:retract_note", args=[note.pk]) if can_edit else "",
    )


def timeline_notes(shooting: Shooting, user: User, kind: str = "", limit: int | None = None) -> list[Note]:
    """The notes on the case the viewer may see (of `kind`, when given), newest first, with what
    the timeline shows of their author and retraction loaded in the same query."""
    notes = (
        access.notes_visible_to(user)
        .filter(shooting=shooting)
        .select_related("author", "author_agency", "retracted_by")
        .order_by("-created_at", "-id")
    )
    if kind:
        notes = notes.filter(kind=kind)
    return list(notes if limit is None else notes[:limit])


@dataclass(frozen=True)
class NoteFacts:
    """What the indicators and cited leads read of a note (duck-typed like a Note for them and
    for access.visible_fields); plain values, as a model object per note cost more than the rest."""

    kind: str
    author_agency_id: int
    fields: dict
    is_retracted: bool


@dataclass(frozen=True)
class NoteSummary:
    counts: dict[str, int]  # kind → notes the viewer may see, retracted ones included
    live: list[NoteFacts]  # the live ones, fields already cut down with visible_fields

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def note_summary(shooting: Shooting, user: User) -> NoteSummary:
    """What the kind filters, indicators and cited leads need of every note the viewer may see,
    in one query of the few columns they read: a case worked for years has hundreds of notes,
    and reading each with its author (and copying it to redact it) cost the page more than
    everything else it shows."""
    counts: dict[str, int] = {}
    live = []
    notes = (
        access.notes_visible_to(user)
        .filter(shooting=shooting)
        .order_by()
        .values_list("kind", "author_agency_id", "fields", "retracted_at")
    )
    for kind, author_agency_id, fields, retracted_at in notes:
        counts[kind] = counts.get(kind, 0) + 1
        if retracted_at is None:
            note = NoteFacts(kind, author_agency_id, fields, False)
            live.append(NoteFacts(kind, author_agency_id, access.visible_fields(note, user), False))
    return NoteSummary(counts, live)


# --- Revisions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    label: str
    before: str
    after: str


@dataclass
class RevisionView:
    revision: NoteRevision
    withheld: bool  # restricted to the author's agency at the time, and the viewer is outside it
    values: list[NoteValue] = field(default_factory=list)  # the first revision: everything it said
    differences: list[Difference] = field(default_factory=list)  # later ones: what changed


def revision_views(note: Note, user: User, victim_names: dict[int, str] | None = None) -> list[RevisionView]:
    """Every revision of a note with what changed since the one before, both sides redacted for
    the viewer: a field the viewer may not see never appears, not even as "changed"."""
    same_agency = user.agency_id == note.author_agency_id
    views: list[RevisionView] = []
    previous: dict | None = None
    previous_restricted = False
    for revision in note.revisions.order_by("number"):
        withheld = revision.restricted_to_agency and not same_agency
        shown = {} if withheld else access.visible_fields(note, user, revision.fields)
        view = RevisionView(revision=revision, withheld=withheld)
        if previous is None:
            view.values = note_values(note.kind, shown, victim_names)
        elif not withheld:
            view.differences = _differences(note.kind, previous, shown, victim_names)
            if revision.restricted_to_agency != previous_restricted:
                view.differences.append(
                    Difference(
                        "Restricted to the author's agency",
                        "yes" if previous_restricted else "no",
                        "yes" if revision.restricted_to_agency else "no",
                    )
                )
        views.append(view)
        previous = shown
        previous_restricted = revision.restricted_to_agency
    return views


def _differences(kind: str, before: dict, after: dict, victim_names: dict[int, str] | None) -> list[Difference]:
    old = {v.name: v for v in note_values(kind, before, victim_names)}
    new = {v.name: v for v in note_values(kind, after, victim_names)}
    names = field_names_in_order(kind, set(old) | set(new))
    found = []
    for name in names:
        a, b = old.get(name), new.get(name)
        before_text, after_text = (a.value if a else ""), (b.value if b else "")
        if before_text != after_text:
            found.append(Difference((a or b).label, before_text, after_text))
    return found


# --- NIBIN leads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadTiming:
    hours: float | None
    state: str  # "on_time" | "late" | "pending"
    label: str


def lead_timing(lead: NibinLead, now: datetime | None = None) -> LeadTiming:
    """Recovery-to-notification time against the CGIC goal. A lead not yet notified is late once
    48 hours have passed since the evidence was recovered, and pending before that."""
    hours = lead.turnaround_hours
    if hours is not None:
        if hours <= NIBIN_GOAL_HOURS:
            return LeadTiming(hours, "on_time", "on time")
        return LeadTiming(hours, "late", "late")
    now = now or timezone.now()
    if lead.evidence_recovered_at and (now - lead.evidence_recovered_at).total_seconds() > NIBIN_GOAL_HOURS * 3600:
        return LeadTiming(None, "late", "late (not yet notified)")
    return LeadTiming(None, "pending", "pending")


@dataclass(frozen=True)
class NibinSummary:
    measured: int  # leads with both a recovery and a notification time
    median_hours: float | None
    within_goal: int

    @property
    def within_goal_percent(self) -> int | None:
        return round(100 * self.within_goal / self.measured) if self.measured else None


def nibin_summary(leads: QuerySet[NibinLead]) -> NibinSummary:
    """Median turnaround and the share notified within 48 hours, over every lead in `leads`
    (one query, whatever page of the list is shown)."""
    hours = [
        (notified - recovered).total_seconds() / 3600
        for recovered, notified in leads.filter(
            evidence_recovered_at__isnull=False, notified_at__isnull=False
        ).values_list("evidence_recovered_at", "notified_at")
    ]
    return NibinSummary(
        measured=len(hours),
        median_hours=statistics.median(hours) if hours else None,
        within_goal=sum(1 for h in hours if h <= NIBIN_GOAL_HOURS),
    )


# --- The case detail page ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


@dataclass
class ChangeView:
    change: ShootingChange
    rows: list[ChangeRow]


_CHANGE_LABELS = {"partner_agencies": "Partner agencies", "victim": "Victim"}


def _change_label(name: str) -> str:
    if name in _CHANGE_LABELS:
        return _CHANGE_LABELS[name]
    try:
        return str(Shooting._meta.get_field(name).verbose_name).capitalize()
    except Exception:  # a field since removed from the model keeps its history
        return name.replace("_", " ").capitalize()


def change_views(changes: list[ShootingChange]) -> list[ChangeView]:
    return [
        ChangeView(
            change,
            [ChangeRow(_change_label(name), str(old), str(new)) for name, (old, new) in change.changes.items()],
        )
        for change in changes
    ]


@dataclass(frozen=True)
class KindFilter:
    kind: str  # "" for every kind
    label: str
    count: int


@dataclass
class CaseView:
    """Everything the case detail page shows, already cut down to what `user` may see."""

    shooting: Shooting
    user: User
    summary: NoteSummary
    shown: list[Note]  # the timeline's notes: the newest of `kind`, or all of them with show_all
    kind: str
    victims: list[Victim]
    indicators: list[Indicator]
    linked: list[linking.LinkedCase]
    manual_links: list[ManualLink]
    leads: list[tuple[NibinLead, LeadTiming]]
    changes: list[ChangeView]
    partner_agencies: list[Agency]
    addable_kinds: list[tuple[str, str]]
    can_edit: bool
    # "Who has seen this case", for those who may read the audit trail.
    viewers_url: str = ""
    show_all: bool = False

    @cached_property
    def timeline(self) -> list[NoteView]:
        return [self.note_view(n) for n in self.shown]

    @property
    def timeline_html(self) -> str:
        """The timeline's notes drawn (cases.note_html keeps each drawing for what it shows)."""
        return render_notes(self.timeline)

    @property
    def timeline_total(self) -> int:
        return self.summary.counts.get(self.kind, 0) if self.kind else self.summary.total

    @property
    def timeline_hidden(self) -> int:
        return self.timeline_total - len(self.timeline)

    @property
    def kind_filters(self) -> list[KindFilter]:
        counts = self.summary.counts
        shown = [KindFilter("", "All", self.summary.total)]
        for kind, label in Note.Kind.choices:
            if counts.get(kind):
                shown.append(KindFilter(kind, label, counts.get(kind, 0)))
        return shown

    @cached_property
    def victim_names(self) -> dict[int, str]:
        return {v.pk: v.name for v in self.victims}

    def note_view(self, note: Note) -> NoteView:
        return note_view(note, self.user, self.victim_names)


def case_view(shooting: Shooting, user: User, *, kind: str = "", show_all: bool = False) -> CaseView:
    """The detail page's content for one viewer.

    The timeline opens on the newest notes (of the chosen kind), all of them when asked: a case
    worked for years gathers hundreds of notes, and the page should open fast on what is new.

    Queries: the note summary, the timeline's notes (with author, agency, retracted-by), victims,
    cited leads (when any), change history, partner agencies; with a cluster, linked_cases' four
    plus the visibility check of the linked cases and the active manual links."""
    if kind not in Note.Kind.values:
        kind = ""
    summary = note_summary(shooting, user)
    shown = timeline_notes(shooting, user, kind, limit=None if show_all else TIMELINE_PAGE)
    victims = list(shooting.victims.select_related("person_role"))
    leads = _cited_leads(summary.live)
    linked: list[linking.LinkedCase] = []
    manual: list[ManualLink] = []
    if shooting.cluster_id is not None:
        linked = linking.linked_cases(shooting, hide_serials=access.is_advocate(user))
        visible_ids = set(
            access.shootings_visible_to(user)
            .filter(pk__in=[item.shooting.pk for item in linked])
            .values_list("pk", flat=True)
        )
        linked = [item for item in linked if item.shooting.pk in visible_ids]
        manual = list(
            ManualLink.objects.filter(removed_at__isnull=True)
            .filter(Q(from_shooting=shooting) | Q(to_shooting=shooting))
            .select_related("from_shooting", "to_shooting", "created_by")
            .order_by("created_at")
        )
    changes = list(ShootingChange.objects.filter(shooting=shooting).order_by("-changed_at", "-id")[:HISTORY_LIMIT])
    return CaseView(
        shooting=shooting,
        user=user,
        summary=summary,
        shown=shown,
        kind=kind,
        show_all=show_all,
        victims=victims,
        indicators=indicators_for(shooting, summary.live, victims, [lead for lead, _ in leads]),
        linked=linked,
        manual_links=manual,
        leads=leads,
        changes=change_views(changes),
        partner_agencies=list(shooting.partner_agencies.all()),
        addable_kinds=addable_kinds(user),
        can_edit=access.can_edit_shooting(user),
        viewers_url=reverse("case_viewers", args=[shooting.pk]) if can_audit(user) else "",
    )


def addable_kinds(user: User) -> list[tuple[str, str]]:
    """The kinds of note `user` may add, with their labels: the case page's "Add … note" buttons."""
    labels = dict(Note.Kind.choices)
    return [(kind, labels[kind]) for kind in access.addable_note_kinds(user)]


def _cited_leads(live_notes: list[NoteFacts]) -> list[tuple[NibinLead, LeadTiming]]:
    """The leads cited by the live firearm-trace notes the viewer may see (rather than every key
    of the case, which may come from a note restricted to another agency)."""
    numbers = {
        number
        for note in live_notes
        if note.kind == Note.Kind.FIREARM and not note.is_retracted
        for number in note.fields.get("nibin_leads") or []
    }
    if not numbers:
        return []
    now = timezone.now()
    return [(lead, lead_timing(lead, now)) for lead in NibinLead.objects.filter(number__in=numbers).order_by("number")]


def lead_investigator_choices(current_id: int | None = None) -> QuerySet[User]:
    """Who may lead a case: active people of law-enforcement agencies in an investigating role
    (and whoever leads it now, so that editing other fields never drops them)."""
    eligible = Q(
        is_active=True,
        # A system's account (accounts.tokens) never leads a case.
        is_integration=False,
        agency__kind__in=access.LAW_ENFORCEMENT_AGENCIES,
        role__in=LEAD_INVESTIGATOR_ROLES,
    )
    if current_id:
        eligible |= Q(pk=current_id)
    return User.objects.filter(eligible).select_related("agency").order_by("last_name", "first_name", "username")


def assignable_people(current: list[int]) -> list[User]:
    """Who may be assigned the work on a lead: those who may lead cases, and whoever holds it now
    (the lead's page and the API offer the same people)."""
    return list(lead_investigator_choices().filter(pk__isnull=False)) + list(
        User.objects.filter(pk__in=[pk for pk in current if pk]).exclude(
            pk__in=lead_investigator_choices().values("pk")
        )
    )
