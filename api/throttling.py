"""Rate limits per token (and per person for session calls): a counter per caller per minute in
the shared Redis cache, so every web process counts the same calls. Only counters are kept there,
under the token's prefix or the user's id: no case material goes into a shared cache.

If Redis cannot be reached the counters are kept in the process's memory instead: the limit still
holds per process, and the API neither fails nor goes unlimited because a cache is down."""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("shootreview.api")

WINDOW_SECONDS = 60


def _count(cache_name: str, key: str) -> int:
    cache = caches[cache_name]
    # add() is a no-op when the counter exists; incr() is atomic in Redis.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
        return 1


class PerTokenRateThrottle(BaseThrottle):
    """At most API_REQUESTS_PER_MINUTE calls per token (or signed-in person) per clock minute."""

    def allow_request(self, request, view) -> bool:
        token = request.auth
        caller = f"token:{token.prefix}" if token is not None else f"user:{request.user.pk}"
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        self.retry_after = math.ceil((window + 1) * WINDOW_SECONDS - now)
        key = f"api-rate:{caller}:{window}"
        try:
            count = _count("api_throttle", key)
        except Exception:  # any failure of the shared cache: count in this process instead
            logger.warning("API rate-limit cache unavailable; counting in process memory", exc_info=True)
            count = _count("api_throttle_fallback", key)
        return count <= settings.API_REQUESTS_PER_MINUTE

    def wait(self) -> float:
        return self.retry_after
