"""What a reminder says when it is sent, if it still applies: each kind's message is composed
from the database at sending time (a meeting moved, an item done, a lead no longer the
recipient's), and a batch reads what its messages share once (`prefetch`).

Mail leaves the secure system: a reminder names report numbers, times and links only — never a
victim, suspect or witness.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases import lead_work
from cases.access import nibin_keys_visible_to, sees_investigative_detail
from cases.models import LeadAssignment, NibinLead
from cases.people import risk

from ..access import can_view_meetings
from ..models import ActionItem, Meeting, Reminder
from .planning import NIBIN_STALLED, occurrence_stamp, retaliation_cases_awaiting_contact, stale_cases_by_lead
from .search_alerts import SearchNews, still_to_tell


@dataclass
class Message:
    subject: str
    intro: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (text, absolute link or "")
    attach_ics_for: Meeting | None = None


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y, %H:%M")


def _open_items(user_ids) -> dict[int, list[ActionItem]]:
    """Each person's open action items, soonest first."""
    found: dict[int, list[ActionItem]] = {pk: [] for pk in user_ids}
    items = (
        ActionItem.objects.filter(assignee_id__in=user_ids, status=ActionItem.Status.OPEN)
        .select_related("shooting")
        .order_by("due_on", "pk")
    )
    for item in items:
        found[item.assignee_id].append(item)
    return found


def _open_items_due_by(user: User, day: date, cache: dict | None = None) -> list[ActionItem]:
    cached = (cache or {}).get(("open_items", user.pk))
    items = cached if cached is not None else _open_items([user.pk])[user.pk]
    return [item for item in items if item.due_on <= day]


def prefetch(batch: list[Reminder], cache: dict) -> None:
    """Read once what a batch of reminders needs: their meetings, who is invited to each, the
    recipients' open action items, and the new action items the batch announces. Sending a batch
    takes seconds, so this is still "checked at sending time"; per message it saves the queries
    that dominated the send path."""
    meeting_ids = {r.object_id for r in batch if r.object_type == "meeting"}
    if meeting_ids:
        found = Meeting.objects.filter(pk__in=[int(pk) for pk in meeting_ids if pk.isdigit()])
        by_pk = {str(m.pk): m for m in found}
        recipients = {r.recipient_id for r in batch}
        # Of each meeting's attendees, only this batch's recipients matter: a meeting of
        # thousands would otherwise load every attendee for every batch.
        invited: dict[int, set[int]] = defaultdict(set)
        for meeting_id, user_id in Meeting.attendees.through.objects.filter(
            meeting_id__in=[m.pk for m in found], user_id__in=recipients
        ).values_list("meeting_id", "user_id"):
            invited[meeting_id].add(user_id)
        for pk in meeting_ids:
            meeting = by_pk.get(pk)
            cache["meeting", pk] = meeting
            if meeting is not None:
                cache["invited", meeting.pk] = invited[meeting.pk] | {meeting.chair_id}
    listing_items = (Reminder.Kind.MEETING, Reminder.Kind.OVERDUE_DIGEST, Reminder.Kind.MINUTES)
    wanting_items = {r.recipient_id for r in batch if r.kind in listing_items}
    if wanting_items:
        for user_id, items in _open_items(wanting_items).items():
            cache["open_items", user_id] = items
    new_item_ids = {r.object_id for r in batch if r.kind == Reminder.Kind.ACTION_ASSIGNED}
    if new_item_ids:
        found = _new_items(new_item_ids)
        for pk in new_item_ids:
            cache["new_item", pk] = found.get(pk)


def _item_line(item: ActionItem) -> tuple[str, str]:
    case = f" — case {item.shooting.report_number}" if item.shooting_id else ""
    link = _link("cases:detail", item.shooting_id) if item.shooting_id else _link("meetings:my_items")
    return (f"Due {item.due_on:%a %d %b}{case}: action item #{item.pk}", link)


def _is_invited(meeting: Meeting, user: User, cache: dict) -> bool:
    # prefetch() leaves, for each meeting of a batch, those of its recipients who are invited.
    invited = cache.get(("invited", meeting.pk))
    if invited is not None:
        return user.pk in invited
    return meeting.chair_id == user.pk or meeting.attendees.filter(pk=user.pk).exists()


