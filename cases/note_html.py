"""The case timeline's notes' HTML, each drawn once for what it shows and then reused.

A case page draws its newest notes with the template engine on every view, and that was a good
part of the page's time. A note's HTML is a pure function of its `NoteView` (plain strings,
already cut down to what the viewer may see: redacted fields are not in it, and whether the
viewer may edit is), so it is kept under a digest of exactly those values: two viewers share a
note's HTML only when they would be shown the very same thing, and a revised, retracted or
re-labelled note gives a new digest.

Kept in each process's own memory (the "note_html" cache), never in Redis: it holds what notes
say (witnesses, suspects, advocates' notes), which must not sit in a shared store; it refills
itself from the database.
"""

from __future__ import annotations

import os
from dataclasses import fields

from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from .digests import digest

NOTE_PARTIAL = "cases/case_detail.html#note"
CACHE = "note_html"
# What the partial reads of `item.note`, the model object behind a view: its id and its kind.
# Everything else it shows comes from the view's own fields, all part of the digest.
NOTE_ATTRIBUTES = ("pk", "kind")


def shown(view) -> tuple:
    """Everything the note partial shows of `view` (a cases.detail.NoteView), as plain values."""
    own = tuple((f.name, getattr(view, f.name)) for f in fields(view) if f.name != "note")
    return (tuple(getattr(view.note, name) for name in NOTE_ATTRIBUTES), own)


def render_notes(views: list) -> SafeString:
    """The HTML of `views` in order, each from the kept drawings where there is one."""
    template = get_template(NOTE_PARTIAL)
    # A changed template gives new keys without a restart (the development server reloads
    # templates but keeps the process and its cache).
    source = os.stat(template.origin.name).st_mtime_ns
    cache = caches[CACHE]
    keys = ["note:" + digest((shown(view), source)) for view in views]
    kept = cache.get_many(keys)
    fresh = {}
    for view, key in zip(views, keys, strict=True):
        if key not in kept:
            kept[key] = fresh[key] = template.render({"item": view})
    if fresh:
        cache.set_many(fresh)
    # Every part is the output of an auto-escaping template.
    return mark_safe("".join(kept[key] for key in keys))  # noqa: S308
