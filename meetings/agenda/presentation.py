"""What one viewer, or one printed audience, may see of an agenda: the single source for the
agenda page, the minutes and every printed packet.

Snapshots (`meetings.agenda.snapshot`) carry every note with its kind, author agency and restriction;
here each note passes `cases.access.note_is_visible` and `visible_fields` for the viewer and, when
printing, again for the audience's typical reader. A note or field reaches the output only if
both allow it, so nobody can print more than they may see themselves.

Audiences (each a stand-in reader of an agency that is nobody's own, so no packet carries a note
restricted to one agency, and victim-services notes stay with the advocates):
- law enforcement: what a police investigator sees;
- prosecutors: what a prosecutor sees;
- advocates and community partners: what a victim advocate sees (no suspect notes, witnesses
  reduced to the safety fields, no purchaser or dealer).
Linked incidents show how they are linked (lead numbers, serials, a manual link's reason) only to
readers who see investigative detail; the others read "NIBIN lead", "same firearm", "linked by hand".
Changes of referral, charges, custody and disposition since the last review reach the readers who
see them on the case page (`cases.access.sees_prosecution_status`).
The people of a case who appear in other shootings (cases.people.overlaps) are told from the roles
the reader and the audience may both see (`cases.people.access.role_is_visible`): an advocate
reads only of victims shot before, and a role in a note restricted to one agency is in no packet.
Reasons are worded for each reader as everywhere else (rules.reasons_for_reader).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from types import SimpleNamespace

from django.utils import timezone

from accounts.models import Agency, User
from cases import lead_work
from cases.access import note_is_visible, sees_investigative_detail, sees_prosecution_status, visible_fields
from cases.display import note_lines, url_for_each
from cases.indicators import Indicator, indicators_for
from cases.models import LinkKey, NibinLead, Note, Shooting
from cases.people.access import role_is_visible, sees_every_role
from cases.people.overlaps import Fact, Overlap, has_recent_overlap, overlap_lines
from cases.prosecution import field_label

from ..models import AgendaItem, Meeting, PrintedCopy
from .rules import Window, overlap_period, reasons_for_reader, review_window
from .snapshot import ACTION_ITEMS_SECTION, as_date, as_datetime, snapshot_items
from .source_stamp import live_snapshots
from .time_plan import TimePlan, clock, person_label, plan_times

Audience = PrintedCopy.Audience
NOTE_KIND_ORDER = [k.value for k in Note.Kind]
NOTE_KIND_LABELS = dict(Note.Kind.choices)
OUTCOME_LABELS = dict(AgendaItem.Outcome.choices)
# Who each packet is written for, as a stand-in reader that cases.access judges like anyone else.
_PACKET_READERS = {
    Audience.LAW_ENFORCEMENT: (User.Role.INVESTIGATOR, Agency.Kind.POLICE),
    Audience.PROSECUTORS: (User.Role.PROSECUTOR, Agency.Kind.PROSECUTOR),
    Audience.COMMUNITY: (User.Role.VICTIM_ADVOCATE, Agency.Kind.VICTIM_ADVOCACY),
}
# An id no real agency has: "own agency" never matches, so a note restricted to one agency never
# reaches a packet that is handed around the table.
_PACKET_AGENCY_ID = -1


def audience_reader(audience: str | None) -> User | None:
    """The typical reader of a packet (None on screen: no limit beyond the viewer's own)."""
    if audience is None:
        return None
    role, kind = _PACKET_READERS[Audience(audience)]
    reader = User(username=f"packet-{audience}", role=role, is_active=True)
    reader.agency = Agency(pk=_PACKET_AGENCY_ID, kind=kind, code="packet", name=Audience(audience).label)
    return reader


class Reader:
    """The viewer, narrowed by the audience's reader when printing."""

    def __init__(self, viewer: User, audience: str | None = None):
        self.viewer = viewer
        self.audience = audience
        self.packet_reader = audience_reader(audience)
        self.people = [viewer] + ([self.packet_reader] if self.packet_reader is not None else [])
        self.sees_detail = all(sees_investigative_detail(person) for person in self.people)
        self.sees_every_role = all(sees_every_role(person) for person in self.people)
        # Visibility depends only on these four facts of a note; an agenda repeats them a lot.
        self._seen: dict[tuple, bool] = {}
        self._roles: dict[tuple, bool] = {}
        self.case_url = url_for_each("cases:detail")
        self.person_url = url_for_each("cases:person")
        self._names: dict[tuple, frozenset[str]] = {}
        # The clock dates are shown on, looked up once: an agenda shows a thousand dates.
        self.tz = timezone.get_current_timezone()

    def may_see(self, note: dict) -> bool:
        key = (note["kind"], note["author_agency_id"], note["author_agency_kind"], note["restricted"])
        if key not in self._seen:
            self._seen[key] = all(
                note_is_visible(
                    person,
                    kind=note["kind"],
                    author_agency_id=note["author_agency_id"],
                    author_agency_kind=note["author_agency_kind"],
                    restricted=note["restricted"],
                )
                for person in self.people
            )
        return self._seen[key]

    def may_see_role(self, fact: Fact) -> bool:
        """A person's role as cases.people.overlaps keeps it: by its kind and its note's facts."""
        note = fact["note"]
        key = (
            fact["role"],
            *((note["kind"], note["author_agency_id"], note["author_agency_kind"], note["restricted"]) if note else ()),
        )
        if key not in self._roles:
            self._roles[key] = all(role_is_visible(person, kind=fact["role"], note=note) for person in self.people)
        return self._roles[key]

    def fields(self, note: dict) -> tuple[dict, bool]:
        """The note's fields this reader may see, and whether anything was taken out."""
        given = note["fields"] or {}
        # visible_fields chooses fields by their names, for a note's kind and author agency;
        # an agenda asks about the same few combinations hundreds of times.
        key = (note["kind"], note["author_agency_id"], tuple(given))
        if key not in self._names:
            held = SimpleNamespace(kind=note["kind"], author_agency_id=note["author_agency_id"], fields=given)
            fields = dict(given)
            for person in self.people:
                fields = visible_fields(held, person, fields)
            self._names[key] = frozenset(fields)
        names = self._names[key]
        return {name: value for name, value in given.items() if name in names}, len(names) < len(given)


# --- What templates receive -------------------------------------------------------------------


def when(moment: datetime | None, tz: tzinfo | None = None) -> str:
    """ "Sun 22 Nov 2026, 01:00" on the local clock. Formatted here rather than with the template's
    date filter: an agenda has hundreds of dates and the page must stay fast."""
    if moment is None:
        return ""
    local = moment.astimezone(tz or timezone.get_current_timezone())
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def day(value: date | None) -> str:
    return f"{value:%a} {value.day} {value:%b}" if value else ""


@dataclass
class ActionView:
    description: str
    assignee: str
    agency: str
    due_on: date | None
    overdue: bool

    @property
    def due_text(self) -> str:
        return day(self.due_on)


@dataclass
class NoteLine:
    kind_label: str
    agency: str
    restricted: bool
    redacted: bool
    values: list[tuple[str, str]]
    paragraphs: list[tuple[str, str]]
    when_text: str = ""


@dataclass
class NoteGroup:
    kind: str
    label: str
    notes: list[NoteLine]


@dataclass
class LinkedView:
    report_number: str
    kind_label: str
    occurred_from: datetime | None
    status_label: str
    how: list[str]

    @property
    def text(self) -> str:
        local = timezone.localtime(self.occurred_from) if self.occurred_from else None
        date_text = f"{local.day} {local:%b %Y}" if local else "date unknown"
        return (
            f"{self.report_number} — {self.kind_label.lower()}, {date_text}, {self.status_label.lower()}: "
            + "; ".join(self.how)
        )


@dataclass
class ProsecutionChange:
    """One recorded change of a case's referral, charges, custody or disposition: the day it was
    recorded and (field label, before, after) of each field it changed."""

    day_text: str
    rows: list[tuple[str, str, str]]


@dataclass
class CaseView:
    id: int
    report_number: str
    kind: str
    kind_label: str
    # Dates as the text shown (on the local clock): every item's HTML is kept under a digest of
    # its view, and text is what the digest should see.
    when_text: str
    address: str
    division: str
    beat: str
    status_label: str
    lead_investigator: str
    victims: list[dict]
    flags: list[str]
    indicators: list[Indicator]
    leads: list[dict]
    linked: list[LinkedView]
    since_text: str
    new_notes: list[NoteGroup]
    action_items: list[ActionView]
    url: str = ""
    # New notes exist that this reader may not see: the item says so rather than "nothing new".
    new_notes_hidden: bool = False
    # Referral, charges, custody and disposition changed since the last review (_prosecution).
    prosecution: list[ProsecutionChange] = field(default_factory=list)
    # Its people in other shootings, as far as this reader may see them (cases.people.overlaps).
    overlaps: list[Overlap] = field(default_factory=list)

    @property
    def place_text(self) -> str:
        parts = (
            [self.address] + ([self.division] if self.division else []) + ([f"beat {self.beat}"] if self.beat else [])
        )
        return " · ".join(parts)

    @property
    def victims_text(self) -> str:
        lines = []
        for v in self.victims:
            died = f", died {v['died_on']}" if v.get("died_on") else ""
            lines.append(
                f"{v['name']} ({v['age_display']}, {v['sex']}, {v['injury_label'].lower()}{died}; "
                f"advocate referral: {v['referral'].lower()})"
            )
        return "; ".join(lines) or "none recorded"


@dataclass
class ItemView:
    """One agenda item as one reader may see it, for the page, its fragments and the packets.
    Plain values only, and everything the item's HTML shows: that HTML is kept under a digest of
    this view (meetings.agenda.item_html), so nothing the HTML does not show may go in, and
    nothing it shows may be left out."""

    pk: int
    number: int
    title: str
    text: str
    reasons: list[str]
    group_key: str
    group_start: bool = False
    group_size: int = 1
    last: bool = False
    case: CaseView | None = None
    section_actions: list[ActionView] | None = None
    discussed: bool = False
    outcome: str = ""
    outcome_text: str = ""
    review_again: bool = False
    # Filled in by the meeting's page: (description, assignee, agency code, due) of the action
    # items recorded on the item in the meeting, and the URLs its buttons post to.
    recorded_actions: list[tuple[str, str, str, str]] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)
    # The time plan (meetings.agenda.time_plan): the presenter as "Name (AGENCY)", the time box in
    # minutes, and the planned start ("09:20") once any item of the agenda has a time box.
    presenter: str = ""
    time_box: int | None = None
    planned_start: str = ""

    @property
    def is_case(self) -> bool:
        return self.case is not None

    @property
    def first(self) -> bool:
        return self.number == 1

    @property
    def reasons_text(self) -> str:
        return "; ".join(self.reasons)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