def compose(reminder: Reminder, now: datetime | None = None, cache: dict | None = None) -> Message | None:
    """The message for a reminder, or None if it no longer applies (the meeting was cancelled
    or moved, the item is done, the person lost access…). Checked again at sending time."""
    now = now or timezone.now()
    cache = cache if cache is not None else {}
    user = reminder.recipient
    if not user.is_active or not user.email or not can_view_meetings(user):
        return None
    kind = reminder.kind
    if reminder.object_type != "meeting":
        compose_kind = _OTHER_KINDS.get(kind)
        return compose_kind(reminder, user, now, cache) if compose_kind else None
    # A batch of reminders mostly concerns one meeting: look it up once per batch.
    key = ("meeting", reminder.object_id)
    if key not in cache:
        cache[key] = Meeting.objects.filter(pk=reminder.object_id).first()
    meeting = cache[key]
    if meeting is None:
        return None
    if kind == Reminder.Kind.MEETING_CHANGED:
        return _meeting_changed(meeting)
    if kind == Reminder.Kind.MINUTES:
        return _minutes(reminder, meeting, user, cache)
    if meeting.status not in {Meeting.Status.SCHEDULED, Meeting.Status.FROZEN} or meeting.starts_at <= now:
        return None
    compose_kind = _MEETING_KINDS.get(kind)
    return compose_kind(reminder, meeting, user, cache) if compose_kind else None


def _meeting_changed(meeting: Meeting) -> Message:
    cancelled = meeting.status == Meeting.Status.CANCELLED
    return Message(
        subject=f"Shoot review {'cancelled' if cancelled else 'moved'}: {_when(meeting.starts_at)}",
        intro=(
            "The shoot review has been cancelled."
            if cancelled
            else f"The shoot review now takes place {_when(meeting.starts_at)} at {meeting.place}."
        ),
        lines=[("Meeting page", _link("meetings:detail", meeting.pk))],
        attach_ics_for=meeting,
    )


def _meeting(reminder: Reminder, meeting: Meeting, user: User, cache: dict) -> Message | None:
    if not reminder.occurrence.endswith("@" + occurrence_stamp(meeting.starts_at)):
        return None  # the meeting moved; the reminders of its new time replace this one
    if not _is_invited(meeting, user, cache):
        return None
    items = _open_items_due_by(user, timezone.localdate(meeting.starts_at), cache)
    lines = [("Agenda", _link("meetings:detail", meeting.pk))]
    if items:
        lines.append(("Your open action items due by the meeting:", ""))
        lines += [_item_line(item) for item in items]
    return Message(
        subject=f"Shoot review {_when(meeting.starts_at)} at {meeting.place}",
        intro=f"Reminder: the shoot review is on {_when(meeting.starts_at)} at {meeting.place}.",
        lines=lines,
        attach_ics_for=meeting,
    )


def _case_update(reminder: Reminder, meeting: Meeting, user: User, cache: dict) -> Message | None:
    if meeting.status != Meeting.Status.SCHEDULED:
        return None
    cases = stale_cases_by_lead(meeting).get(user.pk, [])
    if not cases:
        return None
    return Message(
        subject=f"Please update {len(cases)} case(s) before the shoot review",
        intro=(
            f"These cases of yours are on the agenda for {_when(meeting.starts_at)} and have "
            "no note since their last review:"
        ),
        lines=[(s.report_number, _link("cases:detail", s.pk)) for s in cases],
    )


def _agenda_ready(reminder: Reminder, meeting: Meeting, user: User, cache: dict) -> Message | None:
    if meeting.status != Meeting.Status.FROZEN or occurrence_stamp(meeting.frozen_at) != reminder.occurrence:
        return None
    return Message(
        subject=f"Agenda ready: shoot review {_when(meeting.starts_at)}",
        intro="The agenda is frozen and ready to read or print.",
        lines=[("Agenda", _link("meetings:detail", meeting.pk))],
    )


def _action_due(reminder: Reminder, user: User, now: datetime, cache: dict) -> Message | None:
    item = (
        ActionItem.objects.filter(pk=reminder.object_id, status=ActionItem.Status.OPEN, assignee=user)
        .select_related("shooting")
        .first()
    )
    if item is None or item.due_on.isoformat() != reminder.occurrence:
        return None
    return Message(
        subject=f"Action item due {item.due_on:%a %d %b}",
        intro="An action item of yours is due:",
        lines=[_item_line(item)],
    )


def _overdue_digest(reminder: Reminder, user: User, now: datetime, cache: dict) -> Message | None:
    items = _open_items_due_by(user, timezone.localdate(now) - timedelta(days=1), cache)
    if not items:
        return None
    return Message(
        subject=f"{len(items)} overdue action item(s)",
        intro="These action items are overdue:",
        lines=[_item_line(i) for i in items],
    )


_AT_RISK = "cases:people_at_risk"


