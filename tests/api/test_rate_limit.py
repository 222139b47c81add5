"""Rate limits per token, counted in a real Redis shared by every web process: past the limit a
token gets 429 in JSON with Retry-After, while other tokens go on. Redis holds counters only,
named by the token's prefix. With Redis unreachable the limit still holds, counted in process."""

from __future__ import annotations

import pytest
import redis
import time_machine
from django.core.cache import caches
from django.utils import timezone

from accounts.models import ApiToken
from tests.factories import make_shooting
from tests.processes import free_port

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db

LIMIT = 3


def throttle_cache(location: str) -> dict:
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": "rate-test",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


@pytest.fixture
def limited(settings, redis_url):
    settings.API_REQUESTS_PER_MINUTE = LIMIT
    settings.CACHES = {**settings.CACHES, "api_throttle": throttle_cache(redis_url)}
    caches["api_throttle"].clear()
    yield redis_url
    caches["api_throttle"].clear()


def test_a_token_past_its_limit_gets_429_and_another_token_goes_on(limited, investigator):
    case = make_shooting(investigator)
    first, second = ApiClient(token_for(investigator)), ApiClient(token_for(investigator))
    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        for _ in range(LIMIT):
            assert first.get(f"/api/v1/cases/{case.pk}/").status_code == 200
        refused = first.get(f"/api/v1/cases/{case.pk}/")
        assert refused.status_code == 429
        assert refused["Content-Type"] == "application/json"
        assert refused.json()["detail"].startswith("Too many requests")
        assert refused["Retry-After"] == "55"
        assert second.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    # Counters only, under the token's prefix: nothing of the case reaches the shared cache.
    keys = [key.decode() for key in redis.Redis.from_url(limited).keys("rate-test*")]
    prefixes = set(ApiToken.objects.values_list("prefix", flat=True))
    assert keys and all(any(f"token:{p}:" in key for p in prefixes) for key in keys)
    assert not any(case.report_number in key or "Avery" in key for key in keys)


def test_the_next_minute_lets_the_token_call_again(limited, investigator):
    api = ApiClient(token_for(investigator))
    start = timezone.now().replace(second=10)
    with time_machine.travel(start, tick=False):
        for _ in range(LIMIT):
            api.get("/api/v1/cases/")
        assert api.get("/api/v1/cases/").status_code == 429
    with time_machine.travel(start.replace(second=0) + timezone.timedelta(minutes=1), tick=False):
        assert api.get("/api/v1/cases/").status_code == 200


def test_without_redis_the_limit_still_holds_in_the_process(settings, investigator):
    settings.API_REQUESTS_PER_MINUTE = LIMIT
    settings.CACHES = {**settings.CACHES, "api_throttle": throttle_cache(f"redis://127.0.0.1:{free_port()}/0")}
    caches["api_throttle_fallback"].clear()
    api = ApiClient(token_for(investigator))
    with time_machine.travel(timezone.now().replace(second=20), tick=False):
        answers = [api.get("/api/v1/cases/").status_code for _ in range(LIMIT + 1)]
    assert answers == [200] * LIMIT + [429]
