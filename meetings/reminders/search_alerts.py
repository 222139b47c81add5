"""Saved searches that alert: each sweep looks, for every search set to alert, at the cases
changed since it last looked, keeps those that newly match or changed in a way the owner may see
(cases.saved_searches.changes) as hits, and hands the hits to reminder rows — one per search and
sweep for "at once", one per person and day at the digest hour for "daily". The rows are claimed
and sent like every reminder; what a row tells is checked again when it is sent (`still_to_tell`).

The cost of a sweep follows what changed, not how many cases there are: a search reads only the
cases whose last activity is newer than its last look (the activity index), and a sweep with
nothing changed since a search last looked costs that search nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from cases import search
from cases.models import SavedSearch, Shooting
from cases.saved_searches import queries
from cases.saved_searches.changes import visible_changes

from ..models import Reminder, SearchAlertHit

# A change is written with the time its transaction began writing, and may commit (and so become
# visible to the sweep) later: each look goes back this far before the last one, and what was
# told already is not told again. Longer than any writing transaction (an import of thousands of
# cases takes about a minute and a half).
OVERLAP = timedelta(minutes=10)


def _local_at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=hour)), timezone.get_current_timezone())


def plan(now: datetime) -> int:
    """Look for new hits of every alerting search and give the waiting ones their reminder rows.
    Returns the rows added."""
    latest = Shooting.objects.aggregate(at=Max("last_activity_at"))["at"]
    since_meeting = search.since_last_meeting()
    alerting = (
        SavedSearch.objects.exclude(alert=SavedSearch.Alert.NONE)
        .filter(owner__is_active=True)
        .values_list("pk", "watch_from", "evaluated_at")
        .order_by("pk")
    )
    for pk, watch_from, evaluated_at in alerting:
        if watch_from is not None and latest is not None and latest <= _looks_from(watch_from, evaluated_at):
            continue  # nothing changed since this search last looked
        if latest is not None or watch_from is None:
            evaluate(pk, now, since_meeting)
    return _tell_at_once(now) + _tell_daily(now)


def _looks_from(watch_from: datetime, evaluated_at: datetime | None) -> datetime:
    return max(watch_from, (evaluated_at or watch_from) - OVERLAP)


@transaction.atomic
def evaluate(search_pk: int, now: datetime, since_meeting: search.UpdatedSince | None = None) -> int:
    """Record the hits of one saved search since it last looked. A search another sweep is
    looking at is left to it. Returns the hits added."""
    saved = (
        SavedSearch.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("owner", "owner__agency")
        .filter(pk=search_pk)
        .exclude(alert=SavedSearch.Alert.NONE)
        .first()
    )
    if saved is None:
        return 0
    if saved.watch_from is None:
        # Alerts switched on outside the pages (the admin, the demo data): they start now.
        SavedSearch.objects.filter(pk=saved.pk).update(watch_from=now, evaluated_at=now)
        return 0
    checked = queries.check(saved.params, since=since_meeting)
    if checked.query is None:
        return 0  # shown on the person's list with the reason; it alerts nothing until fixed
    since = _looks_from(saved.watch_from, saved.evaluated_at)
    owner = saved.owner
    candidates = list(
        queries.matching(owner, checked.query).filter(last_activity_at__gt=since).values_list("pk", flat=True)
    )
    changes = visible_changes(owner, candidates)
    told = dict(
        SearchAlertHit.objects.filter(search=saved, shooting_id__in=list(changes))
        .values("shooting_id")
        .annotate(at=Max("changed_at"))
        .values_list("shooting_id", "at")
    )
    hits = [
        SearchAlertHit(search=saved, shooting_id=pk, changed_at=seen.at, is_new=seen.entered_at > since)
        for pk, seen in changes.items()
        if seen.at > since and (pk not in told or seen.at > told[pk])
    ]
    SearchAlertHit.objects.bulk_create(hits, batch_size=1000)
    SavedSearch.objects.filter(pk=saved.pk).update(evaluated_at=now)
    return len(hits)


def _waiting(alert: str):
    """Hits with no reminder yet, of active people's searches now set to `alert`, found since the
    alerts were last switched on (what was found before a switch-off is not told after it)."""
    return SearchAlertHit.objects.filter(
        reminder__isnull=True,
        search__alert=alert,
        search__owner__is_active=True,
        found_at__gte=F("search__watch_from"),
    )


def _tell_at_once(now: datetime) -> int:
    added = 0
    for search_pk, owner_pk in (
        _waiting(SavedSearch.Alert.AT_ONCE).values_list("search_id", "search__owner_id").distinct()
    ):
        with transaction.atomic():
            locked = SavedSearch.objects.select_for_update(skip_locked=True).filter(pk=search_pk).first()
            if locked is None:
                continue
            reminder = Reminder.objects.create(
                kind=Reminder.Kind.SEARCH_ALERT,
                recipient_id=owner_pk,
                object_type="saved_search",
                object_id=str(search_pk),
                # One row per look that found something: the time of the look, to the microsecond.
                occurrence=now.astimezone(timezone.get_current_timezone()).isoformat(),
                due_at=now,
                next_attempt_at=now,
            )
            _waiting(SavedSearch.Alert.AT_ONCE).filter(search_id=search_pk).update(reminder=reminder)
            added += 1
    return added


def _tell_daily(now: datetime) -> int:
    """At the digest hour (local time) and after, one digest per person and day of what their
    daily searches found; what is found after today's digest waits for tomorrow's."""
    today = timezone.localdate(now)
    due = _local_at(today, settings.REMINDER_DIGEST_HOUR)
    if now < due:
        return 0
    added = 0
    owners = _waiting(SavedSearch.Alert.DAILY).values_list("search__owner_id", flat=True).distinct()
    for owner_pk in list(owners):
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                kind=Reminder.Kind.SEARCH_DIGEST,
                recipient_id=owner_pk,
                object_type="user",
                object_id=str(owner_pk),
                occurrence=today.isoformat(),
                defaults={"due_at": due, "next_attempt_at": now},
            )
            if created:
                _waiting(SavedSearch.Alert.DAILY).filter(search__owner_id=owner_pk).update(reminder=reminder)
                added += 1
    return added


# --- At sending time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Told:
    """One case a mail tells of."""

    shooting_id: int
    report_number: str
    is_new: bool


@dataclass(frozen=True)
class SearchNews:
    search_id: int
    cases: list[Told]


def still_to_tell(reminder: Reminder, user) -> list[SearchNews]:
    """What a reminder's hits still tell, checked as the mail goes out: the search is still the
    person's and still alerts, it still validates, the case still matches it for the person, and
    the change found is still one they may see (a note since restricted to another agency, a role
    lost, tells nothing). Searches in the order of their names, cases by report number."""
    hits = list(
        SearchAlertHit.objects.filter(reminder=reminder, search__owner=user)
        .exclude(search__alert=SavedSearch.Alert.NONE)
        .select_related("search", "shooting")
        .order_by("search_id", "shooting_id", "-changed_at")
    )
    by_search: dict[int, list[SearchAlertHit]] = defaultdict(list)
    searches: dict[int, SavedSearch] = {}
    for hit in hits:
        by_search[hit.search_id].append(hit)
        searches[hit.search_id] = hit.search
    if not hits:
        return []
    since_meeting = search.since_last_meeting()
    matching: dict[int, set[int]] = {}
    for search_pk, found in by_search.items():
        checked = queries.check(searches[search_pk].params, since=since_meeting)
        if checked.query is None:
            continue
        ids = {hit.shooting_id for hit in found}
        matching[search_pk] = set(queries.matching(user, checked.query).filter(pk__in=ids).values_list("pk", flat=True))
    seen = visible_changes(user, {pk for ids in matching.values() for pk in ids})
    news = []
    for search_pk in sorted(matching, key=lambda pk: (searches[pk].name.lower(), pk)):
        cases: dict[int, Told] = {}
        for hit in by_search[search_pk]:
            change = seen.get(hit.shooting_id)
            if hit.shooting_id in matching[search_pk] and change is not None and change.at >= hit.changed_at:
                earlier = cases.get(hit.shooting_id)
                cases[hit.shooting_id] = Told(
                    hit.shooting_id, hit.shooting.report_number, hit.is_new or bool(earlier and earlier.is_new)
                )
        if cases:
            news.append(SearchNews(search_pk, sorted(cases.values(), key=lambda told: told.report_number)))
    return news
