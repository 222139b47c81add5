from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from .security import is_locked


class LockoutAwareBackend(ModelBackend):
    """Django's backend, refusing accounts locked after repeated failed logins (AC-7)."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not is_locked(user)
