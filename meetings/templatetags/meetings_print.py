"""Template helpers of the cover page and the print controls. The rules they show live in
meetings.cover.stats and meetings.printing.audiences; these only format and place them."""

from __future__ import annotations

from django import template

from ..access import AUDIENCE_ORDER, printable_audiences
from ..printing.audiences import Audience

register = template.Library()


@register.filter
def change(value: float | None) -> str:
    """A year-on-year change: "+12%", "−5%", "0%", or "n/a" when last year had none to compare."""
    if value is None:
        return "n/a"
    rounded = round(value)
    if rounded > 0:
        return f"+{rounded}%"
    if rounded < 0:
        return f"\N{MINUS SIGN}{-rounded}%"
    return "0%"


@register.filter
def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value)}%"


@register.inclusion_tag("meetings/_print_menu.html", takes_context=True)
def print_menu(context, meeting) -> dict:
    """The "Print / PDF" control: one link per packet the viewer may print, widest first."""
    user = context["request"].user
    allowed = set(printable_audiences(user))
    return {
        "meeting": meeting,
        "audiences": [(a.value, a.label) for a in AUDIENCE_ORDER if a in allowed],
        "default_audience": Audience.LAW_ENFORCEMENT,
    }
