"""Sessions kept in the database and read from Redis (SESSION_ENGINE "accounts.sessions").

Django's cached_db engine, with two changes for when Redis does not answer:
- reading falls back to the database and does not try to fill the cache, so pages keep working
  (a little slower) during an outage;
- ending a session (sign-out, a new session key at sign-in, `security.end_sessions` after an
  account change) removes the cached copy first and stops there if it cannot: the database copy
  is then still there too, and the request fails rather than leave a session that Redis would
  serve again once it is back.
A session saved while Redis does not answer leaves at most an older copy of the same session in
the cache (an earlier sign-in time, an earlier last request, fewer verified factors), which ends
no later than it would have.

Nothing about cases is ever stored in a session (see CACHES in the settings).
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("shootreview.sessions")


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "shootreview.session:"

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # Redis not answering: the database has every session
            logger.warning("session cache unavailable; reading the session from the database", exc_info=True)
            return self._load_from_database()
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        except Exception:
            logger.warning("session cache unavailable; not keeping a copy", exc_info=True)
        return data

    def _load_from_database(self):
        row = self._get_session_from_db()
        return self.decode(row.session_data) if row else {}

    def exists(self, session_key):
        # Only asked when a new key is drawn: the database, which has every session, is enough.
        return super(cached_db.SessionStore, self).exists(session_key)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # The cached copy first: if Redis does not answer, this raises and the session stays
        # whole in both places, rather than alive in the cache alone.
        self._cache.delete(self.cache_key_prefix + session_key)
        super(cached_db.SessionStore, self).delete(session_key)
