"""Every write to an agenda and to what a meeting records: building, editing, freezing, and in the
meeting itself outcomes, action items, attendance and "held".

Edits to the agenda's content or order post the `agenda_version` they were made on; each one locks
the meeting row, refuses a stale version (two coordinators at once: nothing lost, nothing silently
reordered) and bumps the version. A frozen agenda accepts no edits until it is explicitly
unfrozen, which is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.inputs import text_problem
from accounts.models import Agency, User
from cases.access import shootings_visible_to

from ..cover.stats import keep_cover
from ..models import ActionItem, AgendaEvent, AgendaItem, Attendance, Meeting
from . import rules
from .snapshot import ACTION_ITEMS_SECTION, snapshot_items

ACTION_ITEMS_TITLE = "Open action items"

CORRECTED = AgendaEvent.Kind.CORRECTED
# What is recorded of each item in the meeting, hence what a correction can change.
RECORDED = ("discussed", "outcome", "outcome_text", "review_again")


class AgendaError(Exception):
    """An edit that cannot be made; `field` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class AgendaConflict(AgendaError):
    """Someone else changed the agenda after this page was loaded."""

    def __init__(self, current: Meeting):
        super().__init__(
            "Someone else changed this agenda while you were looking at it. Nothing was changed: "
            "here is the agenda as it is now — please make your change again."
        )
        self.current = current


class AgendaLocked(AgendaError):
    """The agenda is frozen (or the meeting is over or cancelled)."""


class EmptyAgenda(AgendaError):
    """Freezing an agenda with no items needs an explicit confirmation."""


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _event(meeting: Meeting, user: User, kind: str, detail: str = "") -> AgendaEvent:
    return AgendaEvent.objects.create(
        meeting=meeting, kind=kind, actor=user, actor_name=_name(user), detail=detail[:500]
    )


def _lock_for_edit(meeting: Meeting, expected_version: int | None) -> Meeting:
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status == Meeting.Status.CANCELLED:
        raise AgendaLocked("This meeting was cancelled; its agenda cannot be changed.")
    if current.status == Meeting.Status.HELD:
        raise AgendaLocked("This meeting has been held; its agenda cannot be changed.")
    if current.status == Meeting.Status.FROZEN:
        raise AgendaLocked("The agenda is frozen. Unfreeze it (with a reason) to change it.")
    if expected_version is not None and current.agenda_version != expected_version:
        raise AgendaConflict(current)
    return current


def _lock_in_meeting(meeting: Meeting) -> Meeting:
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status != Meeting.Status.FROZEN:
        raise AgendaLocked("Outcomes, action items and attendance are recorded on a frozen agenda, before it is held.")
    return current


