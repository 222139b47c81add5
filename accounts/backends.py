from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .security import is_locked
from .user_cache import cached_user


class LockoutAwareBackend(ModelBackend):
    """Django's backend, refusing accounts locked after repeated failed logins (AC-7)."""

    def user_can_authenticate(self, user) -> bool:
        # An integration account is a system: it reaches the API with tokens, never a session.
        return super().user_can_authenticate(user) and not is_locked(user) and not user.is_integration

    def get_user(self, user_id):
        # Every page asks for the signed-in person's agency (need-to-know decides on it): the
        # pair comes from the shared cache, kept current by accounts.user_cache.
        user = cached_user(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None
