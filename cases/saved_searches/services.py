"""Saving, renaming, re-setting and deleting a person's saved searches."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..search import CaseQuery
from .models import SavedSearch
from .queries import params_of


def _watch(search: SavedSearch, alert: str) -> None:
    # Turning alerts on starts watching now: the first mail tells of what happens from here.
    if alert != SavedSearch.Alert.NONE and (search.alert == SavedSearch.Alert.NONE or search.watch_from is None):
        now = timezone.now()
        search.watch_from = now
        search.evaluated_at = now
    search.alert = alert


@transaction.atomic
def save_search(owner, name: str, alert: str, query: CaseQuery) -> SavedSearch:
    search = SavedSearch(owner=owner, name=name, params=params_of(query))
    _watch(search, alert)
    search.save()
    return search


@transaction.atomic
def update_search(search: SavedSearch, name: str, alert: str) -> SavedSearch:
    search = SavedSearch.objects.select_for_update().get(pk=search.pk)
    search.name = name
    _watch(search, alert)
    search.save(update_fields=["name", "alert", "watch_from", "evaluated_at", "updated_at"])
    return search


def delete_search(search: SavedSearch) -> None:
    """Its alerts not yet sent go with it (meetings.reminders.search_alerts finds nothing to say)."""
    search.delete()
