"""One case's record at the meetings: every meeting that had it on its agenda, why, what was
decided and the action items agreed. Drawn by the case page's Reviews section (through
cases.meeting_history, which `install` fills in), by its htmx fragment and page
(meetings.views.case_reviews), summed up in the case export's columns, and, for the cases of a
person, listed as open action items on the person page.

Need-to-know follows the minutes (meetings.minutes): whoever may see a meeting reads, for each
item, its reasons, outcome and outcome notes, its removal with the reason, and the action items
with their owners, as the minutes show them to every partner at the table; whoever may not
gets nothing of any meeting. No note content is ever part of it. The one reason that depends on
who reads it, rule (i)'s people in other shootings, is worded as the agenda words it for them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.access import sees_investigative_detail
from cases.meeting_history import meeting_history
from cases.models import Shooting
from cases.people.access import sees_every_role
from cases.people.overlaps import has_recent_overlap, role_facts, visible_to

from .access import can_complete_action_item, can_view_meetings
from .agenda import rules
from .models import ActionItem, AgendaItem, Meeting

# The case page opens on the newest reviews (and on any older one with an action item still
# open); the rest come when asked, as the notes do.
REVIEWS_SHOWN = 5
OUTCOME_LABELS = dict(AgendaItem.Outcome.choices)
STATUS_LABELS = {
    Meeting.Status.SCHEDULED: "Coming meeting",
    Meeting.Status.FROZEN: "Agenda frozen (not final)",
    Meeting.Status.HELD: "Held",
    Meeting.Status.CANCELLED: "Cancelled",
}


@dataclass(frozen=True)
class ActionLine:
    pk: int
    description: str
    owner: str
    agency_code: str
    due_on: date
    is_open: bool
    overdue: bool
    done_on: date | None
    url: str
    # The case, where the line is listed away from it (the person page).
    report_number: str = ""


@dataclass
class Review:
    """The case's item on one meeting's agenda, as its minutes record it."""

    meeting_id: int
    item_id: int
    day: date
    status: str
    status_label: str
    url: str  # the item in the minutes of a held meeting, on the meeting's page otherwise
    url_label: str
    reasons: list[str]
    removed_on: date | None
    removal_reason: str
    discussed: bool
    outcome_label: str
    outcome_text: str
    review_again: bool
    actions: list[ActionLine] = field(default_factory=list)

    @property
    def is_held(self) -> bool:
        return self.status == Meeting.Status.HELD

    @property
    def is_removed(self) -> bool:
        return self.removed_on is not None

    @property
    def open_actions(self) -> int:
        return sum(1 for action in self.actions if action.is_open)


@dataclass
class CaseReviews:
    shooting: Shooting
    reviews: list[Review]  # newest meeting first
    shown: list[Review]

    @property
    def hidden(self) -> int:
        return len(self.reviews) - len(self.shown)

    @property
    def open_actions(self) -> int:
        return sum(review.open_actions for review in self.reviews)


def reviews_of(shooting: Shooting, user: User, *, show_all: bool = False) -> CaseReviews:
    """The meetings that had `shooting` on their agenda, as `user` may see them.

    Queries: the case's agenda items with their meetings; when there are any, the action items
    agreed on them (with owner and agency); when one was brought by rule (i), the roles of the
    case's people. Three at most, however many meetings."""
    if not can_view_meetings(user):
        return CaseReviews(shooting, [], [])
    items = list(
        AgendaItem.objects.filter(shooting=shooting)
        .select_related("meeting")
        # Neither the item's frozen content nor the meeting's cover numbers are shown here.
        .defer("snapshot", "text", "meeting__cover_snapshot")
        .order_by("-meeting__starts_at", "-meeting_id")
    )
    actions: dict[int, list[ActionLine]] = {}
    if items:
        today = timezone.localdate()
        by_meeting = {item.meeting_id: item for item in items}
        rows = (
            ActionItem.objects.filter(shooting=shooting, meeting_id__in=list(by_meeting))
            .select_related("assignee", "agency")
            .order_by("due_on", "id")
        )
        for row in rows:
            actions.setdefault(row.meeting_id, []).append(_action_line(row, by_meeting[row.meeting_id], today))
    reasons = _Reasons(shooting, user, items)
    reviews = [_review(item, actions.get(item.meeting_id, []), reasons(item)) for item in items]
    shown = reviews if show_all else [r for n, r in enumerate(reviews) if n < REVIEWS_SHOWN or r.open_actions]
    return CaseReviews(shooting, reviews, shown)