@dataclass
class AgendaView:
    meeting: Meeting
    audience: str | None
    audience_label: str
    frozen: bool
    window: Window
    items: list[ItemView]
    removed: list[AgendaItem] = field(default_factory=list)
    time_plan: TimePlan | None = None

    @property
    def case_count(self) -> int:
        return sum(1 for item in self.items if item.is_case)


def agenda_view(meeting: Meeting, viewer: User, audience: str | None = None, *, items=None) -> AgendaView:
    """The agenda as `viewer` (printing for `audience`, if given) may see it. A frozen or held
    meeting renders from its snapshots only; a scheduled one from the cases as they are now.

    Queries: the items (unless given), the previous held meeting (for the window), and for a live
    agenda the source stamp and, unless the data is unchanged since they were last built, the
    snapshot queries (see snapshot_items)."""
    reader = Reader(viewer, audience)
    if items is None:
        # Not the item's own timestamps: hundreds of datetimes cost the driver more than the
        # rest of the rows together, and nothing shown reads them.
        items = list(
            meeting.items.select_related("removed_by", "presenter__agency")
            .defer("created_at", "updated_at")
            .order_by("position", "id")
        )
    active = [i for i in items if i.removed_at is None]
    removed = [i for i in items if i.removed_at is not None]
    frozen = meeting.is_frozen
    if frozen:
        snaps = {i.pk: i.snapshot for i in active if i.snapshot}
        missing = [i for i in active if not i.snapshot]
        if missing:
            snaps.update(snapshot_items(meeting, missing))
    else:
        snaps = live_snapshots(meeting, active) if active else {}
    views = [_item_view(item, n, snaps[item.pk], reader, meeting) for n, item in enumerate(active, start=1)]
    _mark_groups(views)
    if views:
        views[-1].last = True
    case_url = url_for_each("cases:detail")
    for view in views:
        if view.case is not None:
            view.case.url = case_url(view.case.id)
    if removed:
        numbers = dict(
            Shooting.objects.filter(pk__in=[i.shooting_id for i in removed if i.shooting_id]).values_list(
                "pk", "report_number"
            )
        )
        for item in removed:
            item.label = numbers.get(item.shooting_id, "") if item.shooting_id else item.title
    label = Audience(audience).label if audience else ""
    time_plan = _time_plan(meeting, active, views)
    return AgendaView(meeting, audience, label, frozen, review_window(meeting), views, removed, time_plan)


