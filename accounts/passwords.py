from __future__ import annotations

from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Allow long passphrases (at least 64 characters, ASVS 5.0) but refuse absurd lengths that
    would only make hashing a denial-of-service lever."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: at most {self.max_length} characters.", code="password_too_long"
            )

    def get_help_text(self) -> str:
        return (
            f"Use at least 8 characters (15 or more suggested) and at most {self.max_length}; spaces and any "
            "characters are fine, and there are no rules about mixing character types."
        )
