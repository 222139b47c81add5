"""The NIBIN lead report and eTrace results import pages: upload, preview (dry run) and confirm,
or import at once, as the shootings' import page does.

The preview's "Confirm import" form carries the uploaded text in a signed hidden field, so the
confirmation imports exactly what was previewed, as the person who previewed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from .. import access
from ..feeds import etrace, nibin
from ..feeds.common import FEED_ETRACE, FEED_NIBIN, FeedReport
from ..feeds.forms import FeedFileForm
from ..importers.common import ImportFileError

CONFIRM_SALT = "cases.feed_import.confirm"
CONFIRM_MAX_AGE = 60 * 60
MAX_ERRORS_SHOWN = 200


@dataclass(frozen=True)
class Feed:
    key: str
    title: str
    url_name: str
    importer: Callable[..., FeedReport]
    layout: list[tuple[str, bool, str]]
    example: str
    intro: str
    key_label: str


FEEDS = {
    FEED_NIBIN: Feed(
        FEED_NIBIN,
        "Import a NIBIN lead report",
        "cases:import_nibin",
        nibin.import_nibin_leads,
        nibin.LAYOUT,
        "nibin-leads-example.csv",
        "Each row creates or updates a lead (its date, the examiner's answer and the examiner) and joins the cases "
        "it names: a firearm-trace note citing the lead is added, in your name, to each named case that does not "
        "cite it yet, so the cases are linked, the work on the lead opens and their investigators are told, as "
        "when the lead is cited by hand.",
        "Lead number",
    ),
    FEED_ETRACE: Feed(
        FEED_ETRACE,
        "Import eTrace results",
        "cases:import_etrace",
        etrace.import_etrace_results,
        etrace.LAYOUT,
        "etrace-results-example.csv",
        "Each row updates the firearm-trace note giving its trace number: the status, and the time-to-crime, "
        "purchaser and dealer where eTrace returned them (a blank cell keeps what the note holds). The change is a "
        "new revision of the note, in your name; only the note's author or a supervisor of their agency may make it.",
        "Trace number",
    ),
}


def _sign(user, feed: str, text: str, filename: str) -> str | None:
    token = signing.dumps(
        {"user": user.pk, "feed": feed, "name": filename, "text": text}, salt=CONFIRM_SALT, compress=True
    )
    if len(token) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 64 * 1024:
        return None
    return token


def _unsign(user, feed: str, token: str) -> dict | None:
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # also expired
        return None
    if not isinstance(payload, dict) or payload.get("user") != user.pk or payload.get("feed") != feed:
        return None
    return payload


def _page(request: HttpRequest, feed: Feed) -> HttpResponse:
    user = request.user
    access.access_feed_import(user, feed.key, request)
    form = FeedFileForm()
    context: dict = {"report": None, "confirm_token": None, "filename": "", "refused": ""}
    status = 200
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "confirm":
        payload = _unsign(user, feed.key, request.POST.get("payload", ""))
        if payload is None:
            context["refused"] = (
                "This confirmation was altered or is more than an hour old, so nothing was imported. "
                "Upload the file again."
            )
            status = 400
        else:
            context["filename"] = payload["name"]
            try:
                context["report"] = feed.importer(payload["text"], user=user, request=request, filename=payload["name"])
            except ImportFileError as exc:
                context["refused"] = str(exc)
    elif action in {"preview", "import"}:
        form = FeedFileForm(request.POST, request.FILES)
        if form.is_valid():
            text = form.cleaned_data["file"]
            context["filename"] = request.FILES["file"].name
            try:
                report = feed.importer(
                    text, user=user, dry_run=action == "preview", request=request, filename=context["filename"]
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                context["report"] = report
                if report.dry_run and report.ok and report.changed:
                    context["confirm_token"] = _sign(user, feed.key, text, context["filename"])
                    context["too_big_to_confirm"] = context["confirm_token"] is None
                form = FeedFileForm()
    context.update(nav="cases", form=form, feed=feed, max_errors=MAX_ERRORS_SHOWN)
    template = "cases/feed_import.html#feed-area" if request.htmx else "cases/feed_import.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
def import_nibin(request: HttpRequest) -> HttpResponse:
    return _page(request, FEEDS[FEED_NIBIN])


@require_http_methods(["GET", "POST"])
def import_etrace(request: HttpRequest) -> HttpResponse:
    return _page(request, FEEDS[FEED_ETRACE])
