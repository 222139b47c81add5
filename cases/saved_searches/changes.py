"""When each case last changed in a way a given person can see on its page: what a saved search's
alerts judge by, so that an alert never tells of a change the person could not see (a suspect
note to an advocate, a note restricted to another agency to anyone outside it).

Counted: the case entered, its own fields' history (status, flags, kind, prosecution…), victims
added, notes the person may see (added, revised, retracted) and links to other cases made or
removed. The person's own changes are left out: nobody needs mail about what they just did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Q

from .. import access
from ..models import ManualLink, NoteRevision, ShootingChange, Victim

# Ids per query: keeps each IN list well inside what any database accepts.
CHUNK = 500


@dataclass(frozen=True)
class SeenChange:
    at: dt.datetime  # the latest change the person may see
    entered_at: dt.datetime  # when the case was entered: a case entered after a search looked is new


def _latest(found: dict[int, dt.datetime], rows: Iterable[tuple[int, dt.datetime | None]]) -> None:
    for pk, at in rows:
        if at is not None and (pk not in found or at > found[pk]):
            found[pk] = at


def visible_changes(user, shooting_ids: Iterable[int]) -> dict[int, SeenChange]:
    """For each of the cases `user` may see among `shooting_ids`, its latest change they may see.
    Nine queries per CHUNK cases, whatever each case holds."""
    ids = sorted(set(shooting_ids))
    found: dict[int, SeenChange] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(_visible_changes(user, ids[start : start + CHUNK]))
    return found


def _visible_changes(user, ids: list[int]) -> dict[int, SeenChange]:
    entered: dict[int, dt.datetime] = {}
    latest: dict[int, dt.datetime] = {}
    for pk, created_at, created_by in (
        access.shootings_visible_to(user).filter(pk__in=ids).values_list("pk", "created_at", "created_by")
    ):
        entered[pk] = created_at
        if created_by != user.pk:
            latest[pk] = created_at
    if not entered:
        return {}
    ids = list(entered)
    not_mine = ~Q(changed_by=user.pk) | Q(changed_by__isnull=True)
    _latest(
        latest,
        ShootingChange.objects.filter(not_mine, shooting_id__in=ids)
        .order_by()
        .values("shooting_id")
        .annotate(at=Max("changed_at"))
        .values_list("shooting_id", "at"),
    )
    _latest(
        latest,
        Victim.objects.filter(shooting_id__in=ids)
        .order_by()
        .values("shooting_id")
        .annotate(at=Max("created_at"))
        .values_list("shooting_id", "at"),
    )
    # A note's updated_at moves with each revision and its retraction; created_at and
    # retracted_at are read too, in case a save left updated_at behind.
    notes = access.notes_visible_to(user).filter(shooting_id__in=ids).exclude(author=user.pk)
    for pk, created, updated, retracted in (
        notes.order_by()
        .values("shooting_id")
        .annotate(created=Max("created_at"), updated=Max("updated_at"), retracted=Max("retracted_at"))
        .values_list("shooting_id", "created", "updated", "retracted")
    ):
        _latest(latest, [(pk, created), (pk, updated), (pk, retracted)])
    _latest(
        latest,
        NoteRevision.objects.filter(note__in=access.notes_visible_to(user).filter(shooting_id__in=ids))
        .exclude(edited_by=user.pk)
        .order_by()
        .values("note__shooting_id")
        .annotate(at=Max("created_at"))
        .values_list("note__shooting_id", "at"),
    )
    for side in ["from_shooting_id", "to_shooting_id"]:
        links = ManualLink.objects.filter(**{f"{side}__in": ids}).order_by()
        _latest(
            latest,
            links.exclude(created_by=user.pk).values(side).annotate(at=Max("created_at")).values_list(side, "at"),
        )
        _latest(
            latest,
            links.filter(removed_at__isnull=False)
            .exclude(removed_by=user.pk)
            .values(side)
            .annotate(at=Max("removed_at"))
            .values_list(side, "at"),
        )
    return {pk: SeenChange(at, entered[pk]) for pk, at in latest.items()}
