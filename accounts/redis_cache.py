"""Django's Redis cache, keeping its Redis client instead of making one on every call.

Django's RedisCacheClient builds a new `redis.Redis` for each get or set; each build copies the
library's table of response callbacks, about half a millisecond of CPU, which every request paid
twice (its session, its account). The client only wraps the connection pool and is safe to share,
so one per pool is kept."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient
