"""Values every page's template reads."""

from __future__ import annotations

from .printing.audiences import screen_sensitivity


def sensitivity(request) -> dict:
    """The marking under the page header, fitting the reader's audience (base.html)."""
    return {"sensitivity_banner": screen_sensitivity(getattr(request, "user", None))}
