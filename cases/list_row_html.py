"""The case list's rows, each drawn once for what it shows and then reused.

Fifty rows of a dozen cells each were most of the list's drawing time, and the same rows come back
on every look at the list (its first page, a search typed again). A row's HTML is a pure function
of its `CaseRow` (plain strings of what the viewer may see, nothing else is read by the
`case_row` partial), so the drawing is kept under the row itself: two looks share a drawing only
when they would show the very same cells, and any change to a case (its address, a victim, the
lead investigator, a flag) makes a new row, hence a new drawing.

Kept in each process's own memory, never in a shared store: rows name victims.
"""

from __future__ import annotations

import os
from functools import lru_cache

from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from .list_rows import CaseRow

ROW_PARTIAL = "cases/case_list.html#case_row"
# A few pages of each of the searches people run, with room to spare (a row is about 1 KB).
KEPT_ROWS = 4096


@lru_cache(maxsize=KEPT_ROWS)
def _drawn(row: CaseRow, template_version: int) -> str:
    return get_template(ROW_PARTIAL).render({"row": row})


def rows_html(rows: list[CaseRow]) -> SafeString:
    """The HTML of `rows` in order, each from the kept drawings where there is one."""
    # A changed template gives new keys without a restart (the development server reloads
    # templates but keeps the process and what it kept).
    version = os.stat(get_template(ROW_PARTIAL).origin.name).st_mtime_ns
    # Every part is the output of the auto-escaping template.
    return mark_safe("".join(_drawn(row, version) for row in rows))  # noqa: S308


def forget_drawn_rows() -> None:
    """Empty the kept drawings (tests that compare a cold drawing with a kept one)."""
    _drawn.cache_clear()
