"""The agenda items' HTML, on the meeting's page and in the printed packets, each item drawn once
for what it shows and then reused.

A busy week's agenda has hundreds of items, and drawing them all with the template engine on
every view took most of the page's time. An item's HTML is a pure function of an `ItemPage`
(plain values, already cut to what the viewer or the audience may see) and the page's mode, so
it is kept under a digest of exactly those: two viewers share an item's HTML only when they would
be shown the very same thing, and any change to a case, an outcome or a number gives a new digest.

Two values every item's forms carry change far more often than the items do: the CSRF token (per
request) and the agenda version (per edit). The kept HTML holds unguessable stand-ins for them,
replaced in the joined page.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

from django import forms
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from ..models import AgendaItem
from .digests import digest
from .presentation import ActionView, CaseView, ItemView, day

ITEM_PARTIAL = "meetings/agenda.html#item"
CACHE = "agenda_items"
CSRF_MARK = f"csrf-{secrets.token_hex(16)}"
VERSION_MARK = f"version-{secrets.token_hex(16)}"
OUTCOME_LABELS = dict(AgendaItem.Outcome.choices)


@dataclass(frozen=True)
class Mode:
    """What the page lets its viewer do with each item."""

    editable: bool = False  # build, reorder and remove (a scheduled meeting, coordinators)
    in_meeting: bool = False  # record outcomes and action items (a frozen agenda, coordinators)
    correcting: bool = False  # correct outcomes afterwards (a held meeting, coordinators)


READ_ONLY = Mode()


@dataclass
class ItemPage:
    """Everything one agenda item's HTML shows, and nothing else: the template reads only this."""

    pk: int
    number: int
    title: str
    text: str
    reasons_text: str
    group_start: bool
    group_size: int
    case: CaseView | None
    section_actions: list[ActionView] | None
    discussed: bool
    outcome: str
    outcome_label: str
    outcome_text: str
    review_again: bool
    # (description, assignee, agency code, due) of the action items recorded on this item.
    recorded_actions: list[tuple[str, str, str, str]]
    first: bool
    last: bool
    urls: dict[str, str] = field(default_factory=dict)


@dataclass
class BoundForms:
    """Forms that came back with errors or typed text: an item that has one is drawn afresh."""

    remove: forms.Form | None = None
    record: forms.Form | None = None
    action: forms.Form | None = None

    def __bool__(self) -> bool:
        return any((self.remove, self.record, self.action))


def item_pages(views: list[ItemView], *, recorded: dict | None = None, urls: dict | None = None) -> list[ItemPage]:
    """An `ItemPage` for each view in agenda order. `recorded`: item id → action items recorded on
    it; `urls`: URL name → a function of the item id (the page's forms)."""
    recorded, urls = recorded or {}, urls or {}
    return [
        item_page(
            view,
            first=n == 0,
            last=n == len(views) - 1,
            recorded=recorded.get(view.item.pk, ()),
            urls={name: make(view.item.pk) for name, make in urls.items()},
        )
        for n, view in enumerate(views)
    ]


def item_page(view: ItemView, *, first: bool, last: bool, recorded=(), urls: dict | None = None) -> ItemPage:
    item = view.item
    return ItemPage(
        pk=item.pk,
        number=view.number,
        title=view.title,
        text=view.text,
        reasons_text=view.reasons_text,
        group_start=view.group_start,
        group_size=view.group_size,
        case=view.case,
        section_actions=view.section_actions,
        discussed=item.discussed,
        outcome=item.outcome,
        outcome_label=OUTCOME_LABELS.get(item.outcome, item.outcome),
        outcome_text=item.outcome_text,
        review_again=item.review_again,
        recorded_actions=[(a.description, str(a.assignee), a.agency.code, day(a.due_on)) for a in recorded],
        first=first,
        last=last,
        urls=urls or {},
    )


def render_items(
    pages: list[ItemPage],
    mode: Mode = READ_ONLY,
    *,
    bound: dict[int, BoundForms] | None = None,
    version: int | None = None,
    csrf_token: str = "",
) -> SafeString:
    """The HTML of `pages` in order, each from the kept drawings where there is one."""
    joined = "".join(item_htmls(pages, mode, bound=bound))
    if mode != READ_ONLY:
        joined = joined.replace(CSRF_MARK, csrf_token).replace(VERSION_MARK, str(version))
    # Every part is the output of an auto-escaping template.
    return mark_safe(joined)  # noqa: S308


def item_htmls(
    pages: list[ItemPage], mode: Mode = READ_ONLY, *, bound: dict[int, BoundForms] | None = None
) -> list[str]:
    """The HTML of each of `pages`, in order (with the stand-ins for the CSRF token and the
    agenda version where the mode has forms)."""
    bound = bound or {}
    template = get_template(ITEM_PARTIAL)
    # A changed template gives new keys without a restart (the development server reloads
    # templates but keeps the process and its cache).
    source = os.stat(template.origin.name).st_mtime_ns
    cache = caches[CACHE]
    # An agenda seen again unchanged is found with one digest of all its items (cheaper than one
    # per item); it names the items' own entries.
    whole = None if bound else "items:" + digest((pages, mode, source))
    keys = cache.get(whole) if whole else None
    kept = cache.get_many(keys) if keys else {}
    if keys is None or len(kept) < len(keys):
        keys = [None if page.pk in bound else "item:" + digest((page, mode, source)) for page in pages]
        kept = cache.get_many([key for key in keys if key])
        fresh = {}
        for page, key in zip(pages, keys, strict=True):
            if key not in kept:
                html = template.render(_context(page, mode, bound.get(page.pk)))
                if key:
                    fresh[key] = html
                kept[key or page.pk] = html
        if fresh:
            cache.set_many(fresh)
        if whole:
            cache.set(whole, keys)
    return [kept[key or page.pk] for page, key in zip(pages, keys, strict=True)]


def _context(page: ItemPage, mode: Mode, forms_: BoundForms | None) -> dict:
    return {
        "item": page,
        "editable": mode.editable,
        "in_meeting": mode.in_meeting,
        "correcting": mode.correcting,
        "forms": forms_ or BoundForms(),
        "outcome_choices": AgendaItem.Outcome.choices,
        "version": VERSION_MARK,
        "csrf_token": CSRF_MARK,
    }
