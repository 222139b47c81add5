"""The shared input rules (accounts/inputs.py) and the reading of stored dates
(accounts/stored_dates.py): what each class of input refuses, and that every form of the app
gets the rules without anyone adding them field by field."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms

from accounts import inputs, stored_dates
from accounts.models import User

APPS = ["accounts", "cases", "meetings"]
# The sign-in form is Django's own (AuthenticationForm), refusing NUL itself; its handling of
# every attempt (counting failures, lockout) belongs to the sign-in rules.
NOT_OURS = {"accounts.forms.LoginForm"}


def app_form_classes() -> list[type]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.add(sub)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def test_every_form_of_the_app_checks_its_fields_by_the_shared_rules():
    named = {f"{cls.__module__}.{cls.__qualname__}": cls for cls in app_form_classes()}
    assert {"cases.forms.ShootingForm", "cases.note_forms.FirearmNoteForm", "meetings.forms.MeetingForm"} <= set(named)

    missing = {name for name, cls in named.items() if not issubclass(cls, inputs.InputRulesMixin)}
    assert missing <= NOT_OURS, f"forms without the input rules: {sorted(missing - NOT_OURS)}"


@pytest.mark.parametrize(
    "text", ["a\x00b", "bell\x07", "\x1b[31mred", "del\x7f", "next line\x85", "\u202eevil", "\u2066iso\u2069", "\u202a"]
)
def test_control_and_direction_characters_are_refused_in_any_field(text):
    assert inputs.text_problem(text)
    assert inputs.text_problem(text, multi_line=True)


@pytest.mark.parametrize("text", ["two\nlines", "tab\there", "crlf\r\n"])
def test_line_breaks_and_tabs_are_kept_only_where_a_field_is_multi_line(text):
    assert inputs.text_problem(text) == "This field is one line: remove the line break or tab."
    assert inputs.text_problem(text, multi_line=True) == ""


@pytest.mark.parametrize(
    "text", ["Zoë Ångström", "שָׁלוֹם\u200f (RLM)", "محمد\u200e", "🚓 unit 12", 'O\'Brien & Sons, "A"']
)
def test_ordinary_text_in_any_script_is_taken(text):
    assert inputs.text_problem(text) == ""


def test_the_message_names_the_character():
    assert inputs.text_problem("a\x00") == "Remove the invisible control character (U+0000 NULL) from this text."
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in inputs.text_problem("\u202e")


@pytest.mark.parametrize(
    "value,ok",
    [
        (dt.date(1900, 1, 1), True),
        (dt.date(2100, 12, 31), True),
        (dt.date(1899, 12, 31), False),
        (dt.date(2101, 1, 1), False),
        (dt.date(1, 1, 1), False),
        (dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-14))), False),
        (dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))), False),
        (dt.datetime(1900, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=14))), True),
    ],
)
def test_dates_are_judged_by_the_day_they_name_without_converting_them(value, ok):
    assert (inputs.date_problem(value) == "") is ok


def test_a_whole_number_beyond_a_database_integer_is_a_form_error():
    class Counting(inputs.InputForm):
        count = forms.IntegerField()
        bounded = forms.IntegerField(min_value=0, max_value=10)

    form = Counting({"count": str(10**20), "bounded": "5"})

    assert not form.is_valid()
    assert "count" in form.errors and "bounded" not in form.errors


@pytest.mark.parametrize("key", [str(2**63), str(-(2**63) - 1), "9" * 5000])
def test_a_choice_of_rows_naming_a_key_beyond_any_database_integer_is_a_form_error(db, key):
    class PeopleForm(inputs.InputForm):
        one = forms.ModelChoiceField(queryset=User.objects.all(), required=False)
        many = forms.ModelMultipleChoiceField(queryset=User.objects.all(), required=False)

    form = PeopleForm({"one": key, "many": ["1", key]})

    assert not form.is_valid()
    assert form.errors["one"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert form.errors["many"][0].startswith("Select a valid choice.")


def test_what_cannot_be_stored_is_written_out_as_escapes_for_the_audit_trail():
    detail = {"filters": {"user\x00": "\x00", "event": "login\u202e", "page": 2, "ok": "Zoë"}}

    assert inputs.printable(detail) == {
        "filters": {"user\\x00": "\\x00", "event": "login\\u202e", "page": 2, "ok": "Zoë"}
    }


def test_a_wrapped_cell_becomes_one_line():
    assert inputs.one_line(" 1 Elm St\r\n\tApt 4 ") == "1 Elm St Apt 4"


# --- Stored dates -------------------------------------------------------------------------------


def test_stored_instants_near_pythons_limits_are_read_where_local_time_can_show_them():
    early = dt.datetime(1, 1, 1, 3, tzinfo=dt.UTC)
    late = dt.datetime(9999, 12, 31, 20, tzinfo=dt.UTC)
    ordinary = dt.datetime(2026, 3, 14, 21, 40, tzinfo=dt.UTC)

    assert stored_dates.clamp(early) == stored_dates.SAFE_MIN
    assert stored_dates.clamp(late) == stored_dates.SAFE_MAX
    assert stored_dates.clamp(ordinary) is ordinary
    for zone in ("America/Chicago", "Pacific/Kiritimati", "Etc/GMT+12"):
        from zoneinfo import ZoneInfo

        stored_dates.SAFE_MIN.astimezone(ZoneInfo(zone))
        stored_dates.SAFE_MAX.astimezone(ZoneInfo(zone))


def test_stepping_past_year_one_or_9999_stops_at_the_end_instead_of_overflowing():
    assert stored_dates.shifted(dt.date(1, 1, 3), -dt.timedelta(days=7)) == dt.date.min
    assert stored_dates.shifted(dt.date(9999, 12, 31), dt.timedelta(days=366)) == dt.date.max
    assert stored_dates.shifted(stored_dates.SAFE_MIN, -dt.timedelta(weeks=12)) == stored_dates.SAFE_MIN
    assert stored_dates.shifted(dt.date(2026, 1, 8), -dt.timedelta(days=7)) == dt.date(2026, 1, 1)


def test_year_one_is_written_with_four_digits():
    assert stored_dates.minute_text(dt.datetime(1, 1, 1, 18, 9)) == "0001-01-01 18:09"
