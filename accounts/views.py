"""Sign-in with a second factor, and the supervisors' pages: the audit log and locked accounts
(who has seen a case is cases.views.case_viewers)."""

from __future__ import annotations

import csv
from base64 import b32encode
from datetime import datetime, time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .access import access_audit_trail, access_locked_account
from .audited_cases import audited_cases
from .forms import AuditSearchForm, LoginForm, TOTPCodeForm
from .models import AuditEvent, AuditEventCase
from .security import locked_users, record_failure, release_lock
from .spreadsheet import safe_cell


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def _confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _record_mfa_failure(request: HttpRequest, **detail) -> None:
    """A wrong second-factor code, at sign-in or while enrolling an authenticator."""
    audit.record(
        "mfa.failure",
        request=request,
        object_type="user",
        object_id=request.user.pk,
        outcome=AuditEvent.Outcome.FAILURE,
        detail=detail or None,
    )


def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: a TOTP code, accepted once (django-otp refuses a replayed code)."""
    if not request.user.is_authenticated:
        return redirect("login")
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('mfa_setup')}?next={_safe_next(request)}")
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            audit.record("mfa.success", request=request, object_type="user", object_id=request.user.pk)
            return redirect(_safe_next(request))
        _record_mfa_failure(request)
        if record_failure(request.user.username, request, second_factor=True):
            return redirect("login")
        form.add_error("code", "That code is not valid (or was already used). Try the next one.")
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)})


def mfa_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in with MFA required: register an authenticator app by scanning a QR code."""
    if not request.user.is_authenticated:
        return redirect("login")
    if _confirmed_device(request.user) is not None and not request.user.is_verified():
        return redirect("mfa_verify")
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": "Authenticator"})
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record("mfa.enrolled", request=request, object_type="user", object_id=request.user.pk)
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(_safe_next(request))
        _record_mfa_failure(request, stage="setup")
        form.add_error("code", "That code does not match. Check the time on your phone and try again.")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=False)
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, "next": _safe_next(request)},
    )


# --- Supervisors ------------------------------------------------------------------------------


def _filtered_events(form: AuditSearchForm):
    events = AuditEvent.objects.all()
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["user"]:
        events = events.filter(actor_username__iexact=data["user"].strip())
    if data["case"]:
        ids = audited_cases.named(data["case"].strip())
        events = events.filter(pk__in=_events_of_cases(ids))
    if data["event"]:
        events = events.filter(event__icontains=data["event"].strip())
    if data["outcome"]:
        events = events.filter(outcome=data["outcome"])
    tz = timezone.get_current_timezone()
    if data["date_from"]:
        events = events.filter(at__gte=timezone.make_aware(datetime.combine(data["date_from"], time.min), tz))
    if data["date_to"]:
        events = events.filter(at__lte=timezone.make_aware(datetime.combine(data["date_to"], time.max), tz))
    return events.order_by("-id")


def _events_of_cases(case_ids) -> QuerySet:
    """The ids of the events about these cases or that showed them: each half by its own index
    (one OR across the two would read the whole log)."""
    about = AuditEvent.objects.filter(case_id__in=case_ids).order_by().values("pk")
    return about.union(AuditEventCase.objects.filter(case_id__in=case_ids).order_by().values("event_id"))


def with_shown_count(events):
    """Each event with the number of cases it showed (an agenda, a packet), counted per row."""
    shown = (
        AuditEventCase.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count("*"))
        .values("n")
    )
    return events.annotate(shown_count=Coalesce(Subquery(shown), 0))


def name_cases(events) -> list[AuditEvent]:
    """Give each event the report number of its case: people know cases by report number."""
    events = list(events)
    numbers = audited_cases.report_numbers({e.case_id for e in events if e.case_id})
    for event in events:
        event.report_number = numbers.get(event.case_id, "")
    return events


def audit_log(request: HttpRequest) -> HttpResponse:
    access_audit_trail(request)
    form = AuditSearchForm(request.GET or None)
    events = _filtered_events(form) if request.GET else AuditEvent.objects.order_by("-id")
    page = Paginator(with_shown_count(events), 50).get_page(request.GET.get("page"))
    page.object_list = name_cases(page.object_list)
    audit.annotate(request, event="audit.search", detail={"filters": {k: v for k, v in request.GET.items() if v}})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "accounts/audit_log.html", {"form": form, "page": page, "query": query.urlencode(), "nav": "audit"}
    )


# Events read per round trip while streaming the export; their cases' report numbers per chunk.
EXPORT_CHUNK = 2000


def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    access_audit_trail(request)
    form = AuditSearchForm(request.GET or None)
    events = _filtered_events(form) if request.GET else AuditEvent.objects.order_by("-id")
    audit.annotate(request, event="audit.export", detail={"filters": {k: v for k, v in request.GET.items() if v}})

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    columns = [
        "id",
        "at",
        "actor_username",
        "actor_name",
        "source_ip",
        "event",
        "object_type",
        "object_id",
        "case_id",
        "report_number",
        "outcome",
        "session_hash",
        "row_hash",
    ]

    def lines(batch: list[AuditEvent]):
        for event in name_cases(batch):
            values = [getattr(event, c) for c in columns]
            values[1] = event.at.isoformat(timespec="microseconds")
            yield writer.writerow([safe_cell(v) for v in values])

    def rows():
        yield writer.writerow(columns)
        batch: list[AuditEvent] = []
        for event in events.iterator(chunk_size=EXPORT_CHUNK):
            batch.append(event)
            if len(batch) == EXPORT_CHUNK:
                yield from lines(batch)
                batch = []
        yield from lines(batch)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def locked_accounts(request: HttpRequest) -> HttpResponse:
    access_audit_trail(request)
    return render(request, "accounts/locked_accounts.html", {"locked": locked_users(), "nav": "audit"})


@require_POST
def unlock_account(request: HttpRequest, user_pk: int) -> HttpResponse:
    user = access_locked_account(request, user_pk)
    release_lock(user, request.user, request)
    messages.success(request, f"{user.get_full_name() or user.username} can sign in again.")
    return redirect("locked_accounts")
