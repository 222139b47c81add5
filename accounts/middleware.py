"""Request-level security: server-side session timeouts, required second factor, no caching of
pages, and one audit row for every request a signed-in person makes."""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import LazyObject
from django.views.defaults import page_not_found
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from . import audit, throttle
from .addresses import throttle_key
from .audited_cases import audited_cases
from .models import AuditEvent
from .user_cache import device_of

logger = logging.getLogger("shootreview.audit")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Views whose events are recorded by the auth signals or by the view itself.
SELF_AUDITED = {"login", "logout", "mfa_verify", "mfa_setup"}
MFA_EXEMPT = {"login", "logout", "mfa_verify", "mfa_setup"}
# URL keyword → the object type it names, per URL namespace (the first match wins).
OBJECT_KWARGS = [
    ("note_pk", "note"),
    ("victim_pk", "victim"),
    ("link_pk", "manual_link"),
    ("lead_pk", "nibin_lead"),
    ("item_pk", "agenda_item"),
    ("action_pk", "action_item"),
    ("user_pk", "user"),
    ("reminder_pk", "reminder"),
    ("series_pk", "meeting_series"),
    ("meeting_pk", "meeting"),
    ("token_pk", "api_token"),
    ("account_pk", "user"),
    # A page of one app about a case (the meetings' record of it).
    ("shooting_pk", "shooting"),
]
NAMESPACE_PK = {"cases": "shooting", "meetings": "meeting", "accounts": "user"}


def _url_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.url_name if match else ""


class CachedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, finding the device that verified the session among the person's
    confirmed devices, which come with their cached account (accounts.user_cache)."""

    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = device_of(user, self._normalize_persistent_id(persistent_id)) if persistent_id else None
            user.otp_device = self._finalize_device(request, user, device)
        return user


class LoadedUserMiddleware:
    """From here on `request.user` is the signed-in user itself rather than the lazy proxy the
    authentication and OTP middleware install: every request of a signed-in person loads the user
    anyway (sign-in is required everywhere), and pages that ask about the viewer once per note or
    agenda item paid microseconds for each attribute read through the proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if isinstance(user, LazyObject) and user.is_authenticated:
            # OTP's proxy wraps authentication's; what either set on the user (the verified
            # device) was set on the user itself.
            while isinstance(user, LazyObject):
                user = user._wrapped
            request.user = user
        return self.get_response(request)


class SessionSecurityMiddleware:
    """End a session after SESSION_IDLE_SECONDS without a request or SESSION_ABSOLUTE_SECONDS
    after sign-in, whatever the cookie says (CJIS AC-11/AC-12)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            auth_at = session.get("auth_at")
            seen_at = session.get("seen_at")
            if auth_at is None or seen_at is None:
                session["auth_at"] = auth_at = now
                session["seen_at"] = seen_at = now
            idle = now - seen_at > settings.SESSION_IDLE_SECONDS
            expired = now - auth_at > settings.SESSION_ABSOLUTE_SECONDS
            if idle or expired:
                audit.record(
                    "session.timeout",
                    request=request,
                    actor=user,
                    object_type="user",
                    object_id=user.pk,
                    detail={"reason": "idle" if idle else "absolute"},
                )
                logout(request)
                if request.path.startswith(settings.API_PATH_PREFIX) and not request.path.startswith(
                    settings.API_PATH_PREFIX + "docs/"
                ):
                    # A program calling the API gets the API's own answer to a caller signed in
                    # no more (401, JSON), not the sign-in form meant for a person; the docs are
                    # a page like any other.
                    return self.get_response(request)
                messages.info(request, "Your session ended. Please sign in again.")
                return redirect(f"{reverse('login')}?next={request.path}")
            # Writing the session on every request costs a query; a minute's precision is plenty.
            if now - seen_at > 60:
                session["seen_at"] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """With REQUIRE_MFA on, a signed-in person must pass the second factor before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # In process_view the URL is resolved, so the exempt views are known by name.
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_MFA
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and _url_name(request) not in MFA_EXEMPT
        ):
            return redirect(f"{reverse('mfa_verify')}?next={request.get_full_path()}")
        return None


# The steps of signing in whose failures count against the address: the password (ours and the
# administration's form are both named "login") and the second factor's code, which
# record_failure() counts against the same address.
THROTTLED_SIGN_IN_STEPS = {"login", "mfa_verify"}