def _time_plan(meeting: Meeting, active: list[AgendaItem], views: list[ItemView]) -> TimePlan:
    """The presenters and time boxes are the rows' own, kept out of the snapshots: a frozen
    agenda shows them as they were set before the freeze, which no longer changes them."""
    plan = plan_times(meeting, active)
    for item, view in zip(active, views, strict=True):
        view.presenter = person_label(item.presenter) if item.presenter_id else ""
        view.time_box = item.time_box
        view.planned_start = clock(plan.starts[item.pk]) if plan.timed else ""
    return plan


def _mark_groups(views: list[ItemView]) -> None:
    i = 0
    while i < len(views):
        key = views[i].group_key
        j = i + 1
        while key and j < len(views) and views[j].group_key == key:
            j += 1
        if j - i > 1:
            views[i].group_start = True
            for view in views[i:j]:
                view.group_size = j - i
        i = j


def _actions(rows: list[dict], meeting: Meeting) -> list[ActionView]:
    out = []
    for row in rows:
        due = as_date(row.get("due_on"))
        out.append(
            ActionView(row["description"], row["assignee"], row["agency"], due, bool(due and due < meeting.local_date))
        )
    return out


def _recorded(item: AgendaItem) -> dict:
    """What was recorded on the item in the meeting (the row's own fields, not the snapshot's)."""
    return {
        "discussed": item.discussed,
        "outcome": item.outcome,
        "outcome_text": item.outcome_text,
        "review_again": item.review_again,
    }


