"""Fuzzing every form and filter of the app: random dates (year 1 to 9999, with and without
offsets), numbers (huge, negative, not numbers at all) and text full of control and
text-direction characters, sent by every persona to every form their pages show and to every
filter their pages link to. Nothing may answer with a server error (500) or fail closed (503).

The forms and filters are found by reading the pages (tests/security/page_forms.py), so a form
added later is fuzzed without being listed here. Each form gets a few examples; a failure prints
the smallest input Hypothesis found and how to replay it.
"""

from __future__ import annotations

import os
import string
from datetime import date, datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security import page_forms, sweep_data
from tests.security.sweep_data import PERSONAS

pytestmark = pytest.mark.django_db

# A few examples per form keep the suite quick; FUZZ_EXAMPLES=200 digs deeper (minutes).
EXAMPLES_PER_FORM = int(os.environ.get("FUZZ_EXAMPLES") or 6)
FUZZ = settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# The export answers the list's own filters, and the audit export the audit search's; their pages
# link to them only once a filter is set.
SAME_FILTERS = {"cases:list": "/cases/export.csv", "audit_log": "/accounts/audit/export.csv"}
# Hidden fields that carry state (the version an edit was made on, where to go back to): mostly
# sent as the page had them, so the request gets past the version check into the form.
STATE_FIELDS = ("version", "csrfmiddlewaretoken", "next", "back", "from_case")

# --- Values -------------------------------------------------------------------------------------

NASTY_CHARS = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\x9b", "\u200e", "\u200f", "\ufeff"]
NASTY_CHARS += [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
nasty_text = st.text(
    alphabet=st.one_of(st.sampled_from(NASTY_CHARS), st.characters(codec="utf-8"), st.sampled_from(",\"';<>&%")),
    max_size=40,
)
EDGE_DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01", "2026-02-30"]
dates = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.sampled_from(EDGE_DATES),
    nasty_text,
)
OFFSETS = ["", "", "Z", "+14:00", "-14:00", "+23:59", "-00:01"]
datetimes = st.one_of(
    st.builds(
        lambda moment, offset: moment.strftime("%Y-%m-%dT%H:%M").rjust(16, "0") + offset,
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
        st.sampled_from(OFFSETS),
    ),
    st.sampled_from(["0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "0001-01-01T00:00", "2026-03-08T02:30"]),
    nasty_text,
)
times = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")), st.sampled_from(["24:00", "25:61", "-1:00", "9:5"]), nasty_text
)
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["1e309", "-1e309", "NaN", "Infinity", "-0", "١٢", "²", "0x10", "9" * 60, "1.5", " 7 "]),
    st.floats().map(str),
    nasty_text,
)


def csv_files():
    """An upload for the import: our template's header and rows of random cells, quotes and all."""
    cell = st.one_of(nasty_text, dates, datetimes, numbers, st.sampled_from(["nonfatal", "homicide", "RB26000999"]))
    row = st.lists(cell, min_size=1, max_size=8).map(lambda cells: ",".join(cells))
    header = "report_number,kind,occurred_from,address,summary,victim_name,victim_age,latitude"
    return st.lists(row, max_size=4).map(lambda rows: "\n".join([header, *rows]).encode("utf-8"))


def value_for(field: page_forms.Field, all_fields: list[page_forms.Field]):
    """A strategy for what to send in `field`: mostly something hostile of its kind, sometimes what
    the page had (so the other fields get past the checks that come first)."""
    kind, name = field.kind, field.name
    keep = st.just(field.value)
    if kind == "hidden" and name.rsplit("-", 1)[-1] in STATE_FIELDS:
        return st.one_of(keep, keep, keep, numbers, nasty_text)
    if kind == "date":
        return dates
    if kind == "datetime-local":
        return datetimes
    if kind == "time":
        return times
    if kind == "number":
        return numbers
    if kind in {"select", "select-multiple"}:
        options = list(field.options) or [""]
        return st.one_of(st.sampled_from(options), st.sampled_from(options), numbers, nasty_text)
    if kind in {"checkbox", "radio", "button"}:
        values = [f.value or "on" for f in all_fields if f.name == name]
        return st.one_of(st.none(), st.sampled_from(values))
    if kind == "file":
        return csv_files()
    if name.rsplit("-", 1)[-1] == "order":
        return st.one_of(st.lists(numbers, max_size=4).map(",".join), nasty_text)
    return st.one_of(nasty_text, keep)


