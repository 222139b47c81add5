"""Sign-in with a second factor, and the supervisors' pages: audit log, who has seen a case,
locked accounts."""

from __future__ import annotations

import csv
from base64 import b32encode
from datetime import datetime, time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .forms import AuditSearchForm, LoginForm, TOTPCodeForm
from .models import AuditEvent, User
from .security import locked_users, record_failure, release_lock


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
        audit.record(
            "mfa.failure",
            request=request,
            object_type="user",
            object_id=request.user.pk,
            outcome=AuditEvent.Outcome.FAILURE,
        )
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
        audit.record(
            "mfa.failure",
            request=request,
            object_type="user",
            object_id=request.user.pk,
            outcome=AuditEvent.Outcome.FAILURE,
            detail={"stage": "setup"},
        )
        form.add_error("code", "That code does not match. Check the time on your phone and try again.")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=False)
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, "next": _safe_next(request)},
    )


# --- Supervisors ------------------------------------------------------------------------------


def can_audit(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or user.role == User.Role.SUPERVISOR)


def _require_auditor(request: HttpRequest) -> None:
    if not can_audit(request.user):
        from cases.access import refuse

        refuse(request.user, "audit log", "-", request)


def _filtered_events(form: AuditSearchForm):
    events = AuditEvent.objects.all()
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["user"]:
        events = events.filter(actor_username__iexact=data["user"].strip())
    if data["case"]:
        case = data["case"].strip()
        from cases.models import Shooting

        ids = list(
            Shooting.objects.filter(
                Q(report_number__iexact=case) | Q(pk=int(case) if case.isdigit() else 0)
            ).values_list("pk", flat=True)
        )
        events = events.filter(case_id__in=ids)
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


def audit_log(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = AuditSearchForm(request.GET or None)
    events = _filtered_events(form) if request.GET else AuditEvent.objects.order_by("-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    audit.annotate(request, event="audit.search", detail={"filters": {k: v for k, v in request.GET.items() if v}})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "accounts/audit_log.html", {"form": form, "page": page, "query": query.urlencode(), "nav": "audit"}
    )


def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    _require_auditor(request)
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
        "outcome",
        "session_hash",
        "row_hash",
    ]

    def rows():
        yield writer.writerow(columns)
        for event in events.iterator(chunk_size=2000):
            values = [getattr(event, c) for c in columns]
            values[1] = event.at.isoformat(timespec="microseconds")
            yield writer.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in values])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def case_viewers(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has seen this case, and who of them could see its witnesses' identities."""
    _require_auditor(request)
    from cases import access
    from cases.models import Note, Shooting

    shooting = Shooting.objects.filter(pk=pk).first()
    if shooting is None:
        access.refuse(request.user, "shooting", pk, request)
    views = AuditEvent.objects.filter(case_id=pk, outcome=AuditEvent.Outcome.SUCCESS, detail__method="GET").order_by(
        "-id"
    )
    witness_note_ids = {
        str(i) for i in Note.objects.filter(shooting_id=pk, kind=Note.Kind.WITNESS).values_list("pk", flat=True)
    }
    people: dict[int | None, dict] = {}
    actor_ids = set()
    for event in views[:5000]:
        entry = people.setdefault(
            event.actor_id,
            {
                "username": event.actor_username,
                "name": event.actor_name,
                "views": 0,
                "first": event.at,
                "last": event.at,
                "witness_views": 0,
            },
        )
        entry["views"] += 1
        entry["first"] = min(entry["first"], event.at)
        entry["last"] = max(entry["last"], event.at)
        if event.object_type == "note" and event.object_id in witness_note_ids:
            entry["witness_views"] += 1
        actor_ids.add(event.actor_id)
    # Whether the viewer could see witness identities is decided by their role then; their role
    # now is the best record the app holds besides the event itself.
    users = {u.pk: u for u in User.objects.filter(pk__in=actor_ids).select_related("agency")}
    for actor_id, entry in people.items():
        user = users.get(actor_id)
        entry["agency"] = user.agency.name if user and user.agency else ""
        entry["role"] = user.get_role_display() if user else ""
        entry["sees_witnesses"] = bool(user and access.sees_investigative_detail(user)) and bool(witness_note_ids)
    audit.annotate(request, event="audit.case_viewers", object_type="shooting", object_id=pk, case_id=pk)
    return render(
        request,
        "accounts/case_viewers.html",
        {
            "shooting": shooting,
            "people": sorted(people.values(), key=lambda e: e["last"], reverse=True),
            "nav": "audit",
        },
    )


def locked_accounts(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    return render(request, "accounts/locked_accounts.html", {"locked": locked_users(), "nav": "audit"})


@require_POST
def unlock_account(request: HttpRequest, user_pk: int) -> HttpResponse:
    _require_auditor(request)
    user = User.objects.filter(pk=user_pk, locked_at__isnull=False).first()
    if user is None:
        from cases.access import refuse

        refuse(request.user, "locked account", user_pk, request)
    release_lock(user, request.user, request)
    messages.success(request, f"{user.get_full_name() or user.username} can sign in again.")
    return redirect("locked_accounts")
