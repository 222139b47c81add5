"""Dates and date-times of cases: every way in (the case form, a note's dates, the list's filters
and its export, the import) takes only 1900 to 2100, saying so beside the field or naming the
line; and a case stored out of range before those bounds existed shows and sorts like any other
on the list, the export and its page, instead of failing them for everyone."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection

from cases.importers.upsert import import_shootings
from cases.models import Note, Shooting
from tests.cases.test_case_forms import new_case_data
from tests.factories import make_shooting
from tests.field_errors import field_errors

pytestmark = pytest.mark.django_db

BOUNDS = "Enter a date between 01 January 1900 and 31 December 2100."


# --- The case form ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,value",
    [
        ("occurred_to", "9999-12-31T23:59-14:00"),  # compared with "now", this overflowed (500)
        ("occurred_from", "0001-01-01T00:00+14:00"),
        ("occurred_from", "0001-01-01T00:00"),
        ("occurred_from", "1000-06-01T12:00"),
        ("reported_at", "9999-12-31T23:59"),
    ],
)
def test_the_case_form_refuses_a_time_out_of_bounds_beside_its_field(client_for, investigator, field, value):
    response = client_for(investigator).post("/cases/new/", new_case_data(**{field: value}))

    assert response.status_code == 200
    html = response.content.decode()
    assert BOUNDS in field_errors(html, f"id_{field}")
    assert not Shooting.objects.exists()
    assert 'value="4100 Prospect Ave"' in html  # what was typed is kept


def test_the_case_form_tells_the_browser_its_date_bounds(client_for, investigator):
    html = client_for(investigator).get("/cases/new/").content.decode()

    tag = re.search(r'<input type="datetime-local" name="occurred_from"[^>]*>', html).group()
    assert 'min="1900-01-01T00:00"' in tag and 'max="2100-12-31T23:59"' in tag


@pytest.mark.parametrize("value", ["0001-01-01", "1000-01-01", "1899-12-31"])
def test_a_firearm_recovered_before_1900_is_refused_beside_the_field(client_for, investigator, value):
    shooting = make_shooting(investigator)
    data = {"recovered": "on", "recovered_on": value, "etrace_status": "not_submitted"}

    response = client_for(investigator).post(f"/cases/{shooting.pk}/notes/add/firearm/", data)

    assert response.status_code == 200
    assert BOUNDS in response.content.decode()
    assert not Note.objects.exists()


def test_the_last_day_of_1899_is_refused_and_the_first_of_1900_taken(client_for, investigator):
    shooting = make_shooting(investigator)
    client = client_for(investigator)
    data = {"name": "Lucius Varga", "status": "suspect"}

    refused = client.post(f"/cases/{shooting.pk}/notes/add/suspect/", {**data, "date_of_birth": "1899-12-31"})
    taken = client.post(f"/cases/{shooting.pk}/notes/add/suspect/", {**data, "date_of_birth": "1900-01-01"})

    assert BOUNDS in refused.content.decode()
    assert taken.status_code == 302
    assert Note.objects.get().fields["date_of_birth"] == "1900-01-01"


# --- The list's filters and its export ----------------------------------------------------------


@pytest.mark.parametrize("url", ["/cases/", "/cases/export.csv"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_a_filter_date_out_of_bounds_is_left_out_not_a_server_error(client_for, investigator, url, value):
    make_shooting(investigator, report_number="RB26000001")

    response = client_for(investigator).get(url, {"occurred_before": value})

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "RB26000001" in body.decode("utf-8-sig")
    if url == "/cases/":
        assert BOUNDS in body.decode()


# --- The import ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00+14:00", "1000-06-01 12:00", "9999-12-31T23:59-14:00", "1/1/0001 0:00"]
)
def test_the_import_refuses_an_occurred_time_out_of_bounds_naming_the_line(coordinator, value):
    text = f"report_number,kind,occurred_from,address\nRB26000001,nonfatal,{value},1 Elm St\n"

    report = import_shootings(text, coordinator)

    assert [str(error) for error in report.errors] == [f"line 2: occurred_from: “{value}” is out of range. {BOUNDS}"]
    assert not Shooting.objects.exists()


def test_the_kcpd_import_refuses_a_date_out_of_bounds_naming_the_line(coordinator):
    header = "Report_No,Reported_Date,From_Date,Offense,IBRS,Address,Involvement,Invl_No,Firearm Used Flag"
    text = f"{header}\nKC1000001,1/2/1000,1/1/1000,Aggravated Assault,13A,1 Elm St,VIC,1,Y\n"

    report = import_shootings(text, coordinator)

    assert [str(error) for error in report.errors] == [f"line 2: Reported_Date: “1/2/1000” is out of range. {BOUNDS}"]


# --- Stored before the bounds existed -------------------------------------------------------------


def store_occurred(shooting: Shooting, typed: str, utc_text: str) -> None:
    """Put a time into the row as the database holds it, past every check of the app: PostgreSQL
    is given the value with its offset; SQLite keeps naive UTC text."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = "UPDATE cases_shooting SET occurred_from = %s::timestamptz WHERE id = %s"
            cursor.execute(sql, [typed, shooting.pk])
        else:
            cursor.execute("UPDATE cases_shooting SET occurred_from = %s WHERE id = %s", [utc_text, shooting.pk])


@pytest.fixture
def out_of_range_cases(investigator):
    early = make_shooting(investigator, report_number="RB00000001")
    late = make_shooting(investigator, report_number="RB99999999")
    ordinary = make_shooting(investigator, report_number="RB26000500")
    # One 14 hours ahead of UTC on the first day of year 1 is in year 0 (1 BC) in UTC.
    store_occurred(early, "0001-01-01T00:00+14:00", "0000-12-31 10:00:00")
    # SQLite compares text, so its nearest to year 10000 is the last minute of 9999.
    store_occurred(late, "9999-12-31T23:59-14:00", "9999-12-31 23:59:00")
    return early, late, ordinary


@pytest.mark.parametrize("sort", ["occurred", "-occurred"])
def test_the_list_shows_and_sorts_cases_stored_out_of_range(client_for, investigator, out_of_range_cases, sort):
    response = client_for(investigator).get("/cases/", {"sort": sort})

    assert response.status_code == 200
    html = response.content.decode()
    order = [html.index(number) for number in ["RB00000001", "RB26000500", "RB99999999"]]
    assert order == sorted(order) if sort == "occurred" else order == sorted(order, reverse=True)
    assert re.search(r"0001-01-0\d \d\d:\d\d", html) and re.search(r"9999-12-\d\d \d\d:\d\d", html)


def test_the_export_holds_every_case_even_those_stored_out_of_range(client_for, investigator, out_of_range_cases):
    response = client_for(investigator).get("/cases/export.csv", {"sort": "occurred"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["RB00000001", "RB26000500", "RB99999999"]
    assert rows[1][1].startswith("0001-01-0") and rows[3][1].startswith("9999-12-")


def test_a_case_stored_out_of_range_opens_and_its_edit_form_asks_for_a_sane_date(
    client_for, investigator, out_of_range_cases
):
    early, late, _ordinary = out_of_range_cases
    client = client_for(investigator)

    for shooting in (early, late):
        assert client.get(f"/cases/{shooting.pk}/").status_code == 200
        assert client.get(f"/cases/{shooting.pk}/edit/").status_code == 200