class SignInThrottleMiddleware:
    """Refuse a sign-in attempt from an address that failed too often lately (429), before the
    password or the second factor's code is checked: the per-address throttle of
    accounts/throttle.py, with one count for both steps."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or _url_name(request) not in THROTTLED_SIGN_IN_STEPS:
            return None
        key = throttle_key(request)
        throttle.hold(key)
        refusal = throttle.refusal(key)
        if refusal is None:
            return None
        return too_many_sign_ins(request, refusal)


def too_many_sign_ins(request, refusal: throttle.Refusal) -> HttpResponse:
    if refusal.retry_after >= 60:
        wait = f"about {math.ceil(refusal.retry_after / 60)} minutes"
    else:
        wait = f"{refusal.retry_after} seconds"
    response = HttpResponse(
        render_to_string("429.html", {"paused": refusal.paused, "wait": wait}, request=request), status=429
    )
    response["Retry-After"] = str(refusal.retry_after)
    return response


class NoStoreMiddleware:
    """Pages show case data: no browser or proxy may keep a copy (`Cache-Control: no-store`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


def fail_closed_response(request) -> HttpResponse:
    body = render_to_string("503.html", request=request)
    return HttpResponse(body, status=503)


class AuditMiddleware:
    """One audit row per request of a signed-in person: what they asked for, on which object,
    and how it ended. A state-changing request runs in one transaction with its audit row, so
    if the row cannot be written nothing the request did is kept (fail closed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.current_request.set(request)
        try:
            if request.method in SAFE_METHODS:
                response = self.get_response(request)
                try:
                    self._record(request, response)
                except audit.AuditWriteError:
                    logger.exception("audit write failed; refusing the response")
                    return fail_closed_response(request)
                return response
            try:
                with transaction.atomic():
                    response = self.get_response(request)
                    if response.status_code >= 500:
                        transaction.set_rollback(True)
                    else:
                        self._record(request, response)
            except audit.AuditWriteError:
                logger.exception("audit write failed; the request was rolled back")
                return fail_closed_response(request)
            if response.status_code >= 500:
                self._record(request, response)
            return response
        finally:
            audit.current_request.reset(token)

    def _record(self, request, response) -> None:
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if match is None or user is None or not user.is_authenticated or match.url_name in SELF_AUDITED:
            return
        if match.namespace == "admin" and match.url_name in {"jsi18n"}:
            return
        object_type, object_id = self._object(match)
        annotations = getattr(request, "audit", {}) or {}
        refused = getattr(request, "audit_refused", None)
        status = response.status_code
        if refused:
            outcome = AuditEvent.Outcome.REFUSED
            object_type, object_id = refused
        elif status == 403:
            outcome = AuditEvent.Outcome.REFUSED
        elif status >= 500:
            outcome = AuditEvent.Outcome.ERROR
        elif status >= 400:
            outcome = AuditEvent.Outcome.FAILURE
        else:
            outcome = AuditEvent.Outcome.SUCCESS
        verb = "view" if request.method in SAFE_METHODS else "change"
        event = annotations.get("event") or f"{match.view_name}.{verb}"
        detail = {"method": request.method, "status": status, "view": match.view_name}
        token = getattr(request, "api_token", None)
        if token is not None:
            # A call with an API token: which token, so that revoking a leaked one can be judged.
            detail["token"] = token.prefix
        if request.headers.get("HX-Request"):
            detail["htmx"] = True
        detail.update(annotations.get("detail", {}))
        # A refusal, a "not found" or an error page shows none of the cases the view had gathered;
        # a page sent back with a form's errors (400, 409) shows them all.
        shown = (
            getattr(request, "audit_cases", None)
            if outcome in (AuditEvent.Outcome.SUCCESS, AuditEvent.Outcome.FAILURE) and status != 404
            else None
        )
        audit.record(
            event,
            request=request,
            actor=user,
            object_type=annotations.get("object_type", object_type),
            object_id=annotations.get("object_id", object_id),
            case_id=annotations.get("case_id", self._case_id(match, object_type, object_id)),
            outcome=outcome,
            detail=detail,
            shown_case_ids=shown or (),
        )

    @staticmethod
    def _object(match) -> tuple[str, str]:
        for kwarg, object_type in OBJECT_KWARGS:
            if kwarg in match.kwargs:
                return object_type, str(match.kwargs[kwarg])
        if "pk" in match.kwargs:
            return NAMESPACE_PK.get(match.namespace, match.namespace or "object"), str(match.kwargs["pk"])
        return "", ""

    @staticmethod
    def _case_id(match, object_type: str, object_id: str) -> int | None:
        if object_type == "shooting" and object_id.isdigit():
            return int(object_id)
        if object_type == "note" and object_id.isdigit():
            return audited_cases.case_of_note(object_id)
        if match.namespace == "cases" and str(match.kwargs.get("pk", "")).isdigit():
            return int(match.kwargs["pk"])
        return None


class AppNotFoundPageMiddleware:
    """Every 404 is the app's own page, also with DJANGO_DEBUG on (the demo under `make run`):
    Django's debug 404 page lists every URL pattern, which a person refused something should
    never read, and by which new users would judge the product. Debug's other pages (the
    traceback of an error) stay. Inside NoStoreMiddleware, so the page is not kept either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The REST API answers its 404s in JSON, with no list of URL patterns to hide.
        is_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code == 404 and settings.DEBUG and not is_json:
            # No page answers 404 with a body of its own: every 404 is an Http404 (a refusal
            # from accounts.audit.refuse or an unknown URL), which production draws the same way.
            return page_not_found(request, Http404())
        return response