def _links(item: AgendaItem) -> tuple[str, str]:
    """Where the item is on record: the minutes of a held meeting, the meeting's agenda otherwise."""
    meeting = item.meeting
    if meeting.status == Meeting.Status.HELD:
        return reverse("meetings:minutes", args=[meeting.pk]), "Minutes"
    return meeting.get_absolute_url(), "Agenda"


def _action_line(row: ActionItem, item: AgendaItem, today: date) -> ActionLine:
    base, _ = _links(item)
    is_open = row.status == ActionItem.Status.OPEN
    anchor = f"#minutes-action-{row.pk}" if item.meeting.status == Meeting.Status.HELD else f"#item-{item.pk}"
    return ActionLine(
        pk=row.pk,
        description=row.description,
        owner=row.assignee.get_full_name() or row.assignee.username,
        agency_code=row.agency.code,
        due_on=row.due_on,
        is_open=is_open,
        overdue=is_open and row.due_on < today,
        done_on=timezone.localdate(row.done_at) if row.done_at else None,
        url=base + anchor,
    )


class _Reasons:
    """Each item's reasons as `user` may read them (meetings.agenda.presentation words them the
    same on the agenda): rule (i)'s from the roles the user may see of the case's people, judged
    against each meeting's own 12 months."""

    def __init__(self, shooting: Shooting, user: User, items: list[AgendaItem]):
        wanted = any(r.get("code") == rules.PERSON_OVERLAP for item in items for r in item.reasons or [])
        self.facts = role_facts([shooting.pk]).get(shooting.pk, []) if wanted else []
        self.may_see = visible_to(user)
        self.sees_every_role = sees_every_role(user)
        self.sees_detail = sees_investigative_detail(user)

    def __call__(self, item: AgendaItem) -> list[str]:
        return rules.reasons_for_reader(
            item.reasons or [],
            sees_detail=self.sees_detail,
            sees_every_role=self.sees_every_role,
            sees_overlap=lambda: has_recent_overlap(self.facts, self.may_see, *rules.overlap_period(item.meeting)),
        )


def _review(item: AgendaItem, actions: list[ActionLine], reasons: list[str]) -> Review:
    meeting = item.meeting
    base, label = _links(item)
    if item.removed_at is not None:
        anchor = ""
    elif meeting.status == Meeting.Status.HELD:
        anchor = f"#minutes-item-{item.pk}"
    else:
        anchor = f"#item-{item.pk}"
    return Review(
        meeting_id=meeting.pk,
        item_id=item.pk,
        day=meeting.local_date,
        status=meeting.status,
        status_label=STATUS_LABELS.get(meeting.status, meeting.get_status_display()),
        url=base + anchor,
        url_label=label,
        reasons=reasons,
        removed_on=timezone.localdate(item.removed_at) if item.removed_at else None,
        removal_reason=item.removal_reason,
        discussed=item.discussed,
        outcome_label=OUTCOME_LABELS.get(item.outcome, "") if item.outcome else "",
        outcome_text=item.outcome_text,
        review_again=item.review_again,
        # Open ones first, each group by due date.
        actions=sorted(actions, key=lambda a: (not a.is_open, a.due_on, a.pk)),
    )


