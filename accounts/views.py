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
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
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
from .audit import can_audit
from .forms import AuditSearchForm, LoginForm, TOTPCodeForm
from .models import AuditEvent, AuditEventCase, User
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
    from cases.models import Shooting

    events = list(events)
    ids = {e.case_id for e in events if e.case_id}
    numbers = dict(Shooting.objects.filter(pk__in=ids).values_list("pk", "report_number")) if ids else {}
    for event in events:
        event.report_number = numbers.get(event.case_id, "")
    return events


def audit_log(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
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
    _require_auditor(request)
    from cases.export import safe_cell

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


# Where a person saw a case, by the view their request was served by, and whether what it
# showed could hold a witness's identity (the list, its export and the minutes hold no notes).
SEEN_ON = {
    "cases:list": ("case list", False),
    "cases:export": ("case list export", False),
    "meetings:detail": ("agenda", True),
    "meetings:minutes": ("minutes", False),
    "meetings:my_items": ("action items", False),
}


def _seen_on(event: AuditEvent) -> tuple[str, bool]:
    """Where `event` showed the case, and whether that could hold a witness's identity: the case
    page and its notes, the agenda and its packets but the one for advocates and community
    partners."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    view = str(detail.get("view", ""))
    if event.event == "meetings.print":
        audience = str(detail.get("audience", ""))
        agenda = detail.get("document") == "agenda"
        label = "agenda packet" if agenda else "printed minutes"
        return f"{label} ({audience.replace('_', ' ')})", agenda and audience != "community"
    if view in SEEN_ON:
        return SEEN_ON[view]
    if view.startswith("cases:"):
        return "case page", True
    if view.startswith("meetings:agenda"):
        return "agenda", True
    return view or event.event, False


def case_viewers(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has seen this case, where, and who of them could see its witnesses' identities: every
    view of the case or one of its notes, and every agenda page, packet and minutes that showed it."""
    _require_auditor(request)
    from cases import access
    from cases.models import Note, Shooting

    shooting = Shooting.objects.filter(pk=pk).first()
    if shooting is None:
        access.refuse(request.user, "shooting", pk, request)
    seen = AuditEvent.objects.filter(case_id=pk, outcome=AuditEvent.Outcome.SUCCESS, detail__method="GET")
    shown = AuditEventCase.objects.filter(case_id=pk).order_by().values("event_id")
    views = AuditEvent.objects.filter(pk__in=seen.order_by().values("pk").union(shown)).order_by("-id")
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
                "seen_on": set(),
                "could_show_witnesses": False,
            },
        )
        entry["views"] += 1
        entry["first"] = min(entry["first"], event.at)
        entry["last"] = max(entry["last"], event.at)
        where, with_notes = _seen_on(event)
        entry["seen_on"].add(where)
        entry["could_show_witnesses"] |= with_notes
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
        entry["seen_on"] = sorted(entry["seen_on"])
        entry["sees_witnesses"] = (
            bool(user and access.sees_investigative_detail(user))
            and bool(witness_note_ids)
            and entry["could_show_witnesses"]
        )
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