def _retaliation(reminder: Reminder, user: User, now: datetime, cache: dict) -> Message | None:
    shooting = retaliation_cases_awaiting_contact().filter(pk=reminder.object_id, lead_investigator=user).first()
    if shooting is None:
        return None
    waiting = risk.awaiting_contact().filter(shooting=shooting).values("person_id").distinct().count()
    if waiting:
        # How many, never who: the names stay behind the sign-in.
        people = "1 person at risk in it has" if waiting == 1 else f"{waiting} people at risk in it have"
        intro = (
            f"This case is flagged as a retaliation risk and {people} no contact recorded yet. "
            "Record each contact on the person's page (People at risk)."
        )
        lines = [(shooting.report_number, _link("cases:detail", shooting.pk)), ("People at risk", _link(_AT_RISK))]
    else:
        intro = (
            "This case is flagged as a retaliation risk and no follow-up contact has been noted. "
            "Record the contact as a general note with 'follow-up contact' ticked."
        )
        lines = [(shooting.report_number, _link("cases:detail", shooting.pk))]
    return Message(subject=f"Retaliation-risk follow-up: {shooting.report_number}", intro=intro, lines=lines)


def _nibin_turnaround(reminder: Reminder, user: User, now: datetime, cache: dict) -> Message | None:
    lead = NibinLead.objects.filter(pk=reminder.object_id, notified_at__isnull=True).first()
    if lead is None or lead.status == NibinLead.Status.EXCLUDED or user.role != User.Role.COORDINATOR:
        return None
    return Message(
        subject=f"NIBIN lead {lead.number} not yet notified",
        intro=(
            "This lead arrived more than a day ago and the investigators of the linked cases "
            "have not been notified (the CGIC goal is 24–48 hours)."
        ),
        lines=[(lead.number, _link("cases:nibin_lead", lead.pk))],
    )


def _own_item_line(item: ActionItem) -> tuple[str, str]:
    """An item as _item_line names it, linked to its own page, where its assignee marks it done."""
    return (_item_line(item)[0], _link("meetings:action_item", item.pk))


def _new_items(ids) -> dict[str, ActionItem]:
    """Open action items by id (as a reminder's object_id), with what their mail names."""
    found = ActionItem.objects.filter(pk__in=[int(pk) for pk in ids if pk.isdigit()], status=ActionItem.Status.OPEN)
    return {str(item.pk): item for item in found.select_related("shooting", "meeting")}


def _action_assigned(reminder: Reminder, user: User, now: datetime, cache: dict) -> Message | None:
    key = ("new_item", reminder.object_id)
    item = cache[key] if key in cache else _new_items([reminder.object_id]).get(reminder.object_id)
    # Still open and still the recipient's: an item given to someone else meanwhile is not theirs.
    if item is None or item.assignee_id != user.pk:
        return None
    at = f" at the shoot review of {_when(item.meeting.starts_at)}" if item.meeting_id else ""
    return Message(
        subject=f"New action item for you, due {item.due_on:%a %d %b}",
        intro=f"An action item was given to you{at}. Open it to read it, and to mark it done when it is:",
        lines=[_own_item_line(item)],
    )


def _minutes(reminder: Reminder, meeting: Meeting, user: User, cache: dict) -> Message | None:
    if meeting.status != Meeting.Status.HELD or occurrence_stamp(meeting.held_at) != reminder.occurrence:
        return None
    if not _is_invited(meeting, user, cache):
        return None
    cached = cache.get(("open_items", user.pk))
    items = cached if cached is not None else _open_items([user.pk])[user.pk]
    lines = [("Minutes", _link("meetings:minutes", meeting.pk))]
    if items:
        lines.append(("Your open action items:", ""))
        lines += [_own_item_line(item) for item in items]
    return Message(
        subject=f"Minutes: shoot review {_when(meeting.starts_at)}",
        intro=(
            f"The shoot review of {_when(meeting.starts_at)} was held. Its minutes are online, "
            "for you to read after signing in."
        ),
        lines=lines,
    )


def _lead_work_for(reminder: Reminder, user: User) -> LeadAssignment | None:
    """The open work a NIBIN reminder is about, if the recipient still has it (as the assigned
    investigator or the case's lead) and may still see the lead on that case."""
    work = (
        LeadAssignment.objects.filter(lead_work.open_work_q(), pk=reminder.object_id)
        .select_related("lead", "shooting")
        .first()
    )
    if work is None or user.pk not in {work.investigator_id, work.shooting.lead_investigator_id}:
        return None
    if not sees_investigative_detail(user):
        return None
    if not nibin_keys_visible_to(user).filter(value=work.lead.number, shooting_id=work.shooting_id).exists():
        return None
    return work


def _lead_lines(work: LeadAssignment) -> list[tuple[str, str]]:
    return [(f"Lead {work.lead.number}, case {work.shooting.report_number}", _link("cases:nibin_lead", work.lead_id))]


