"""What a page shows as one field's errors: the block that Django's aria-describedby names on the
field (`<auto_id>_error`, templates/_field_errors.html), as text."""

from __future__ import annotations

import re


def field_errors(html: str, field_id: str) -> str:
    """The error text shown with the field of id `field_id` ("" if none)."""
    match = re.search(rf'id="{re.escape(field_id)}_error"[^>]*>(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""
