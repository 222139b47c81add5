"""The CSV import page: upload, preview (dry run) and confirm, or import at once.

The preview step keeps the uploaded text in a signed hidden field of its "Confirm import" form,
so nothing is stored between the two steps and the file cannot be swapped or edited on the way:
the confirmation imports exactly what was previewed, as the person who previewed it (the
database may have moved on meanwhile, which the result then shows).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from .. import access
from ..importers.common import ImportFileError
from ..importers.forms import ImportForm
from ..importers.kcpd import KCPD_USED
from ..importers.template import TEMPLATE_COLUMNS
from ..importers.upsert import import_shootings

CONFIRM_SALT = "cases.import.confirm"
# Long enough to read a preview of a big file, short enough that a stale preview is not confirmed.
CONFIRM_MAX_AGE = 60 * 60
MAX_ERRORS_SHOWN = 200


def _sign(user, text: str, fmt: str, filename: str) -> str | None:
    token = signing.dumps(
        {"user": user.pk, "format": fmt, "name": filename, "text": text}, salt=CONFIRM_SALT, compress=True
    )
    # The confirmation is an ordinary form post, which Django caps; a file that does not compress
    # well enough is imported directly instead (it is all or nothing as well).
    if len(token) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 64 * 1024:
        return None
    return token


def _unsign(user, token: str) -> dict | None:
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # also expired
        return None
    if not isinstance(payload, dict) or payload.get("user") != user.pk:
        return None
    return payload


def import_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.access_import(user, request)
    form = ImportForm()
    context: dict = {"report": None, "confirm_token": None, "filename": "", "refused": ""}
    status = 200
    action = request.POST.get("action", "") if request.method == "POST" else ""

    if action == "confirm":
        payload = _unsign(user, request.POST.get("payload", ""))
        if payload is None:
            context["refused"] = (
                "This confirmation was altered or is more than an hour old, so nothing was imported. "
                "Upload the file again."
            )
            status = 400
        else:
            context["filename"] = payload["name"]
            try:
                context["report"] = import_shootings(payload["text"], user, fmt=payload["format"])
            except ImportFileError as exc:
                context["refused"] = str(exc)
    elif action in {"preview", "import"}:
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            text, fmt = form.cleaned_data["file"], form.cleaned_data["format"]
            context["filename"] = request.FILES["file"].name
            try:
                report = import_shootings(text, user, fmt=fmt, dry_run=action == "preview")
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                context["report"] = report
                if report.dry_run and report.ok and (report.counts["created"] or report.counts["updated"]):
                    context["confirm_token"] = _sign(user, text, report.format, context["filename"])
                    context["too_big_to_confirm"] = context["confirm_token"] is None
                # A file input cannot be refilled; start the form afresh with the same format.
                form = ImportForm(initial={"format": fmt})

    context.update(
        nav="cases",
        form=form,
        template_columns=TEMPLATE_COLUMNS,
        kcpd_columns=KCPD_USED,
        max_errors=MAX_ERRORS_SHOWN,
    )
    template = "cases/import.html#import-area" if request.htmx else "cases/import.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