@st.composite
def submissions(draw, form: page_forms.PageForm, shown_to: list[str]):
    """(persona, data, htmx) for one request to `form`."""
    persona = draw(st.one_of(st.sampled_from(shown_to), st.sampled_from(PERSONAS)))
    fields = list(form.fields)
    data: dict[str, object] = {}
    for name in dict.fromkeys(f.name for f in fields):
        field = next(f for f in fields if f.name == name)
        value = draw(value_for(field, fields))
        if value is None:
            continue
        if field.kind == "file":
            from django.core.files.uploadedfile import SimpleUploadedFile

            value = SimpleUploadedFile("fuzz.csv", value, content_type="text/csv")
        elif field.kind == "checkbox" and sum(f.name == name for f in fields) > 1:
            options = [f.value for f in fields if f.name == name]
            value = draw(st.lists(st.sampled_from(options), unique=True, max_size=3))
        data[name] = value
    return persona, data, draw(st.booleans())


# --- The test -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with sweep_data.seeded(django_db_blocker) as world:
        yield world


@pytest.fixture(scope="module")
def found(world, django_db_blocker) -> page_forms.Discovered:
    from django.test import Client

    with django_db_blocker.unblock(), transaction.atomic():
        discovered = page_forms.discover(Client(), world, PERSONAS)
        transaction.set_rollback(True)
    return discovered


def send(client, method: str, url: str, data: dict, htmx: bool):
    headers = {"HX-Request": "true"} if htmx else {}
    # A savepoint per request: a failed statement on PostgreSQL must not poison the ones after it,
    # or every later example would fail for the first one's sake.
    with transaction.atomic():
        if method == "get":
            response = client.get(url, data, headers=headers)
        else:
            response = client.post(url, data, headers=headers)
    return response


def check(response, method: str, url: str, persona: str, data: dict) -> None:
    assert response.status_code not in (500, 503), f"{persona} {method.upper()} {url} {data!r}"


def test_the_pages_show_the_forms_and_filters_the_fuzzing_needs(found):
    routes = {form.route for form in found.forms.values()}
    # A few from each app: if reading the pages broke, the fuzzing would pass on nothing.
    assert {"cases:list", "cases:map", "cases:new", "cases:add_note", "cases:import", "cases:nibin_lead"} <= routes
    assert {"cases:saved_search_save", "cases:saved_search_edit", "cases:saved_search_delete"} <= routes
    assert {"cases:import_nibin", "cases:import_etrace"} <= routes
    assert {"meetings:create", "meetings:series_create", "meetings:agenda_action", "audit_log"} <= routes
    assert {"cases:detail", "cases:nibin_list", "meetings:reminders"} <= set(found.filters)


def fuzz_form(client, world, form: page_forms.PageForm, shown_to: list[str]) -> None:
    @FUZZ
    @given(st.data())
    def fuzz(data):
        persona, values, htmx = data.draw(submissions(form, shown_to))
        client.force_login(world.users[persona])
        check(send(client, form.method, form.action, values, htmx), form.method, form.action, persona, values)
        extra = SAME_FILTERS.get(form.route) if form.method == "get" else None
        if extra:
            check(send(client, "get", extra, values, htmx=False), "get", extra, persona, values)

    fuzz()


def fuzz_filter(client, world, path: str, params: dict[str, set[str]]) -> None:
    hostile = st.one_of(nasty_text, numbers, dates, st.sampled_from(string.digits))
    values = st.fixed_dictionaries(
        {}, optional={name: st.one_of(st.sampled_from(sorted(seen)), hostile) for name, seen in params.items()}
    )

    @FUZZ
    @given(persona=st.sampled_from(PERSONAS), values=values, htmx=st.booleans())
    def fuzz(persona, values, htmx):
        client.force_login(world.users[persona])
        check(send(client, "get", path, values, htmx), "get", path, persona, values)

    fuzz()


