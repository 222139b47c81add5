"""The classes of input every form, filter, query string and importer of the app checks, in one
place: dates within sane bounds, text without control or bidirectional-override characters, and
whole numbers that fit a database column. Forms get the checks by deriving from `InputForm` /
`InputModelForm` (one validator per field, added by field type, so a new field is covered without
anyone remembering it); the importers and the few views that read raw request values call the
plain functions.

Here rather than in cases or meetings because every app may import accounts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.db import models

# Nothing the app records happened before 1900 (the oldest dates it takes are dates of birth), and
# nothing is planned beyond 2100. Python's own limits (years 1 and 9999) are hours away from
# overflowing when a time is moved between zones or a week is added; these bounds are decades away.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
DATE_BOUNDS_MESSAGE = f"Enter a date between {EARLIEST:%d %B %Y} and {LATEST:%d %B %Y}."

# The widest whole number a form passes on: an integer column of PostgreSQL (and SQLite compares
# larger Python ints only by raising).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# The widest key a choice of rows may name: a bigint column. A larger number never names a row,
# and SQLite raises instead of finding nothing when asked for one.
KEY_MIN, KEY_MAX = -(2**63), 2**63 - 1

# C0 controls (NUL, BEL, ESC…), DEL and the C1 controls have no place in anything typed; tab, line
# feed and carriage return are kept where a field is multi-line. The bidirectional embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069) make text show in an order other than the
# one it is stored in ("Trojan Source"), so a name or address could read differently from what it
# is; the plain marks LRM/RLM are left alone, as right-to-left names need them.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_LINE_BREAKS = "\t\n\r"
FORBIDDEN_MULTI_LINE = re.compile(f"[{_CONTROLS}{_BIDI}]")
FORBIDDEN_ONE_LINE = re.compile(f"[{_CONTROLS}{_BIDI}{_LINE_BREAKS}]")


# --- Dates ------------------------------------------------------------------------------------


def date_problem(value: dt.date | dt.datetime | None) -> str:
    """Why `value` is out of bounds, or "" when it is fine. A date-time is judged by the calendar
    date it names in its own offset, without converting it: converting 9999-12-31T23:59-14:00 to
    UTC is exactly what overflows."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, dt.datetime) else value
    return "" if EARLIEST <= day <= LATEST else DATE_BOUNDS_MESSAGE


def validate_date_bounds(value: dt.date | dt.datetime | None) -> None:
    problem = date_problem(value)
    if problem:
        raise ValidationError(problem, code="date_out_of_range")


# --- Text -------------------------------------------------------------------------------------


# Unicode gives control characters no names; the ones people meet have these.
_CONTROL_NAMES = {"\x00": "NULL", "\x07": "BELL", "\x08": "BACKSPACE", "\x1b": "ESCAPE", "\x7f": "DELETE"}


def _describe(char: str) -> str:
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "")
    return f"U+{ord(char):04X} {name}".strip()


def text_problem(text: str, *, multi_line: bool = False) -> str:
    """Why `text` cannot be stored, naming the first character at fault, or "" when it can."""
    if not text:
        return ""
    found = (FORBIDDEN_MULTI_LINE if multi_line else FORBIDDEN_ONE_LINE).search(text)
    if found is None:
        return ""
    char = found.group()
    if char in _LINE_BREAKS:
        return "This field is one line: remove the line break or tab."
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (
            f"Remove the invisible text-direction character ({_describe(char)}): it makes the text "
            "read differently from what is stored."
        )
    return f"Remove the invisible control character ({_describe(char)}) from this text."


def validate_one_line(text: str) -> None:
    problem = text_problem(text)
    if problem:
        raise ValidationError(problem, code="forbidden_character")


def validate_multi_line(text: str) -> None:
    problem = text_problem(text, multi_line=True)
    if problem:
        raise ValidationError(problem, code="forbidden_character")


