"""The case list and a case's page as drawn for one viewer, kept while the data they are drawn
from is unchanged.

Drawing a case worked for years (hundreds of notes, victims, links, leads, reviews) takes a dozen
queries and most of a request's processor time; the list counts every case that matches and a name
search looks through every person's roles. The same person opens the same page again and again
between changes, so a page drawn for a viewer is kept, and shown again to that viewer while the
stamp of the case data stands. Why that is safe:
- the stamp (meetings.agenda.source_stamp, kept by database triggers) changes with every
  transaction that writes a table these pages read, whatever wrote it; it is read before the page
  is drawn, so what is kept under a stamp is at least as new as the stamp. A test checks that
  every table the pages read is under the stamp;
- a kept page is only ever shown to the person it was drawn for, at the same address (both are in
  the key): who may see what is decided once, by the same code, when the page is drawn;
- the view's permission checks run on every request before anything kept is looked at, and
  every view writes its audit row, with the cases the page showed, as before;
- nothing per request is kept: the CSRF token is drawn as a placeholder and filled in for each
  request, a page with status messages to show is drawn afresh and never kept, and only plain
  views of a whole page are kept (no htmx fragment, no form sent back with errors);
- what depends on the clock alone (a NIBIN lead turning late, "updated in the last week") is kept
  at most KEEP_SECONDS.

Kept in each process's own memory (the "kept_pages" cache), never in Redis: pages name victims,
witnesses and suspects.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from accounts.audit import annotate, showed_cases

from .digests import digest

CACHE = "kept_pages"
# The longest a page is kept under one stamp: what changes with the clock alone shows this late.
KEEP_SECONDS = 60
# A page larger than this (a case with every one of hundreds of notes shown) is not kept: it is
# rarely the page looked at again and again, and a few would fill the process's memory.
KEEP_LARGEST = 256 * 1024
# Stands in for the CSRF token while a page is drawn to be kept. Random per process, so that no
# text typed into a case can stand for it.
TOKEN_PLACEHOLDER = secrets.token_hex(32)


@dataclass
class DataStamp:
    """The stamp of the case data, which the meetings app keeps and fills in when it loads
    (meetings.apps), so cases never imports meetings. "" means unknown: nothing is kept."""

    current: Callable[[], str] = lambda: ""


data_stamp = DataStamp()


@dataclass(frozen=True)
class KeptPage:
    html: str  # with TOKEN_PLACEHOLDER where the CSRF token goes
    shown_cases: frozenset[int]  # what the drawing told the audit row (accounts.audit.showed_cases)
    audit: dict


def page_key(stamp: str, user_id: int, path: str, now) -> str:
    return "page:" + digest((stamp, user_id, path, int(now.timestamp()) // KEEP_SECONDS))


def _keepable(request: HttpRequest) -> bool:
    # With DEBUG on templates change under a running process (the development server reloads
    # them), and a kept page would hide the change.
    if not settings.KEEP_PAGES or settings.DEBUG or request.method not in ("GET", "HEAD"):
        return False
    return not len(get_messages(request))


def forget_kept_pages() -> None:
    """Empty the kept pages (benchmarks that time a page drawn afresh)."""
    caches[CACHE].clear()


def _told_audit(request: HttpRequest) -> tuple[set[int], dict]:
    return set(getattr(request, "audit_cases", None) or ()), dict(getattr(request, "audit", None) or {})


def kept_page(request: HttpRequest, draw: Callable[..., HttpResponse]) -> HttpResponse:
    """`draw(**extra_context)`'s page, or the one drawn for this viewer at this address under the
    current stamp. Call it only after the view's permission checks."""
    stamp = data_stamp.current() if _keepable(request) else ""
    if not stamp:
        return draw()
    cache = caches[CACHE]
    key = page_key(stamp, request.user.pk, request.get_full_path(), timezone.now())
    kept = cache.get(key)
    if kept is None:
        shown_before, audit_before = _told_audit(request)
        response = draw(csrf_token=TOKEN_PLACEHOLDER)
        html = response.content.decode(response.charset)
        if response.status_code == 200 and len(html) <= KEEP_LARGEST:
            shown, audit = _told_audit(request)
            told = {name: value for name, value in audit.items() if name not in audit_before}
            cache.set(key, KeptPage(html, frozenset(shown - shown_before), told), KEEP_SECONDS)
        response.content = html.replace(TOKEN_PLACEHOLDER, get_token(request))
        return response
    showed_cases(request, kept.shown_cases)
    if kept.audit:
        annotate(request, **kept.audit)
    return HttpResponse(kept.html.replace(TOKEN_PLACEHOLDER, get_token(request)))
