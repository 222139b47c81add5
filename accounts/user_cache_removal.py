"""Removing cached copies of accounts (accounts.user_cache) from the shared cache.

Apart from the cache that reads them so that the account model's queryset can remove the copies
of the accounts its update() changes (signals do not see a queryset's update) without the model
module and the cache importing each other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger("shootreview.sessions")

CACHE = "shared"


def _key(pk) -> str:
    return f"shootreview.user:{int(pk)}"


def forget(pks: Iterable) -> None:
    """Remove the cached copies of these users now, again once the change is written and once
    more after the transaction commits. Raises if Redis does not answer: the change must not
    go ahead with copies left (call it before writing)."""
    _forget_now([_key(pk) for pk in pks])


def _forget_now(keys: list[str]) -> None:
    if not keys:
        return
    caches[CACHE].delete_many(keys)
    transaction.on_commit(lambda: _forget_quietly(keys))


def _forget_quietly(keys: list[str]) -> None:
    try:
        caches[CACHE].delete_many(keys)
    except Exception:
        # The copies were removed before the change was written; one written since lives at
        # most USER_CACHE_SECONDS.
        logger.exception("could not remove cached accounts after a change")