def one_line(text: str) -> str:
    """`text` with its line breaks and tabs made spaces: what a single-line value read from a file
    keeps of a cell that a spreadsheet wrapped. Nothing is lost but the wrapping."""
    return re.sub(r"[\t\r\n]+", " ", text).strip()


def printable(value):
    """`value` (text, or a list or dict of them, as an audit row's detail) with `printable_text`
    applied to every string in it, keys included."""
    if isinstance(value, str):
        return printable_text(value)
    if isinstance(value, dict):
        return {printable(key): printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    return value


def printable_text(text: str) -> str:
    """`text` with every character `text_problem` refuses written out as an escape (\\x00,
    \\u202e): for records that must keep what was sent, such as the audit trail, where the raw
    characters cannot be stored (PostgreSQL refuses NUL) or would mislead the reader."""
    return re.sub(
        f"[{_CONTROLS}{_BIDI}]",
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
        text,
    )


# --- Forms ------------------------------------------------------------------------------------


def add_input_validators(form: forms.BaseForm) -> None:
    """Give every field of `form` the check of its class: text fields refuse control and
    direction characters (a Textarea keeps tabs and line breaks), date and date-time fields stay
    within EARLIEST..LATEST, whole-number fields within a database integer. Field validators run
    before the form's own clean_<field>(), so those never see an out-of-range value (comparing
    one with "now" is what overflowed)."""
    for field in form.fields.values():
        # Each form instance has its own deep copy of its fields, so this does not pile up.
        if isinstance(field, forms.CharField):
            multi_line = isinstance(field.widget, forms.Textarea)
            # Django's own NUL check says less than ours, and would say it a second time.
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
            field.validators.append(validate_multi_line if multi_line else validate_one_line)
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            field.validators.append(validate_date_bounds)
            field.widget.attrs.setdefault("min", _html_bound(field, EARLIEST))
            field.widget.attrs.setdefault("max", _html_bound(field, LATEST, end_of_day=True))
        elif isinstance(field, forms.IntegerField):
            if field.max_value is None:
                field.validators.append(MaxValueValidator(INT_MAX))
            if field.min_value is None:
                field.validators.append(MinValueValidator(INT_MIN))
        elif isinstance(field, forms.ModelChoiceField) and _keys_are_whole_numbers(field):
            # The rows are looked up before any validator runs, so the number is checked first.
            field.clean = _refusing_keys_out_of_range(field, field.clean)


def _keys_are_whole_numbers(field: forms.ModelChoiceField) -> bool:
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    return isinstance(key, models.IntegerField)


def key_out_of_range(value) -> bool:
    """A whole number (as typed) that no row's integer key can have."""
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        return False
    # Counted before int(): Python refuses to read a whole number of thousands of digits.
    return len(text.lstrip("+-").lstrip("0")) > 19 or not KEY_MIN <= int(text) <= KEY_MAX


def _refusing_keys_out_of_range(field: forms.ModelChoiceField, clean):
    def checked(value):
        for each in value if isinstance(value, list | tuple) else [value]:
            if each not in field.empty_values and key_out_of_range(each):
                raise ValidationError(
                    field.error_messages["invalid_choice"], code="invalid_choice", params={"value": str(each)[:40]}
                )
        return clean(value)

    return checked


def _html_bound(field: forms.Field, day: dt.date, *, end_of_day: bool = False) -> str:
    if isinstance(field, forms.DateTimeField):
        return f"{day.isoformat()}T{'23:59' if end_of_day else '00:00'}"
    return day.isoformat()


class InputRulesMixin:
    """Put before forms.Form / forms.ModelForm (or any form class) in the bases."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_input_validators(self)


class InputForm(InputRulesMixin, forms.Form):
    """The app's plain form: every field checked by its input class (see add_input_validators)."""


class InputModelForm(InputRulesMixin, forms.ModelForm):
    """The app's model form: every field checked by its input class (see add_input_validators)."""