def _item_view(item: AgendaItem, number: int, snap: dict, reader: Reader, meeting: Meeting) -> ItemView:
    # A snapshot kept before people were part of it has none.
    people = snap.get("people", [])
    reasons = _reasons(item.reasons or [], reader, people, meeting)
    if snap.get("kind") != "case":
        view = ItemView(
            item.pk,
            number,
            snap.get("title", item.title),
            snap.get("text", item.text),
            reasons,
            "",
            **_recorded(item),
        )
        if item.group_key == ACTION_ITEMS_SECTION:
            view.section_actions = _actions(snap.get("action_items", []), meeting)
        return view
    s = snap["shooting"]
    victim_names = {v["id"]: v["name"] for v in snap["victims"]}

    visible_notes = [n for n in snap["notes"] if reader.may_see(n)]
    groups: dict[str, list[NoteLine]] = {}
    for note in visible_notes:
        lines = groups.setdefault(note["kind"], [])
        if len(lines) < 3:
            lines.append(_note_line(note, reader, victim_names))
    new_notes = [
        NoteGroup(kind, NOTE_KIND_LABELS.get(kind, kind), groups[kind])
        for kind in sorted(groups, key=lambda k: NOTE_KIND_ORDER.index(k) if k in NOTE_KIND_ORDER else 99)
    ]

    signal_notes = [
        SimpleNamespace(kind=n["kind"], fields=reader.fields(n)[0], is_retracted=False)
        for n in snap["signals"]
        if reader.may_see(n)
    ]
    indicators = indicators_for(
        SimpleNamespace(
            is_retaliation_risk=s["is_retaliation_risk"],
            is_juvenile_involved=s["is_juvenile_involved"],
            counting=s["counting"],
        ),
        signal_notes,
        [SimpleNamespace(is_juvenile=v["is_juvenile"], age=v["age"]) for v in snap["victims"]],
        [SimpleNamespace(status=lead["status"]) for lead in snap["leads"]],
    )
    flags = []
    if s["is_domestic_violence"]:
        flags.append("Domestic violence")
    if s["is_group_involved"]:
        flags.append("Group-involved")

    case = CaseView(
        id=s["id"],
        report_number=s["report_number"],
        kind=s["kind"],
        kind_label=s["kind_label"],
        when_text=when(as_datetime(s["occurred_from"]), reader.tz),
        address=s["address"],
        division=s["division"],
        beat=s["beat"],
        status_label=s["status_label"],
        lead_investigator=s["lead_investigator"],
        victims=snap["victims"],
        flags=flags,
        indicators=indicators,
        leads=_leads(snap["leads"], reader, meeting) if reader.sees_detail else [],
        linked=[_linked(entry, reader) for entry in snap["linked"]],
        since_text=_since_text(as_datetime(snap.get("since")), reader.tz),
        new_notes=new_notes,
        action_items=_actions(snap["action_items"], meeting),
        new_notes_hidden=len(visible_notes) < len(snap["notes"]),
    )
    case.prosecution = _prosecution(snap, reader)
    case.overlaps = overlap_lines(
        people, reader.may_see_role, tz=reader.tz, case_url=reader.case_url, person_url=reader.person_url
    )
    return ItemView(item.pk, number, s["report_number"], "", reasons, item.group_key, case=case, **_recorded(item))