def section_html(shooting: Shooting, user: User, *, show_all: bool = False) -> str:
    """The Reviews section as the case page and the fragment draw it; none at all for someone who
    may not see the meetings (rather than a section saying there were none)."""
    if not can_view_meetings(user):
        return ""
    reviews = reviews_of(shooting, user, show_all=show_all)
    return render_to_string("meetings/case_reviews.html#reviews", {"reviews": reviews})


# --- The case export --------------------------------------------------------------------------

EXPORT_COLUMNS = ["Reviewed at meetings", "Last review outcome", "Open action items"]


def export_cells(user: User, ids: list[int]) -> dict[int, list[str]]:
    """The export's meeting columns for these cases: the dates of the held meetings that reviewed
    each (newest first), what the latest of them recorded, and the action items still open.

    Queries: the held meetings' items of these cases, the open action items on them."""
    if not can_view_meetings(user) or not ids:
        return {}
    dates: dict[int, list[str]] = {}
    last: dict[int, str] = {}
    items = (
        AgendaItem.objects.filter(shooting_id__in=ids, removed_at__isnull=True, meeting__status=Meeting.Status.HELD)
        .order_by("-meeting__starts_at", "-meeting_id")
        .values_list("shooting_id", "meeting__local_date", "discussed", "outcome", "outcome_text")
    )
    for shooting_id, day, discussed, outcome, text in items:
        dates.setdefault(shooting_id, []).append(day.isoformat())
        if shooting_id not in last:
            last[shooting_id] = _outcome_cell(discussed, outcome, text)
    open_items: dict[int, list[str]] = {}
    actions = (
        ActionItem.objects.open()
        .filter(shooting_id__in=ids)
        .order_by("due_on", "id")
        .values_list(
            "shooting_id",
            "description",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__username",
            "agency__code",
            "due_on",
        )
    )
    for shooting_id, description, first, last_name, username, agency, due in actions:
        owner = f"{first} {last_name}".strip() or username
        open_items.setdefault(shooting_id, []).append(f"{description} ({owner}, {agency}, due {due.isoformat()})")
    return {
        pk: ["; ".join(dates.get(pk, [])), last.get(pk, ""), "; ".join(open_items.get(pk, []))]
        for pk in set(dates) | set(open_items)
    }


def _outcome_cell(discussed: bool, outcome: str, text: str) -> str:
    label = OUTCOME_LABELS.get(outcome, "") if outcome else ""
    text = " ".join(text.split())
    if label and text:
        return f"{label}: {text}"
    return label or text or ("Discussed" if discussed else "Not discussed")


# --- The person page ---------------------------------------------------------------------------


def open_actions_of_cases(user: User, shooting_ids: list[int], *, limit: int) -> list[ActionLine]:
    """The open action items agreed on the agenda items of these cases (the person page lists
    those of the cases in which the reader may see the person), as the Reviews section shows
    them: to whoever may see the meetings. Each leads to the item's own page for whoever may
    close it (its assignee, a coordinator), to where the minutes or the agenda list it otherwise.

    Queries: one (the items with their agenda item, meeting, case, owner and agency)."""
    if not can_view_meetings(user) or not shooting_ids:
        return []
    today = timezone.localdate()
    rows = (
        ActionItem.objects.open()
        .filter(shooting_id__in=shooting_ids, agenda_item__isnull=False)
        .select_related("agenda_item__meeting", "shooting", "assignee", "agency")
        .defer("agenda_item__snapshot", "agenda_item__text", "agenda_item__meeting__cover_snapshot")
        .order_by("due_on", "id")[:limit]
    )
    lines = []
    for row in rows:
        line = _action_line(row, row.agenda_item, today)
        url = reverse("meetings:action_item", args=[row.pk]) if can_complete_action_item(user, row) else line.url
        lines.append(replace(line, url=url, report_number=row.shooting.report_number))
    return lines


def install() -> None:
    meeting_history.section = section_html
    meeting_history.export_columns = EXPORT_COLUMNS
    meeting_history.export_cells = export_cells
    meeting_history.open_actions = open_actions_of_cases
