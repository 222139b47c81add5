"""Where the keyboard focus and the screen reader's attention go after htmx swaps part of a page.

htmx focuses the element marked `autofocus` in what it swaps in; a live region that is already on
the page (the status region of base.html, `_messages.html`) announces text put into it. Used by the
case page's and the agenda's views.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.template.loader import render_to_string


def focus_first_error(form: forms.Form) -> forms.Form:
    """Mark the first field in error for focus, so a keyboard user lands on what to fix."""
    for name in form.fields:
        if name in form.errors:
            form.fields[name].widget.attrs["autofocus"] = True
            break
    return form


def status_region(request: HttpRequest) -> str:
    """The page's status region, filled out of band with the messages queued for this request."""
    return render_to_string("_messages.html", {"oob": True}, request)


def announce(request: HttpRequest, message: str, level: int = messages.SUCCESS) -> str:
    """The page's status region, filled out of band with `message`."""
    messages.add_message(request, level, message)
    return status_region(request)