def _lock_for_outcomes(meeting: Meeting) -> Meeting:
    """Outcomes are recorded in the meeting and may still be corrected once it is held: the
    minutes are often put right the next day."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status == Meeting.Status.CANCELLED:
        raise AgendaLocked("This meeting was cancelled; nothing is recorded on it.")
    if current.status not in {Meeting.Status.FROZEN, Meeting.Status.HELD}:
        raise AgendaLocked("Outcomes, action items and attendance are recorded on a frozen agenda, before it is held.")
    return current


def _bump(meeting: Meeting, **changes) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(agenda_version=F("agenda_version") + 1, **changes)
    meeting.refresh_from_db()


def _active(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.items.filter(removed_at__isnull=True).order_by("position", "id"))


def _renumber(items: list[AgendaItem]) -> None:
    changed = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["position"])


def _next_position(meeting: Meeting) -> int:
    return (meeting.items.aggregate(top=Max("position"))["top"] or 0) + 1


# --- Building ---------------------------------------------------------------------------------


@dataclass
class BuildResult:
    added: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    total: int = 0


def _index_of(items: list[AgendaItem], item: AgendaItem) -> int:
    # By identity: list.index compares unsaved model instances through Model.__eq__, and a
    # busy week places hundreds of new items into a list of hundreds.
    return next(n for n, other in enumerate(items) if other is item)


@transaction.atomic
def build_agenda(meeting: Meeting, user: User, *, expected_version: int | None = None) -> BuildResult:
    """Apply the agenda rules. A rebuild keeps what coordinators did: cases added by hand, free
    text, removed items (still removed, with their reason) and the order of the items it keeps;
    new cases go next to where the rules place them. An automatic item that no longer qualifies
    is dropped, unless something was already recorded on it."""
    meeting = _lock_for_edit(meeting, expected_version)
    plan = rules.plan_agenda(meeting)
    planned = {p.shooting_id: p for p in plan.items}
    existing = list(meeting.items.order_by("position", "id"))
    by_case = {item.shooting_id: item for item in existing if item.shooting_id}
    result = BuildResult()

    # Automatic items the rules no longer bring, with nothing recorded on them.
    stale = [
        item
        for item in existing
        if item.shooting_id
        and item.shooting_id not in planned
        and item.added_by_id is None
        and item.removed_at is None
        and not (item.discussed or item.outcome or item.outcome_text or item.review_again)
    ]
    if stale:
        with_actions = set(
            ActionItem.objects.filter(agenda_item__in=stale).values_list("agenda_item_id", flat=True).distinct()
        )
        stale = [item for item in stale if item.pk not in with_actions]
        AgendaItem.objects.filter(pk__in=[item.pk for item in stale]).delete()
        result.dropped = [item.shooting_id for item in stale]
    stale_ids = {item.pk for item in stale}
    existing = [item for item in existing if item.pk not in stale_ids]

    updated = []
    for item in existing:
        p = planned.get(item.shooting_id) if item.shooting_id else None
        if p is None:
            continue
        kept = [r for r in item.reasons or [] if r.get("code") == rules.ADDED_BY_HAND]
        item.reasons = p.reasons + kept
        item.group_key = p.group_key
        updated.append(item)
    AgendaItem.objects.bulk_update(updated, ["reasons", "group_key"])

    order: list[AgendaItem] = [item for item in existing if item.removed_at is None]
    new_items: list[AgendaItem] = []
    placed = {item.shooting_id: item for item in order if item.shooting_id}
    sequence = [p.shooting_id for p in plan.items]
    for index, sid in enumerate(sequence):
        if sid in by_case and by_case[sid].pk not in stale_ids:
            continue  # on the agenda already (or removed by a coordinator: it stays removed)
        p = planned[sid]
        item = AgendaItem(
            meeting=meeting, kind=AgendaItem.Kind.CASE, shooting_id=sid, reasons=p.reasons, group_key=p.group_key
        )
        before = next((placed[s] for s in reversed(sequence[:index]) if s in placed), None)
        after = next((placed[s] for s in sequence[index + 1 :] if s in placed), None)
        if before is not None:
            order.insert(_index_of(order, before) + 1, item)
        elif after is not None:
            order.insert(_index_of(order, after), item)
        else:
            order.append(item)
        placed[sid] = item
        new_items.append(item)

    section = next((i for i in existing if i.group_key == ACTION_ITEMS_SECTION), None)
    if plan.loose_action_item_ids and section is None:
        section = AgendaItem(meeting=meeting, kind=AgendaItem.Kind.TEXT, title=ACTION_ITEMS_TITLE)
        section.group_key = ACTION_ITEMS_SECTION
        order.append(section)
        new_items.append(section)

    for position, item in enumerate(order, start=1):
        item.position = position
    kept = [item for item in order if item.pk is not None]
    AgendaItem.objects.bulk_create(new_items)
    AgendaItem.objects.bulk_update(kept, ["position"])

    result.added = [item.shooting_id for item in new_items if item.shooting_id]
    result.total = len(order)
    _event(
        meeting,
        user,
        AgendaEvent.Kind.BUILT,
        f"{result.total} items; {len(result.added)} added, {len(result.dropped)} no longer qualifying removed",
    )
    _bump(meeting, agenda_built_at=timezone.now())
    return result


# --- Editing ----------------------------------------------------------------------------------


@transaction.atomic
def reorder_items(meeting: Meeting, user: User, order: list[int], *, expected_version: int) -> None:
    """Put the agenda's items in this order (all of them: a partial or unknown list is refused
    rather than guessed at)."""
    meeting = _lock_for_edit(meeting, expected_version)
    items = _active(meeting)
    by_id = {item.pk: item for item in items}
    if len(order) != len(items) or set(order) != set(by_id):
        raise AgendaConflict(meeting)
    _renumber([by_id[pk] for pk in order])
    _bump(meeting)


@transaction.atomic
def move_item(meeting: Meeting, user: User, item_id: int, direction: str, *, expected_version: int) -> None:
    """One step up or down: the keyboard (and no-JavaScript) way to reorder."""
    meeting = _lock_for_edit(meeting, expected_version)
    items = _active(meeting)
    index = next((i for i, item in enumerate(items) if item.pk == item_id), None)
    if index is None:
        raise AgendaError("That item is no longer on the agenda.")
    target = index - 1 if direction == "up" else index + 1
    if direction not in {"up", "down"} or not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    _renumber(items)
    _bump(meeting)


@transaction.atomic
def add_case(meeting: Meeting, user: User, report_number: str, *, expected_version: int) -> AgendaItem:
    """Put any case on the agenda by its report number (a removed item comes back)."""
    meeting = _lock_for_edit(meeting, expected_version)
    number = (report_number or "").strip()
    if not number:
        raise AgendaError("Enter a report number.", "report_number")
    shooting = shootings_visible_to(user).filter(report_number__iexact=number).first()
    if shooting is None:
        raise AgendaError(f"No case has the report number {number}.", "report_number")
    reason = {"code": rules.ADDED_BY_HAND, "text": f"Added by {_name(user)}"}
    item = meeting.items.filter(shooting=shooting).first()
    if item is not None and item.removed_at is None:
        raise AgendaError(
            f"{shooting.report_number} is already on the agenda (item {_number_of(item)}).", "report_number"
        )
    if item is None:
        item = AgendaItem(meeting=meeting, kind=AgendaItem.Kind.CASE, shooting=shooting, reasons=[])
    item.removed_at, item.removed_by, item.removal_reason = None, None, ""
    item.added_by = user
    item.reasons = [r for r in item.reasons if r.get("code") != rules.ADDED_BY_HAND] + [reason]
    item.group_key = str(shooting.cluster_id) if shooting.cluster_id else ""
    item.position = _next_position(meeting)
    item.save()
    _bump(meeting)
    return item


def _number_of(item: AgendaItem) -> int:
    return (
        AgendaItem.objects.filter(
            meeting_id=item.meeting_id, removed_at__isnull=True, position__lt=item.position
        ).count()
        + 1
    )


@transaction.atomic
def add_text_item(meeting: Meeting, user: User, title: str, text: str, *, expected_version: int) -> AgendaItem:
    """A free-text item, for instance a retaliation watch list."""
    meeting = _lock_for_edit(meeting, expected_version)
    title = (title or "").strip()
    if not title:
        raise AgendaError("Give the item a title.", "title")
    item = AgendaItem.objects.create(
        meeting=meeting,
        kind=AgendaItem.Kind.TEXT,
        title=title[:200],
        text=(text or "").strip(),
        added_by=user,
        reasons=[{"code": rules.ADDED_BY_HAND, "text": f"Added by {_name(user)}"}],
        position=_next_position(meeting),
    )
    _bump(meeting)
    return item


@transaction.atomic
def remove_item(meeting: Meeting, user: User, item_id: int, reason: str, *, expected_version: int) -> AgendaItem:
    meeting = _lock_for_edit(meeting, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise AgendaError("Say why the item comes off the agenda.", "reason")
    item = meeting.items.filter(pk=item_id, removed_at__isnull=True).first()
    if item is None:
        raise AgendaError("That item is no longer on the agenda.")
    item.removed_at = timezone.now()
    item.removed_by = user
    item.removal_reason = reason[:300]
    item.save(update_fields=["removed_at", "removed_by", "removal_reason", "updated_at"])
    _renumber(_active(meeting))
    _bump(meeting)
    return item


@transaction.atomic
def restore_item(meeting: Meeting, user: User, item_id: int, *, expected_version: int) -> AgendaItem:
    meeting = _lock_for_edit(meeting, expected_version)
    item = meeting.items.filter(pk=item_id, removed_at__isnull=False).first()
    if item is None:
        raise AgendaError("That item is not among the removed items.")
    item.removed_at, item.removed_by, item.removal_reason = None, None, ""
    item.position = _next_position(meeting)
    item.save(update_fields=["removed_at", "removed_by", "removal_reason", "position", "updated_at"])
    _bump(meeting)
    return item


@transaction.atomic
def plan_item(
    meeting: Meeting, user: User, item_id: int, *, presenter: User | None, time_box: int | None, expected_version: int
) -> AgendaItem:
    """Who presents the item and how many minutes it is given (meetings.agenda.time_plan adds
    them up); set while the agenda is being prepared, like every other edit."""
    meeting = _lock_for_edit(meeting, expected_version)
    item = meeting.items.filter(pk=item_id, removed_at__isnull=True).first()
    if item is None:
        raise AgendaError("That item is no longer on the agenda.")
    if presenter is not None and (not presenter.is_active or presenter.agency_id is None):
        raise AgendaError("Choose an active person with an agency as presenter.", "presenter")
    item.presenter = presenter
    item.time_box = time_box
    item.save(update_fields=["presenter", "time_box", "updated_at"])
    _bump(meeting)
    return item


# --- Freezing ---------------------------------------------------------------------------------


@transaction.atomic
def freeze(meeting: Meeting, user: User, *, expected_version: int, confirm_empty: bool = False) -> Meeting:
    """Store each item's content as it is now; from here on the agenda (on screen and in print)
    comes from these snapshots, whatever later happens to the cases."""
    meeting = _lock_for_edit(meeting, expected_version)
    items = _active(meeting)
    if not items and not confirm_empty:
        raise EmptyAgenda(
            "The agenda is empty. Build it first, or confirm that you want to freeze an empty agenda.",
            "confirm_empty",
        )
    snaps = snapshot_items(meeting, items)
    for item in items:
        item.snapshot = snaps[item.pk]
    AgendaItem.objects.bulk_update(items, ["snapshot"])
    now = timezone.now()
    _event(meeting, user, AgendaEvent.Kind.FROZEN, f"{len(items)} items" + (" (empty agenda)" if not items else ""))
    _bump(meeting, status=Meeting.Status.FROZEN, frozen_at=now, frozen_by=user, updated_at=now)
    # The cover numbers are kept with the snapshots, so a reprint's cover does not change either.
    keep_cover(meeting, user)
    return meeting


@transaction.atomic
def unfreeze(meeting: Meeting, user: User, reason: str) -> Meeting:
    """An explicit, recorded act: the snapshots are dropped and the agenda is live again."""
    reason = (reason or "").strip()
    if not reason:
        raise AgendaError("Say why the agenda is unfrozen.", "reason")
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status != Meeting.Status.FROZEN:
        raise AgendaLocked("Only a frozen agenda of a meeting not yet held can be unfrozen.")
    current.items.update(snapshot=None)
    _event(current, user, AgendaEvent.Kind.UNFROZEN, reason)
    # The cover numbers kept at freezing go too: a live agenda has live numbers.
    _bump(
        current,
        status=Meeting.Status.SCHEDULED,
        frozen_at=None,
        frozen_by=None,
        cover_snapshot=None,
        updated_at=timezone.now(),
    )
    return current


# --- In the meeting ---------------------------------------------------------------------------


@transaction.atomic
def record_item(
    meeting: Meeting,
    user: User,
    item_id: int,
    *,
    discussed: bool,
    outcome: str,
    outcome_text: str,
    review_again: bool,
    expected_version: int | None = None,
) -> AgendaItem:
    """Discussed or not, the outcome (decision, information, follow-up) and whether the case
    comes back next week. After the meeting is held this is a correction: each one that changes
    something is on record (an AgendaEvent the minutes list). Like every edit it is refused on a
    stale agenda version and bumps it, so a form loaded before another coordinator's save cannot
    overwrite that save."""
    meeting = _lock_for_outcomes(meeting)
    if expected_version is not None and meeting.agenda_version != expected_version:
        raise AgendaConflict(meeting)
    item = meeting.items.filter(pk=item_id, removed_at__isnull=True).select_related("shooting").first()
    if item is None:
        raise AgendaError("That item is not on the agenda.")
    if outcome not in AgendaItem.Outcome.values:
        raise AgendaError("Choose an outcome from the list.", "outcome")
    before = {name: getattr(item, name) for name in RECORDED}
    item.discussed = discussed or bool(outcome)
    item.outcome = outcome
    item.outcome_text = (outcome_text or "").strip()
    item.review_again = review_again and item.shooting_id is not None
    if meeting.status == Meeting.Status.HELD:
        changes = _corrections(before, item)
        if not changes:
            return item
        _event(meeting, user, CORRECTED, f"item {_number_of(item)} ({item}): " + "; ".join(changes))
    item.save(update_fields=["discussed", "outcome", "outcome_text", "review_again", "updated_at"])
    _bump(meeting)
    return item


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _quoted(text: str, limit: int = 150) -> str:
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def _corrections(before: dict, after: AgendaItem) -> list[str]:
    """What a correction after the meeting changed, in words for the minutes' record. Notes as
    they were are quoted: the minutes had shown them to every partner already."""
    changes = []
    if before["discussed"] != after.discussed:
        changes.append(f"discussed {_yes_no(before['discussed'])} → {_yes_no(after.discussed)}")
    if before["outcome"] != after.outcome:
        labels = dict(AgendaItem.Outcome.choices)
        old, new = (labels[value] if value else "none" for value in (before["outcome"], after.outcome))
        changes.append(f"outcome {old} → {new}")
    if before["outcome_text"] != after.outcome_text:
        if not before["outcome_text"]:
            changes.append("outcome notes added")
        else:
            verb = "changed" if after.outcome_text else "removed"
            changes.append(f"outcome notes {verb} (were {_quoted(before['outcome_text'])})")
    if before["review_again"] != after.review_again:
        changes.append(f"review again {_yes_no(before['review_again'])} → {_yes_no(after.review_again)}")
    return changes


@transaction.atomic
def create_action_item(
    meeting: Meeting,
    user: User,
    *,
    item_id: int | None,
    description: str,
    assignee: User,
    due_on: date,
    agency: Agency | None = None,
) -> ActionItem:
    """An action item agreed on an agenda item, or with `item_id` None one for the whole meeting
    (tied to no item and no case: later agendas list it under "Open action items" until done)."""
    meeting = _lock_in_meeting(meeting)
    description = (description or "").strip()
    if not description:
        raise AgendaError("Say what is to be done.", "description")
    if due_on < timezone.localdate():
        raise AgendaError("The due date cannot be in the past.", "due_on")
    if not assignee.is_active or (agency is None and assignee.agency_id is None):
        raise AgendaError("Choose an active person with an agency, or choose the agency.", "assignee")
    item = None
    if item_id is not None:
        item = meeting.items.filter(pk=item_id, removed_at__isnull=True).first()
        if item is None:
            raise AgendaError("That item is not on the agenda.")
    return ActionItem.objects.create(
        meeting=meeting,
        agenda_item=item,
        shooting_id=item.shooting_id if item else None,
        description=description[:500],
        assignee=assignee,
        agency=agency or assignee.agency,
        due_on=due_on,
        created_by=user,
    )


@dataclass
class AttendanceRow:
    agency: Agency
    present: bool
    people: list[User] = field(default_factory=list)
    others: str = ""


@transaction.atomic
def record_attendance(meeting: Meeting, user: User, rows: list[AttendanceRow]) -> None:
    """Who was at the table, agency by agency (people listed must belong to that agency)."""
    meeting = _lock_in_meeting(meeting)
    existing = {a.agency_id: a for a in meeting.attendance.all()}
    for row in rows:
        strangers = [p for p in row.people if p.agency_id != row.agency.pk]
        if strangers:
            raise AgendaError(f"{strangers[0]} does not work for {row.agency}.", f"people_{row.agency.pk}")
        # Typed without a Django form, so checked here by the same rule as every form's text.
        problem = text_problem(row.others)
        if problem:
            raise AgendaError(f"Others present at {row.agency}: {problem}", f"others_{row.agency.pk}")
        attendance = existing.get(row.agency.pk)
        if attendance is None:
            attendance = Attendance(meeting=meeting, agency=row.agency)
        attendance.present = row.present or bool(row.people) or bool(row.others.strip())
        attendance.others = row.others.strip()[:300]
        attendance.save()
        attendance.people.set(row.people if attendance.present else [])


@transaction.atomic
def mark_held(meeting: Meeting, user: User) -> Meeting:
    meeting = _lock_in_meeting(meeting)
    now = timezone.now()
    undiscussed = meeting.items.filter(removed_at__isnull=True, discussed=False).count()
    _event(meeting, user, AgendaEvent.Kind.HELD, f"{undiscussed} items not discussed" if undiscussed else "")
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, held_at=now, updated_at=now)
    meeting.refresh_from_db()
    return meeting