def _prosecution(snap: dict, reader: Reader) -> list[ProsecutionChange]:
    """The item's prosecution changes, for a reader (and a packet's audience) who may see them.
    A snapshot kept before they were part of it has none."""
    if not all(sees_prosecution_status(person) for person in reader.people):
        return []
    return prosecution_changes(snap.get("prosecution", []), reader.tz)


def prosecution_changes(changes: list[dict], tz: tzinfo) -> list[ProsecutionChange]:
    """Prosecution changes as a snapshot keeps them, as they read on the agenda and in the minutes."""
    return [
        ProsecutionChange(
            day_text=_day_and_year(as_datetime(change["changed_at"]).astimezone(tz).date()),
            rows=[(field_label(name), old or "none", new or "none") for name, old, new in change["fields"]],
        )
        for change in changes
    ]


def _day_and_year(value: date) -> str:
    # A case reviewed for the first time may bring history of earlier years.
    return f"{day(value)} {value.year}"


def _reasons(stored: list[dict], reader: Reader, people: list[Fact], meeting: Meeting) -> list[str]:
    return reasons_for_reader(
        stored,
        sees_detail=reader.sees_detail,
        sees_every_role=reader.sees_every_role,
        sees_overlap=lambda: has_recent_overlap(people, reader.may_see_role, *overlap_period(meeting)),
    )


# --- NIBIN lead work on an item: state, owner and age, for readers who see investigative detail --


def _leads(leads: list[dict], reader: Reader, meeting: Meeting) -> list[dict]:
    """Each lead of the case with its work as one line of text. Ages run to the meeting's start
    once it has begun, so a held meeting's agenda shows them as they were discussed."""
    now = min(timezone.now(), meeting.starts_at)
    out = []
    for lead in leads:
        work = lead.get("work")
        text = ""
        if work:
            joined = as_datetime(work["joined_at"])
            ended = as_datetime(work["outcome_at"]) or now
            state = f"{work['state_label']}: {work['outcome_label']}" if work["outcome_label"] else work["state_label"]
            late = lead_work.is_past_goal(work["state"], joined, now)
            age = f"{lead_work.age_text(joined, ended)} since it joined the case"
            text = " · ".join([state, work["owner"] or "nobody assigned", age] + (["past the goal"] if late else []))
        status = lead["status_label"].split(" (")[0]
        out.append({"number": lead["number"], "status": lead["status"], "status_label": status, "work_text": text})
    return out


def _since_text(since: datetime | None, tz: tzinfo) -> str:
    if since is None:
        return "the case was entered (first review)"
    local = since.astimezone(tz)
    return f"the review of {local.day} {local:%b}"


def _note_line(note: dict, reader: Reader, victim_names: dict[int, str]) -> NoteLine:
    kind = note["kind"]
    fields, redacted = reader.fields(note)
    values, paragraphs = note_lines(kind, fields, victim_names)
    return NoteLine(
        kind_label=NOTE_KIND_LABELS.get(kind, kind),
        when_text=when(as_datetime(note["created_at"]), reader.tz),
        agency=note["author_agency_code"],
        restricted=note["restricted"],
        redacted=redacted,
        values=values,
        paragraphs=paragraphs,
    )


def _linked(entry: dict, reader: Reader) -> LinkedView:
    how = []
    for link in entry["how"]:
        if link["kind"] == LinkKey.Kind.NIBIN:
            status = "hit" if link.get("status") == NibinLead.Status.HIT else "lead"
            how.append(f"NIBIN {status} {link['value']}" if reader.sees_detail else f"NIBIN {status}")
        elif link["kind"] == LinkKey.Kind.SERIAL:
            how.append(f"same firearm serial {link['value']}" if reader.sees_detail else "same firearm")
        else:
            how.append(f"linked by hand: {link['value']}" if reader.sees_detail else "linked by hand")
    if not how:
        how.append("through another linked case")
    return LinkedView(
        report_number=entry["report_number"],
        kind_label=entry["kind_label"],
        occurred_from=as_datetime(entry["occurred_from"]),
        status_label=entry["status_label"],
        how=how,
    )