def _nibin_joined(reminder: Reminder, user: User, now: datetime, cache: dict) -> Message | None:
    work = _lead_work_for(reminder, user)
    if work is None:
        return None
    return Message(
        subject=f"NIBIN lead {work.lead.number} joined case {work.shooting.report_number}",
        intro=(
            "A NIBIN lead now joins a case of yours. Open it to assign it, and record what comes of it "
            "(CGIC goal: assigned within 24 hours, worked within 48)."
        ),
        lines=_lead_lines(work),
    )


def _nibin_stalled(reminder: Reminder, user: User, now: datetime, cache: dict) -> Message | None:
    work = _lead_work_for(reminder, user)
    states, after = NIBIN_STALLED.get(reminder.occurrence, (set(), None))
    if work is None or work.state not in states:
        return None
    waiting = "not yet assigned" if work.state == LeadAssignment.State.NEW else "assigned but not yet worked"
    return Message(
        subject=f"NIBIN lead {work.lead.number} on case {work.shooting.report_number}: {waiting}",
        intro=f"This lead joined the case more than {int(after.total_seconds() // 3600)} hours ago and is {waiting}.",
        lines=_lead_lines(work),
    )


# --- Saved searches (meetings.reminders.search_alerts) -------------------------------------------

# Cases named per search in one mail; the search's own link shows the rest.
SEARCH_MAIL_CASES = 25


def _search_lines(news: SearchNews) -> list[tuple[str, str]]:
    # The search is named by its number, never its name or filters: those can hold a person's name.
    run = _link("cases:saved_search_run", news.search_id)
    lines = [(f"Saved search no. {news.search_id}", run)]
    for told in news.cases[:SEARCH_MAIL_CASES]:
        lines.append(
            (
                f"{told.report_number} ({'new case' if told.is_new else 'updated'})",
                _link("cases:detail", told.shooting_id),
            )
        )
    more = len(news.cases) - SEARCH_MAIL_CASES
    if more > 0:
        lines.append((f"and {more} more case{'s' if more > 1 else ''}: open the search", run))
    return lines


def _count(news: list[SearchNews]) -> str:
    total = sum(len(item.cases) for item in news)
    return f"{total} case{'s' if total != 1 else ''}"


def _search_alert(reminder: Reminder, user: User, now: datetime, cache: dict) -> Message | None:
    news = still_to_tell(reminder, user)
    if not news:
        return None
    return Message(
        subject=f"Saved search: {_count(news)} new or updated",
        intro="Cases newly matching a search you saved, or changed since it last told you:",
        lines=_search_lines(news[0]),
    )


def _search_digest(reminder: Reminder, user: User, now: datetime, cache: dict) -> Message | None:
    news = still_to_tell(reminder, user)
    if not news:
        return None
    return Message(
        subject=f"Saved searches, daily digest: {_count(news)} new or updated",
        intro="Since your last digest, these cases newly matched the searches you saved, or changed:",
        lines=[line for item in news for line in _search_lines(item)],
    )


def after_sent(reminder: Reminder) -> None:
    """What a sent reminder records: the first mail telling the investigators of a lead is their
    notification, so the CGIC turnaround stops there and the coordinators' "not yet notified"
    reminder (NIBIN_TURNAROUND) no longer applies."""
    if reminder.kind == Reminder.Kind.NIBIN_JOINED:
        lead_id = LeadAssignment.objects.filter(pk=reminder.object_id).values_list("lead_id", flat=True).first()
        if lead_id is not None:
            lead_work.record_notified(lead_id, reminder.sent_at or timezone.now())


# The message of each kind of reminder: those about a meeting still to come, and the others.
_MEETING_KINDS = {
    Reminder.Kind.MEETING: _meeting,
    Reminder.Kind.CASE_UPDATE: _case_update,
    Reminder.Kind.AGENDA_READY: _agenda_ready,
}
_OTHER_KINDS = {
    Reminder.Kind.ACTION_DUE: _action_due,
    Reminder.Kind.OVERDUE_DIGEST: _overdue_digest,
    Reminder.Kind.RETALIATION: _retaliation,
    Reminder.Kind.NIBIN_TURNAROUND: _nibin_turnaround,
    Reminder.Kind.ACTION_ASSIGNED: _action_assigned,
    Reminder.Kind.NIBIN_JOINED: _nibin_joined,
    Reminder.Kind.NIBIN_STALLED: _nibin_stalled,
    Reminder.Kind.SEARCH_ALERT: _search_alert,
    Reminder.Kind.SEARCH_DIGEST: _search_digest,
}
