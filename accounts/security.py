"""Account security rules: lockout after failed logins (AC-7), ending sessions when an account
changes, and recording account events in the audit trail."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import audit, throttle
from .addresses import client_ip, throttle_key
from .models import AuditEvent, LoginFailure, User, UserSession

WATCHED_ACCOUNT_FIELDS = ["role", "agency_id", "is_active", "is_staff", "is_superuser", "locked_at", "username"]


def is_locked(user: User, now=None) -> bool:
    if user.locked_at is None:
        return False
    release_after = settings.LOCKOUT_RELEASE_MINUTES
    if release_after:
        return (now or timezone.now()) < user.locked_at + timedelta(minutes=release_after)
    return True


def locked_users() -> list[User]:
    """Who cannot sign in now because of failed sign-ins (the supervisors' page and
    `manage.py release_lockout --list`)."""
    return [u for u in User.objects.filter(locked_at__isnull=False).select_related("agency") if is_locked(u)]


def record_failure(username: str, request=None, *, second_factor: bool = False) -> bool:
    """Count a failed attempt against the account and against the source address; lock the
    account at the limit. Unknown usernames are counted too (against the address only: no
    account, nothing to lock). Returns True if this failure locked the account."""
    now = timezone.now()
    network = throttle_key(request)
    LoginFailure.objects.create(
        username=username[:150],
        at=now,
        source_ip=client_ip(request),
        source_network=network,
        second_factor=second_factor,
    )
    throttle.note_failure(network, request, now)
    window = now - timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    recent = LoginFailure.objects.filter(username=username, at__gte=window, cleared=False).count()
    user = User.objects.filter(username=username).first()
    if user is None or recent < settings.LOCKOUT_FAILURES or is_locked(user, now):
        return False
    user.locked_at = now
    user.save(update_fields=["locked_at"])
    audit.record(
        "account.lockout",
        request=request,
        actor=user,
        object_type="user",
        object_id=user.pk,
        outcome=AuditEvent.Outcome.REFUSED,
        detail={"failures": recent},
    )
    end_sessions(user)
    return True


@transaction.atomic
def release_lock(user: User, released_by: User | None, request=None, *, detail: dict | None = None) -> None:
    """Let a locked account sign in again. `released_by` is the supervisor or administrator on
    the web; None for an operator at the shell, whom `detail` then describes."""
    User.objects.filter(pk=user.pk).update(locked_at=None)
    LoginFailure.objects.filter(username=user.username, cleared=False).update(cleared=True)
    audit.record(
        "account.unlock",
        request=request,
        actor=released_by,
        object_type="user",
        object_id=user.pk,
        detail={"username": user.username, **(detail or {})},
    )


def prune_login_failures(now=None) -> int:
    """Delete failures too old to count towards any lock or throttle (a beat task runs this; the
    audit trail keeps every failed sign-in for as long as it keeps anything)."""
    longest = max(settings.LOCKOUT_WINDOW_MINUTES, settings.SIGNIN_ADDRESS_WINDOW_MINUTES)
    cutoff = (now or timezone.now()) - timedelta(minutes=longest)
    deleted, _ = LoginFailure.objects.filter(at__lt=cutoff).delete()
    return deleted


def end_sessions(user: User) -> int:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    # Failures must be consecutive to lock the account.
    LoginFailure.objects.filter(username=user.username, cleared=False).update(cleared=True)
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session["auth_at"] = now
        request.session["seen_at"] = now
        if request.session.session_key is None:
            request.session.save()
        UserSession.objects.get_or_create(session_key=request.session.session_key, defaults={"user": user})
    audit.record("login.success", request=request, actor=user, object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "") or ""
    known = User.objects.filter(username=username).first()
    detail = {"account_exists": known is not None}
    if known is not None and is_locked(known):
        detail["account_locked"] = True
    audit.record(
        "login.failure",
        request=request,
        actor=known,
        object_type="user",
        object_id=known.pk if known else "",
        outcome=AuditEvent.Outcome.FAILURE,
        detail=detail,
    )
    record_failure(username, request)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("logout", request=request, actor=user, object_type="user", object_id=user.pk)
        if request is not None and getattr(request, "session", None) is not None and request.session.session_key:
            UserSession.objects.filter(session_key=request.session.session_key).delete()


@receiver(pre_save, sender=User)
def _remember_account_state(sender, instance: User, **kwargs):
    if instance.pk:
        old = User.objects.filter(pk=instance.pk).values(*WATCHED_ACCOUNT_FIELDS, "password").first()
        instance._audit_before = old
    else:
        instance._audit_before = None


@receiver(post_save, sender=User)
def _record_account_change(sender, instance: User, created: bool, **kwargs):
    request = audit.current_request.get()
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        audit.record(
            "account.create",
            request=request,
            object_type="user",
            object_id=instance.pk,
            detail={"username": instance.username, "role": instance.role},
        )
        return
    changed = {
        name: [str(before[name]), str(getattr(instance, name))]
        for name in WATCHED_ACCOUNT_FIELDS
        if before[name] != getattr(instance, name) and name != "locked_at"
    }
    if before["password"] != instance.password:
        audit.record("password.change", request=request, object_type="user", object_id=instance.pk)
    if changed:
        audit.record(
            "account.change", request=request, object_type="user", object_id=instance.pk, detail={"changed": changed}
        )
        # A role or agency change, or a deactivation, ends every session at once (the person
        # must sign in again and is then shown only what the new role may see).
        if {"role", "agency_id", "is_active"} & changed.keys():
            end_sessions(instance)
