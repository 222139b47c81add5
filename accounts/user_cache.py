"""The signed-in person, read from Redis instead of the database on each request.

Every request of a signed-in person loads their account and agency (need-to-know decides on
both). `cached_user()` keeps that pair in the shared cache (Redis, so every server process sees
the same copy and the same removals) for at most USER_CACHE_SECONDS. Accounts only: nothing
about cases goes into a shared cache.

A copy is removed whenever what it holds may have changed, so a stale account is never served:
- a saved or deleted user (role, agency, active flag, password, lock, names): signals below;
- users changed by a queryset's update() (deactivating unused accounts, releasing a lock):
  the manager's queryset (accounts.models.AccountQuerySet);
- a saved or deleted agency: every member's copy;
- a saved or deleted second-factor device: its owner's copy (which holds their devices).
Each copy is removed before the change is written, again after, and once more after the
transaction commits, so a request that read the old row while the change was in flight cannot
leave its copy behind. If Redis does not answer, reads go to the database, and a change that
cannot remove a copy is refused before anything is written.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .models import Agency, User
from .user_cache_removal import CACHE, _forget_now, _forget_quietly, _key, forget

logger = logging.getLogger("shootreview.sessions")


def cached_user(pk) -> User | None:
    """The user with their agency, from the cache or (then kept there) from the database."""
    cache = caches[CACHE]
    try:
        user = cache.get(_key(pk))
    except Exception:  # Redis not answering: the database has every account
        logger.warning("user cache unavailable; reading the account from the database", exc_info=True)
        return _from_database(pk)
    if user is not None:
        return user
    user = _from_database(pk)
    if user is not None:
        try:
            # add, not set: never overwrites a copy another request has just written. A copy of
            # a row read while a change was in flight is taken away by the removal after that
            # change's commit (or, if this write comes even later, lives USER_CACHE_SECONDS).
            cache.add(_key(pk), user, settings.USER_CACHE_SECONDS)
        except Exception:
            logger.warning("user cache unavailable; not keeping a copy", exc_info=True)
    return user


def _from_database(pk) -> User | None:
    user = User._default_manager.select_related("agency").filter(pk=pk).first()
    if user is not None:
        user._confirmed_devices = _devices_of(user)
    return user


# Before the write, so that a Redis that does not answer stops the change before anything is
# written (and a change made outside a transaction is not half done); after it, for a request
# that read the old row in between.
@receiver(pre_save, sender=User)
@receiver(pre_delete, sender=User)
def _forget_user(sender, instance: User, **kwargs) -> None:
    if instance.pk is not None:
        forget([instance.pk])


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def _forget_user_again(sender, instance: User, **kwargs) -> None:
    _forget_quietly([_key(instance.pk)])


def _member_keys(agency: Agency) -> list[str]:
    return [_key(pk) for pk in User._default_manager.filter(agency_id=agency.pk).values_list("pk", flat=True)]


@receiver(pre_save, sender=Agency)
@receiver(pre_delete, sender=Agency)
def _forget_agency_members(sender, instance: Agency, **kwargs) -> None:
    if instance.pk is not None:
        _forget_now(_member_keys(instance))


@receiver(post_save, sender=Agency)
@receiver(post_delete, sender=Agency)
def _forget_agency_members_again(sender, instance: Agency, **kwargs) -> None:
    _forget_quietly(_member_keys(instance))


# --- The second factor's device ------------------------------------------------------------------
# OTPMiddleware looks up, on every request, the device that verified the session, only to know that
# it still exists, is confirmed and is the person's. The person's confirmed devices are read with the
# account and kept in the same copy, which is removed whenever one of their devices changes.


def _devices_of(user: User) -> dict[str, object]:
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415 - loads with the apps

    return {d.persistent_id: d for d in TOTPDevice.objects.filter(user_id=user.pk, confirmed=True)}


def device_of(user: User, persistent_id: str):
    """The confirmed device `persistent_id` of `user` (None if there is none), from the copy of the
    account when it holds its devices."""
    devices = getattr(user, "_confirmed_devices", None)
    if devices is None:
        from django_otp.models import Device  # noqa: PLC0415

        return Device.from_persistent_id(persistent_id)
    return devices.get(persistent_id)


def _device_owner(instance) -> int | None:
    from django_otp.models import Device  # noqa: PLC0415

    return instance.user_id if isinstance(instance, Device) else None


@receiver(pre_save)
@receiver(pre_delete)
def _forget_device_owner(sender, instance, **kwargs) -> None:
    owner = _device_owner(instance)
    if owner is not None:
        forget([owner])


@receiver(post_save)
@receiver(post_delete)
def _forget_device_owner_again(sender, instance, **kwargs) -> None:
    owner = _device_owner(instance)
    if owner is not None:
        _forget_quietly([_key(owner)])