def test_no_form_answers_any_input_with_a_server_error(world, found, client):
    for key, form in sorted(found.forms.items()):
        fuzz_form(client, world, form, sorted(found.personas[key]))


def test_no_filter_link_answers_any_value_with_a_server_error(world, found, client):
    for paths in found.filters.values():
        # The same filters on another object's page (each case's note-kind links) add nothing.
        path, params = sorted(paths.items())[0]
        fuzz_filter(client, world, path, params)


# --- The REST API -------------------------------------------------------------------------------

# Any JSON value a client could send, hostile text and numbers first.
json_values = st.one_of(
    nasty_text,
    numbers,
    dates,
    datetimes,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(nasty_text, max_size=3),
    st.dictionaries(nasty_text, nasty_text, max_size=2),
)


def api_writes(world) -> list[tuple[str, str, list[str]]]:
    """(method, URL, the fields it takes) of every write of the API, on the sweep's objects."""
    from cases.forms import ProsecutionForm
    from cases.lead_forms import LeadForm, TriageForm, WorkForm
    from cases.note_forms import NOTE_FORMS

    calls = []
    for shooting in world.shootings.values():
        for kind, form in NOTE_FORMS.items():
            calls.append(("post", f"/api/v1/cases/{shooting.pk}/notes/#{kind}", ["kind", *form.base_fields]))
        calls.append(("patch", f"/api/v1/cases/{shooting.pk}/prosecution/", [*ProsecutionForm.base_fields]))
    for note in world.notes.values():
        fields = ["revision", *NOTE_FORMS[note.kind].base_fields]
        calls.append(("patch", f"/api/v1/notes/{note.pk}/", fields))
        calls.append(("post", f"/api/v1/notes/{note.pk}/etrace/", ["revision", "etrace_status", "etrace_number"]))
        calls.append(("post", f"/api/v1/notes/{note.pk}/retract/", ["reason"]))
    for lead in world.leads:
        calls.append(("patch", f"/api/v1/leads/{lead.pk}/", ["version", *LeadForm.base_fields]))
        calls.append(("post", f"/api/v1/leads/{lead.pk}/triage/", [*TriageForm.base_fields]))
    for work in world.lead_work:
        calls.append(("patch", f"/api/v1/leads/{work.lead_id}/work/{work.pk}/", [*WorkForm.base_fields]))
    return calls


API_FILTERS = {
    "/api/v1/cases/": [
        "q",
        "status",
        "kind",
        "division",
        "occurred_after",
        "occurred_before",
        "flag",
        "updated",
        "updated_since",
        "sort",
        "page",
    ],
    "/api/v1/leads/": ["status", "page"],
    "/api/v1/meetings/": ["page"],
    "/api/v1/action-items/": ["scope", "status", "page"],
}


def test_no_api_call_answers_any_input_with_a_server_error(world):
    from tests.api.conftest import ApiClient

    clients = {persona: ApiClient(world.api_tokens[persona]) for persona in PERSONAS}
    calls = api_writes(world)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        persona = data.draw(st.sampled_from(PERSONAS))
        method, url, fields = data.draw(st.sampled_from(calls))
        url, _, kind = url.partition("#")
        body = data.draw(st.dictionaries(st.sampled_from(fields), json_values, max_size=len(fields)))
        if kind and data.draw(st.booleans()):
            body["kind"] = kind
        if data.draw(st.booleans()):
            body = data.draw(st.one_of(json_values, st.just(body)))
        with transaction.atomic():
            response = getattr(clients[persona], method)(url, body)
        check(response, method, url, persona, body)
        assert response["Content-Type"] == "application/json", (url, response.status_code)

    @FUZZ
    @given(persona=st.sampled_from(PERSONAS), path=st.sampled_from(sorted(API_FILTERS)), data=st.data())
    def fuzz_lists(persona, path, data):
        params = data.draw(
            st.dictionaries(st.sampled_from(API_FILTERS[path]), st.one_of(nasty_text, numbers, dates), max_size=4)
        )
        with transaction.atomic():
            response = clients[persona].get(path, params)
        check(response, "get", path, persona, params)

    # Many more examples than a page form: one test covers every write of the API.
    for _ in range(max(4, len(calls) // 8)):
        fuzz()
    for _ in range(4):
        fuzz_lists()
