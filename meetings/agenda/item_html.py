"""The agenda items' HTML, on the meeting's page and in the printed packets, each item drawn once
for what it shows and then reused.

A busy week's agenda has hundreds of items, and drawing them all with the template engine on
every view took most of the page's time. An item's HTML is a pure function of its `ItemView`
(plain values, already cut to what the viewer or the audience may see) and the page's mode, so
it is kept under a digest of exactly those: two viewers share an item's HTML only when they would
be shown the very same thing, and any change to a case, an outcome or a number gives a new digest.

Nothing per request goes into an item: its buttons and fields belong to the page's one form
(`PAGE_FORM`, drawn with the page), which alone carries the CSRF token and the agenda version.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django import forms
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from cases.digests import digest

from ..models import AgendaItem
from .forms import PAGE_FORM, PRESENTER_LIST
from .presentation import ItemView

ITEM_PARTIAL = "meetings/agenda.html#item"
CACHE = "agenda_items"


@dataclass(frozen=True)
class Mode:
    """What the page lets its viewer do with each item."""

    editable: bool = False  # build, reorder and remove (a scheduled meeting, coordinators)
    in_meeting: bool = False  # record outcomes and action items (a frozen agenda, coordinators)
    correcting: bool = False  # correct outcomes afterwards (a held meeting, coordinators)


READ_ONLY = Mode()


@dataclass
class BoundForms:
    """Forms that came back with errors or typed text: an item that has one is drawn afresh."""

    remove: forms.Form | None = None
    record: forms.Form | None = None
    action: forms.Form | None = None
    plan: forms.Form | None = None

    def __bool__(self) -> bool:
        return any((self.remove, self.record, self.action, self.plan))


def render_items(
    views: list[ItemView], mode: Mode = READ_ONLY, *, bound: dict[int, BoundForms] | None = None
) -> SafeString:
    """The HTML of `views` in order, each from the kept drawings where there is one."""
    # Every part is the output of an auto-escaping template.
    return mark_safe("".join(item_htmls(views, mode, bound=bound)))  # noqa: S308


def item_htmls(
    views: list[ItemView], mode: Mode = READ_ONLY, *, bound: dict[int, BoundForms] | None = None
) -> list[str]:
    """The HTML of each of `views`, in order."""
    bound = bound or {}
    template = get_template(ITEM_PARTIAL)
    # A changed template gives new keys without a restart (the development server reloads
    # templates but keeps the process and its cache).
    source = os.stat(template.origin.name).st_mtime_ns
    cache = caches[CACHE]
    # An agenda seen again unchanged is found with one digest of all its items (cheaper than one
    # per item); it names the items' own entries.
    whole = None if bound else "items:" + digest((views, mode, source))
    keys = cache.get(whole) if whole else None
    kept = cache.get_many(keys) if keys else {}
    if keys is None or len(kept) < len(keys):
        keys = [None if view.pk in bound else "item:" + digest((view, mode, source)) for view in views]
        kept = cache.get_many([key for key in keys if key])
        fresh = {}
        for view, key in zip(views, keys, strict=True):
            if key not in kept:
                html = template.render(_context(view, mode, bound.get(view.pk)))
                if key:
                    fresh[key] = html
                kept[key or view.pk] = html
        if fresh:
            cache.set_many(fresh)
        if whole:
            cache.set(whole, keys)
    return [kept[key or view.pk] for view, key in zip(views, keys, strict=True)]


def _context(view: ItemView, mode: Mode, forms_: BoundForms | None) -> dict:
    return {
        "item": view,
        "editable": mode.editable,
        "in_meeting": mode.in_meeting,
        "correcting": mode.correcting,
        "forms": forms_ or BoundForms(),
        "outcome_choices": AgendaItem.Outcome.choices,
        "page_form": PAGE_FORM,
        "presenter_list": PRESENTER_LIST,
    }
