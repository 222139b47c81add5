"""What a note's values and a shooting's fields look like as text, wherever they are shown: the
case page and a note's revisions (`cases.detail`), the case history, the import preview, the
agenda page and every printed packet (`meetings.agenda.presentation`).

Plain functions over plain values: the callers have already cut a note down to what the viewer
may see, and the hot pages build their text per note with these rather than with template
filters, so nothing here queries the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone

from .models import Note, Shooting
from .note_forms import NOTE_FORMS, display_value, field_labels

# Any id no row will have: it marks where the id goes in a sample URL.
_SAMPLE_ID = 987654321


class NoteValue(NamedTuple):
    """One value of a note as shown. A tuple rather than a dataclass: a long agenda or case page
    builds thousands of them."""

    name: str
    label: str
    value: str
    long: bool = False  # free text, shown as a paragraph rather than beside its label


@cache
def _labels(kind: str) -> dict[str, str]:
    return field_labels(kind) if kind in NOTE_FORMS else {}


@cache
def _long_fields(kind: str) -> frozenset[str]:
    form = NOTE_FORMS.get(kind)
    if form is None:
        return frozenset()
    return frozenset(name for name, f in form.base_fields.items() if isinstance(f.widget, forms.Textarea))


def field_names_in_order(kind: str, names) -> list[str]:
    """`names` (a dict or a set) in the order of the kind's form, the ones it does not know after."""
    labels = _labels(kind)
    return [name for name in labels if name in names] + sorted(name for name in names if name not in labels)


def _shown_values(kind: str, fields: dict, victim_names: dict[int, str] | None, hide_false: bool):
    """(name, label, text, long) of each value shown, as plain tuples: the agenda splits them
    without building a NoteValue each."""
    labels = _labels(kind)
    long = _long_fields(kind)
    known = kind in NOTE_FORMS
    for name in [n for n in labels if n in fields] + sorted(n for n in fields if n not in labels):
        raw = fields[name]
        if hide_false and raw is False:
            continue
        if name == "victim" and kind == Note.Kind.VICTIM_SERVICES:
            shown = (victim_names or {}).get(raw, "") if raw else ""
        elif known:
            shown = display_value(kind, name, raw)
        else:
            shown = "" if raw in (None, "", []) else str(raw)
        if shown == "":
            continue
        yield name, labels[name] if name in labels else name.replace("_", " ").capitalize(), shown, name in long


def note_values(
    kind: str, fields: dict, victim_names: dict[int, str] | None = None, *, hide_false: bool = False
) -> list[NoteValue]:
    """A note's (already redacted) values as label/value pairs, in the order of the kind's form.
    Empty values are left out, and with `hide_false` so are unticked boxes (the case timeline
    shows the flags that are set; a revision difference must still show a flag being cleared).
    A victim-services note names its victim by `victim_names` (id → name)."""
    return [NoteValue._make(row) for row in _shown_values(kind, fields, victim_names, hide_false)]


def note_lines(
    kind: str, fields: dict, victim_names: dict[int, str] | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The same values as `note_values` (unticked boxes included, as "no"), as (label, text)
    pairs: those shown beside their label, then the free text shown as paragraphs."""
    short, paragraphs = [], []
    for _, label, shown, long in _shown_values(kind, fields, victim_names, False):
        (paragraphs if long else short).append((label, shown))
    return short, paragraphs


def shooting_value(shooting: Shooting, name: str, *, blank: str = "") -> str:
    """A shooting's field as people read it: choice labels, yes/no, times on the local clock to
    the minute. One spelling for the change history, the import preview and an edit conflict,
    so a value reads the same wherever it is shown. `blank` stands for an empty value."""
    return shooting_value_text(name, getattr(shooting, name), blank=blank)


def shooting_value_text(name: str, value: Any, *, blank: str = "") -> str:
    """`value` of the shooting field `name` as `shooting_value` writes it (for a value not yet
    on a shooting, such as an imported one)."""
    if value is None or value == "":
        return blank
    if isinstance(value, bool):
        return "yes" if value else "no"
    choices = _shooting_choices(name)
    if value in choices:
        return choices[value]
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@cache
def _shooting_choices(name: str) -> dict:
    try:
        field = Shooting._meta.get_field(name)
    except FieldDoesNotExist:
        return {}
    return {key: str(label) for key, label in field.flatchoices} if field.choices else {}


def url_for_each(name: str, *args) -> Callable[[int], str]:
    """pk → the URL `name` has for that object (its id the last argument, after `args`), from a
    single reverse(): a long agenda or a page of the case list links hundreds of rows, and a
    reverse() per row was a measurable share of those pages. The URL is reversed once with a
    sample id and split around it, which holds as long as the id is a plain path segment."""
    head, tail = reverse(name, args=[*args, _SAMPLE_ID]).split(str(_SAMPLE_ID))
    return lambda pk: f"{head}{pk}{tail}"
