"""The agenda rules: which cases a meeting reviews, why, and in what order.

`plan_agenda(meeting)` is a plain function over the database: it reads, never writes, and returns
dataclasses that `meetings.agenda.services.build_agenda` applies to AgendaItem rows. Every rule is
one set-based query (or two), so the cost does not grow with the number of cases on the agenda.

The review window runs from the previous held meeting's cutoff (excluded) to this meeting's
cutoff (included). The agenda holds:
  (a) every shooting that occurred or was entered in the window;
  (b) open cases with a note added in the window;
  (c) cases marked "review again" at the previous held meeting;
  (d) the cluster mates of a case on the agenda when a link in that cluster is new in the window
      (a firearm-trace note citing a lead or serial, a manual link, a NIBIN hit), grouped with it;
      and earlier-reviewed cases that a NIBIN lead created or confirmed in the window now touches;
  (e) cases with an open action item due by the meeting's date (action items without a case
      are listed in their own section);
  (f) open cases flagged as a retaliation risk;
  (g) cases whose charges were filed, declined or disposed in the window, as recorded in the
      case's history (cases.prosecution).
  (h) cases with open work on a NIBIN lead past the CGIC goals at the cutoff (cases.lead_work).
  (i) open cases (and the window's new ones) whose victim or suspect has a role in another
      shooting of the 12 months before the cutoff (cases.people.overlaps). Who is behind it is
      need-to-know, so each reader is given the reason in words they may read
      (`person_overlap_reason`), and the item's overlaps only as far as they may see them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import formats, timezone

from accounts.stored_dates import shifted
from cases import prosecution
from cases.lead_work import late_q, open_work_q
from cases.models import LeadAssignment, LinkKey, ManualLink, NibinLead, Note, Shooting, ShootingChange
from cases.people.overlaps import shootings_with_recent_overlap

from ..models import ActionItem, AgendaItem, Meeting

# Homicides first, then non-fatal injury shootings, then shots fired.
KIND_RANK = {Shooting.Kind.HOMICIDE: 0, Shooting.Kind.NONFATAL: 1, Shooting.Kind.SHOTS_FIRED: 2}
# Without a previous held meeting, the window is the week before the cutoff.
DEFAULT_WINDOW = timedelta(days=7)
# A reason names at most this many cases it is linked to, then "and N more".
LINKED_NAMES_SHOWN = 3

# Reason codes, stored with each item; the minutes and the printed packets show their text.
NEW_OCCURRED = "new_occurred"
NEW_ENTERED = "new_entered"
NEW_NOTES = "new_notes"
REVIEW_AGAIN = "review_again"
NEW_LINK = "new_link"
NIBIN_TOUCH = "nibin_touch"
ACTION_DUE = "action_due"
RETALIATION = "retaliation"
PROSECUTION = "prosecution"
LEAD_PAST_GOAL = "lead_past_goal"
PERSON_OVERLAP = "person_overlap"
ADDED_BY_HAND = "added"

# (i): how far back a person's other shootings count.
OVERLAP_LOOKBACK = timedelta(days=365)
# (i)'s reason as stored with the item, and as each reader is given it (person_overlap_reason).
PERSON_OVERLAP_TEXT = "Victim or suspect appears in another shooting of the last 12 months"
VICTIM_SHOT_BEFORE_TEXT = "Victim also shot in another shooting of the last 12 months"
# What a reader is given when (i) is an item's only reason and they may not see why.
OPEN_CASE_TEXT = "Open case follow-up"


@dataclass(frozen=True)
class Window:
    start: datetime  # excluded
    end: datetime  # included
    previous_meeting_id: int | None

    def q(self, name: str) -> Q:
        return Q(**{f"{name}__gt": self.start, f"{name}__lte": self.end})

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start < moment <= self.end


@dataclass
class PlannedItem:
    shooting_id: int
    report_number: str
    kind: str
    occurred_from: datetime
    cluster_id: int | None
    reasons: list[dict] = field(default_factory=list)
    group_key: str = ""

    def add_reason(self, code: str, text: str) -> None:
        if all(r["code"] != code for r in self.reasons):
            self.reasons.append({"code": code, "text": text})

    @property
    def rank(self) -> tuple:
        return (KIND_RANK.get(self.kind, len(KIND_RANK)), -self.occurred_from.timestamp(), self.shooting_id)


@dataclass
class AgendaPlan:
    window: Window
    items: list[PlannedItem]
    # Open action items due by the meeting that belong to no case: the "Open action items" section.
    loose_action_item_ids: list[int]


def previous_held_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__lt=meeting.starts_at)
        .exclude(pk=meeting.pk)
        .order_by("-starts_at")
        .first()
    )


def review_window(meeting: Meeting, previous: Meeting | None = None, *, look_up: bool = True) -> Window:
    """(previous held meeting's cutoff, this meeting's cutoff]. Without a previous held meeting the
    window starts at the same local wall-clock time a week earlier, so a week that crosses a
    daylight-saving change is still "since last Tuesday 09:00", not 168 hours."""
    if previous is None and look_up:
        previous = previous_held_meeting(meeting)
    if previous is not None:
        return Window(previous.cutoff_at, meeting.cutoff_at, previous.pk)
    # zoneinfo datetimes subtract as wall-clock times and take the offset valid on the new date.
    start = shifted(timezone.localtime(meeting.cutoff_at), -DEFAULT_WINDOW)
    return Window(start, meeting.cutoff_at, None)


def _short_date(value: date) -> str:
    return formats.date_format(value, "D j M")


FACTS = ("pk", "report_number", "kind", "occurred_from", "cluster_id", "created_at")

# A reason a rule gives for a case: (shooting id, reason code, text shown).
Reason = tuple[int, str, str]


def plan_agenda(meeting: Meeting) -> AgendaPlan:
    """The agenda the rules give for `meeting`, in default order. Reads only.

    Queries (bounded, whatever the number of cases): previous held meeting; (a) shootings in the
    window; (b) cases with notes in the window; (c) "review again" items; (e) open action items
    due; (f) open retaliation-risk cases; (g) prosecution changes in the window; (h) open lead
    work past the goal; (i) cases whose victim or suspect is in another recent shooting; (d) new
    link keys' holders, new manual links, new or confirmed leads and their holders, earlier
    appearances of lead-touched cases; the facts of the cases found; the members of clusters that
    gained a link."""
    previous = previous_held_meeting(meeting)
    window = review_window(meeting, previous, look_up=False)
    found: dict[int, PlannedItem] = {}
    for row, code, text in _new_shootings(window):
        _plan(found, row).add_reason(code, text)

    # Any other case the rules bring: shooting id → [(code, text)]. Their facts come in one query.
    pending: dict[int, list[tuple[str, str]]] = defaultdict(list)
    noted, again = _new_notes(window), _review_again(previous)
    loose_actions, due = _actions_due(meeting)
    for sid, code, text in [
        *noted,
        *again,
        *due,
        *_retaliation_risks(),
        *_prosecution_news(window),
        *_leads_past_goal(meeting),
        *_people_in_other_shootings(meeting, window),
    ]:
        pending[sid].append((code, text))
    newly_linked, lead_touched = _new_links(window)

    wanted = (set(pending) | newly_linked | set(lead_touched)) - set(found)
    rows = {row["pk"]: row for row in Shooting.objects.filter(pk__in=wanted).values(*FACTS)} if wanted else {}
    for sid, reasons in pending.items():
        row = rows.get(sid)
        if row is None and sid not in found:
            continue
        item = found.get(sid) or _plan(found, row)
        for code, text in reasons:
            item.add_reason(code, text)
    _add_lead_touched(meeting, lead_touched, rows, found)
    _add_cluster_mates(newly_linked, rows, found)

    items = order_items(list(found.values()))
    return AgendaPlan(window=window, items=items, loose_action_item_ids=loose_actions)


def _plan(found: dict[int, PlannedItem], row: dict) -> PlannedItem:
    """The planned item of the case of `row` (one of FACTS), made on first mention."""
    item = found.get(row["pk"])
    if item is None:
        item = found[row["pk"]] = PlannedItem(
            shooting_id=row["pk"],
            report_number=row["report_number"],
            kind=row["kind"],
            occurred_from=row["occurred_from"],
            cluster_id=row["cluster_id"],
        )
    return item


def _new_shootings(window: Window) -> list[tuple[dict, str, str]]:
    """(a) New shootings: occurred or entered in the window, whatever their status."""
    return [
        (row, NEW_OCCURRED, "Occurred since the last review")
        if window.contains(row["occurred_from"])
        else (row, NEW_ENTERED, "Entered since the last review")
        for row in Shooting.objects.filter(window.q("occurred_from") | window.q("created_at")).values(*FACTS)
    ]


def _new_notes(window: Window) -> list[Reason]:
    """(b) Open cases with a note added in the window. Any live note counts, whoever may read it;
    the reason stays generic so it never tells a viewer what kind of note they cannot see was added."""
    noted = (
        Note.objects.filter(window.q("created_at"), retracted_at__isnull=True, shooting__status=Shooting.Status.OPEN)
        .values_list("shooting_id", flat=True)
        .distinct()
    )
    return [(sid, NEW_NOTES, "New notes since the last review") for sid in noted]


def _review_again(previous: Meeting | None) -> list[Reason]:
    """(c) Cases marked "review again" at the previous held meeting."""
    if previous is None:
        return []
    again = AgendaItem.objects.filter(
        meeting=previous, review_again=True, removed_at__isnull=True, shooting__isnull=False
    ).values_list("shooting_id", flat=True)
    return [(sid, REVIEW_AGAIN, "Marked “review again” at the last meeting") for sid in again]


def _actions_due(meeting: Meeting) -> tuple[list[int], list[Reason]]:
    """(e) Open action items due by the meeting's date: the ids of those without a case (listed in
    their own section), and a reason for each case with one, naming the earliest due date."""
    loose_actions: list[int] = []
    due = (
        ActionItem.objects.filter(status=ActionItem.Status.OPEN, due_on__lte=meeting.local_date)
        .order_by("due_on", "id")
        .values_list("id", "shooting_id", "due_on")
    )
    earliest_due: dict[int, date] = {}
    for action_id, sid, due_on in due:
        if sid is None:
            loose_actions.append(action_id)
        else:
            earliest_due.setdefault(sid, due_on)
    return loose_actions, [
        (sid, ACTION_DUE, f"Open action item due {_short_date(due_on)}") for sid, due_on in earliest_due.items()
    ]


def _retaliation_risks() -> list[Reason]:
    """(f) Open cases flagged as a retaliation risk."""
    at_risk = Shooting.objects.filter(status=Shooting.Status.OPEN, is_retaliation_risk=True).values_list(
        "pk", flat=True
    )
    return [(sid, RETALIATION, "Retaliation-risk follow-up") for sid in at_risk]


def _prosecution_news(window: Window) -> list[Reason]:
    """(g) Cases whose charges were filed, declined or disposed in the window, whatever their
    status (a charged case is usually cleared already)."""
    news: dict[int, list[str]] = defaultdict(list)
    rows = (
        ShootingChange.objects.filter(prosecution.touches_prosecution(), window.q("changed_at"))
        .order_by("changed_at", "id")
        .values_list("shooting_id", "changes")
    )
    for sid, changes in rows:
        news[sid] += [event for event in prosecution.events(changes) if event in prosecution.AGENDA_EVENTS]
    return [(sid, PROSECUTION, prosecution.news_text(found)) for sid, found in news.items() if found]


def _leads_past_goal(meeting: Meeting) -> list[Reason]:
    """(h) Cases with open work on a NIBIN lead that was past the 24/48-hour goals at the cutoff."""
    late = (
        LeadAssignment.objects.filter(open_work_q(), late_q(meeting.cutoff_at))
        .values_list("shooting_id", flat=True)
        .distinct()
    )
    return [(sid, LEAD_PAST_GOAL, "Open NIBIN lead past the 24/48-hour goal") for sid in late]


def overlap_period(meeting: Meeting) -> tuple[datetime, datetime]:
    """(i)'s period: the 12 months up to the meeting's cutoff."""
    return meeting.cutoff_at - OVERLAP_LOOKBACK, meeting.cutoff_at


def _people_in_other_shootings(meeting: Meeting, window: Window) -> list[Reason]:
    """(i) Open cases, and the window's new ones whatever their status, whose victim or suspect
    has a role in another shooting of the 12 months before the cutoff. Any live role counts,
    whoever may see it; the text stored is for readers who see every role."""
    candidates = Shooting.objects.filter(
        Q(status=Shooting.Status.OPEN) | window.q("occurred_from") | window.q("created_at")
    )
    found = shootings_with_recent_overlap(candidates, *overlap_period(meeting))
    return [(sid, PERSON_OVERLAP, PERSON_OVERLAP_TEXT) for sid in found]


LEAD_FOLLOW_UP_TEXT = "NIBIN lead follow-up"


def reasons_for_reader(
    stored: list[dict], *, sees_detail: bool, sees_every_role: bool, sees_overlap: Callable[[], bool]
) -> list[str]:
    """An item's stored reasons as one reader may read them, the same on the agenda, its packets
    and the case's Reviews. The work on a lead past its goal is investigative detail; (i)'s
    reason follows what the reader sees of the people (`sees_overlap` is asked only when (i) is
    among the reasons, since it costs a look at the roles). When the reader may read none of
    them, the item is simply an open case."""
    shown = []
    for reason in stored:
        code = reason.get("code")
        if code == PERSON_OVERLAP:
            text = person_overlap_reason(sees_every_role=sees_every_role, sees_overlap=sees_overlap())
        elif code == LEAD_PAST_GOAL and not sees_detail:
            text = LEAD_FOLLOW_UP_TEXT
        else:
            text = reason.get("text", "")
        if text:
            shown.append(text)
    return shown or ([OPEN_CASE_TEXT] if stored else [])


def person_overlap_reason(*, sees_every_role: bool, sees_overlap: bool) -> str | None:
    """(i)'s reason as one reader may read it: the stored text for those who see every role, a
    victim's words for those who see people only as victims (what they can see is a victim shot
    before), and nothing for a reader who sees no overlap of the case at all (a suspect's, or one
    kept in another agency's restricted note): not even that there is one."""
    if not sees_overlap:
        return None
    return PERSON_OVERLAP_TEXT if sees_every_role else VICTIM_SHOT_BEFORE_TEXT


def _add_lead_touched(
    meeting: Meeting, lead_touched: dict[int, str], rows: dict[int, dict], found: dict[int, PlannedItem]
) -> None:
    """(d) Earlier-reviewed cases touched by a lead created or confirmed in the window."""
    touched = set(lead_touched)
    reviewed_before = set(
        AgendaItem.objects.filter(
            shooting_id__in=touched, removed_at__isnull=True, meeting__starts_at__lt=meeting.starts_at
        )
        .exclude(meeting=meeting)
        .values_list("shooting_id", flat=True)
        .distinct()
        if touched
        else []
    )
    for sid in sorted(reviewed_before):
        row = rows.get(sid)
        if row is None and sid not in found:
            continue
        item = found.get(sid) or _plan(found, row)
        item.add_reason(NIBIN_TOUCH, lead_touched[sid])


def _add_cluster_mates(newly_linked: set[int], rows: dict[int, dict], found: dict[int, PlannedItem]) -> None:
    """(d) Cluster mates of agenda cases, where a link in the cluster is new in the window."""
    new_link_clusters = {found[sid].cluster_id for sid in newly_linked if sid in found} | {
        rows[sid]["cluster_id"] for sid in newly_linked if sid in rows
    }
    new_link_clusters.discard(None)
    agenda_clusters = {item.cluster_id for item in found.values() if item.cluster_id is not None}
    expand = new_link_clusters & agenda_clusters
    if not expand:
        return
    on_agenda_before = {sid: item for sid, item in found.items() if item.cluster_id in expand}
    members = Shooting.objects.filter(cluster_id__in=expand).values(*FACTS)
    for row in members:
        if row["pk"] in found and row["pk"] not in newly_linked:
            continue
        cluster = row["cluster_id"]
        others = sorted(
            (i for i in on_agenda_before.values() if i.cluster_id == cluster and i.shooting_id != row["pk"]),
            key=lambda i: i.rank,
        )
        if not others:
            continue
        _plan(found, row).add_reason(NEW_LINK, "Newly linked to " + _names([i.report_number for i in others]))


def _names(report_numbers: list[str]) -> str:
    shown = report_numbers[:LINKED_NAMES_SHOWN]
    rest = len(report_numbers) - len(shown)
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def _new_links(window: Window) -> tuple[set[int], dict[int, str]]:
    """Shootings that gained a link in the window, and those a NIBIN lead created or confirmed in
    the window touches (with the reason text)."""
    newly_linked: set[int] = set()

    # Keys from firearm-trace notes written or revised in the window; a key links only when
    # another shooting holds it too.
    new_keys = set(
        LinkKey.objects.filter(window.q("note__created_at") | window.q("note__updated_at")).values_list("kind", "value")
    )
    if new_keys:
        holders: dict[tuple[str, str], set[int]] = defaultdict(set)
        rows = LinkKey.objects.filter(value__in={value for _, value in new_keys}).values_list(
            "kind", "value", "shooting_id"
        )
        for kind, value, sid in rows:
            if (kind, value) in new_keys:
                holders[(kind, value)].add(sid)
        for sids in holders.values():
            if len(sids) > 1:
                newly_linked |= sids

    for pair in ManualLink.objects.filter(window.q("created_at"), removed_at__isnull=True).values_list(
        "from_shooting_id", "to_shooting_id"
    ):
        newly_linked.update(pair)

    leads = {
        number: status
        for number, status, changed_at in NibinLead.objects.filter(
            window.q("created_at") | (Q(status=NibinLead.Status.HIT) & window.q("status_changed_at"))
        ).values_list("number", "status", "status_changed_at")
        # A lead excluded by the examiner later in the window links nothing.
        if status != NibinLead.Status.EXCLUDED
    }
    touched: dict[int, str] = {}
    if leads:
        by_lead: dict[str, set[int]] = defaultdict(set)
        for value, sid in LinkKey.objects.filter(kind=LinkKey.Kind.NIBIN, value__in=leads).values_list(
            "value", "shooting_id"
        ):
            by_lead[value].add(sid)
        for number, sids in by_lead.items():
            text = (
                "NIBIN hit confirmed since the last review"
                if leads[number] == NibinLead.Status.HIT
                else "New NIBIN lead since the last review"
            )
            for sid in sids:
                if touched.get(sid) != "NIBIN hit confirmed since the last review":
                    touched[sid] = text
            if len(sids) > 1:
                newly_linked |= sids
    return newly_linked, touched


def order_items(items: list[PlannedItem]) -> list[PlannedItem]:
    """Default order: homicides, non-fatal shootings, shots fired; newest first within each.
    Linked incidents (one cluster) stay together, placed where their highest-ranked member goes."""
    clusters: dict[int, list[PlannedItem]] = defaultdict(list)
    for item in items:
        if item.cluster_id is not None:
            clusters[item.cluster_id].append(item)
    groups: list[list[PlannedItem]] = []
    seen_clusters: set[int] = set()
    for item in items:
        members = clusters.get(item.cluster_id) if item.cluster_id is not None else None
        if members and len(members) > 1:
            if item.cluster_id in seen_clusters:
                continue
            seen_clusters.add(item.cluster_id)
            for member in members:
                member.group_key = str(item.cluster_id)
            groups.append(sorted(members, key=lambda i: i.rank))
        else:
            item.group_key = ""
            groups.append([item])
    groups.sort(key=lambda group: group[0].rank)
    return [item for group in groups for item in group]
