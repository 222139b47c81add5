"""New case and edit case: who may, what is checked, what is kept, and concurrent saves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import User
from cases import services
from cases.models import Shooting, ShootingChange, Victim
from tests.factories import UserFactory, make_shooting
from tests.field_errors import field_errors

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def new_case_data(**overrides) -> dict:
    data = {
        "report_number": "rb25-004101",
        "kind": "nonfatal",
        "occurred_from": "2025-01-15T22:30",
        "occurred_to": "",
        "reported_at": "2025-01-15T22:41",
        "address": "4100 Prospect Ave",
        "division": "East",
        "beat": "331",
        "latitude": "39.051234",
        "longitude": "-94.551234",
        "status": "open",
        "cleared_on": "",
        "counting": "counts",
        "lead_investigator": "",
        "summary": "Victim walked into Truman Medical with a graze wound.",
        "referred_to": "",
        "charges_filed": "",
        "custody_status": "",
        "disposition": "",
        "victims-TOTAL_FORMS": "2",
        "victims-INITIAL_FORMS": "0",
        "victims-MIN_NUM_FORMS": "0",
        "victims-MAX_NUM_FORMS": "20",
        "victims-0-name": "Rosalind Featherstone",
        "victims-0-age": "31",
        "victims-0-sex": "F",
        "victims-0-injury": "nonfatal",
        "victims-1-name": "",
        "victims-1-age": "",
        "victims-1-sex": "U",
        "victims-1-injury": "nonfatal",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(shooting: Shooting, **overrides) -> dict:
    local = timezone.localtime
    data = {
        "version": str(shooting.version),
        "report_number": shooting.report_number,
        "kind": shooting.kind,
        "occurred_from": local(shooting.occurred_from).strftime("%Y-%m-%dT%H:%M"),
        "occurred_to": "",
        "reported_at": "",
        "address": shooting.address,
        "division": shooting.division,
        "beat": shooting.beat,
        "latitude": "",
        "longitude": "",
        "status": shooting.status,
        "cleared_on": "",
        "counting": shooting.counting,
        "lead_investigator": shooting.lead_investigator_id or "",
        "summary": shooting.summary,
        "referred_to": shooting.referred_to,
        "charges_filed": shooting.charges_filed,
        "custody_status": shooting.custody_status,
        "disposition": shooting.disposition,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- New case ----------------------------------------------------------------------------------


def test_investigator_creates_a_case_with_its_victims(client_for, investigator, atf_office, prosecutor_office):
    data = new_case_data(lead_investigator=str(investigator.pk), partner_agencies=[atf_office.pk, prosecutor_office.pk])

    response = client_for(investigator).post("/cases/new/", data)

    shooting = Shooting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{shooting.pk}/"
    assert shooting.report_number == "RB25-004101"  # upper-cased
    # The typed wall-clock time is Chicago time: 22:30 CST is 04:30 UTC the next day.
    assert shooting.occurred_from == dt.datetime(2025, 1, 16, 4, 30, tzinfo=dt.UTC)
    assert shooting.reported_at == dt.datetime(2025, 1, 15, 22, 41, tzinfo=CHICAGO)
    assert shooting.latitude == Decimal("39.051234") and shooting.longitude == Decimal("-94.551234")
    assert shooting.created_by == investigator
    assert shooting.lead_investigator == investigator
    assert set(shooting.partner_agencies.all()) == {atf_office, prosecutor_office}
    [victim] = shooting.victims.all()
    assert (victim.name, victim.age, victim.sex) == ("Rosalind Featherstone", 31, "F")
    assert "rosalind featherstone" in shooting.search_text


def test_new_case_form_offers_datetime_local_inputs_in_site_time(client_for, investigator):
    html = client_for(investigator).get("/cases/new/").content.decode()

    assert 'type="datetime-local" name="occurred_from"' in html
    assert "Local time (America/Chicago)." in html
    assert 'name="victims-0-name"' in html


def test_a_time_in_the_hour_that_happens_twice_when_clocks_go_back_is_read_as_the_first(client_for, investigator):
    client_for(investigator).post("/cases/new/", new_case_data(occurred_from="2024-11-03T01:30", reported_at=""))

    # 01:30 CDT (UTC−5), the first of the two 01:30s that night.
    assert Shooting.objects.get().occurred_from == dt.datetime(2024, 11, 3, 6, 30, tzinfo=dt.UTC)


def test_a_time_skipped_when_clocks_go_forward_is_refused_with_the_reason(client_for, investigator):
    html = (
        client_for(investigator)
        .post("/cases/new/", new_case_data(occurred_from="2025-03-09T02:30", reported_at=""))
        .content.decode()
    )

    assert "the clocks went forward an hour that night" in field_errors(html, "id_occurred_from")
    assert not Shooting.objects.exists()


def test_shots_fired_without_victims_is_accepted(client_for, investigator):
    data = new_case_data(kind="shots_fired", **{"victims-0-name": "", "victims-0-age": "", "victims-0-sex": "U"})

    response = client_for(investigator).post("/cases/new/", data)

    assert response.status_code == 302
    assert Shooting.objects.get().victims.count() == 0


@pytest.mark.parametrize("kind", ["homicide", "nonfatal"])
def test_homicide_or_nonfatal_shooting_needs_a_victim(client_for, investigator, kind):
    data = new_case_data(kind=kind, **{"victims-0-name": "", "victims-0-age": "", "victims-0-sex": "U"})

    html = client_for(investigator).post("/cases/new/", data).content.decode()

    assert "needs at least one victim" in html
    assert not Shooting.objects.exists()


def test_a_cleared_status_without_a_date_is_cleared_today(client_for, investigator):
    client_for(investigator).post("/cases/new/", new_case_data(status="cleared_arrest"))

    assert Shooting.objects.get().cleared_on == timezone.localdate()


def test_add_another_victim_adds_a_row_and_keeps_everything_typed_without_saving(client_for, investigator):
    data = new_case_data(add_victim="1", report_number="")  # the rest is not checked yet

    html = client_for(investigator).post("/cases/new/", data).content.decode()

    assert 'name="victims-2-name"' in html
    assert 'value="Rosalind Featherstone"' in html
    assert 'value="4100 Prospect Ave"' in html
    assert "This field is required." not in html
    assert not Shooting.objects.exists()


BAD_INPUT = [
    pytest.param({"report_number": "AB1"}, "report_number", "4 to 32 letters, digits and dashes", id="too-short"),
    pytest.param({"report_number": "AB 12/34"}, "report_number", "4 to 32 letters, digits and dashes", id="bad-chars"),
    pytest.param({"report_number": "A" * 33}, "report_number", "at most 32 characters", id="too-long"),
    pytest.param({"occurred_from": "2099-01-01T10:00"}, "occurred_from", "cannot be in the future", id="future"),
    pytest.param({"occurred_from": "yesterday"}, "occurred_from", "Enter a valid date/time", id="not-a-date"),
    pytest.param({"occurred_to": "2025-01-15T21:00"}, "occurred_to", "“To” cannot be before “from”", id="to<from"),
    pytest.param(
        {"reported_at": "2025-01-15T20:00"}, "reported_at", "cannot be reported before it occurred", id="reported<"
    ),
    pytest.param({"latitude": "91"}, "latitude", "less than or equal to 90", id="latitude>90"),
    pytest.param({"latitude": "-90.5"}, "latitude", "greater than or equal to -90", id="latitude<-90"),
    pytest.param({"longitude": "181"}, "longitude", "less than or equal to 180", id="longitude>180"),
    pytest.param({"longitude": ""}, "longitude", "Enter the longitude too", id="latitude-only"),
    pytest.param({"latitude": ""}, "latitude", "Enter the latitude too", id="longitude-only"),
    pytest.param({"address": "x" * 201}, "address", "at most 200 characters", id="long-address"),
    pytest.param({"summary": "x" * 2001}, "summary", "at most 2000 characters", id="long-summary"),
    pytest.param({"charges_filed": "x" * 301}, "charges_filed", "at most 300 characters", id="long-charges"),
    pytest.param({"beat": "x" * 11}, "beat", "at most 10 characters", id="long-beat"),
    pytest.param(
        {"cleared_on": "2025-02-01"}, "cleared_on", "A clear date needs a cleared status", id="date-not-cleared"
    ),
    pytest.param(
        {"status": "cleared_arrest", "cleared_on": "2025-01-01"},
        "cleared_on",
        "cannot be cleared before the shooting",
        id="cleared-before-shooting",
    ),
    pytest.param({"victims-0-age": "121"}, "victims-0-age", "less than or equal to 120", id="age>120"),
    pytest.param({"victims-0-age": "-1"}, "victims-0-age", "greater than or equal to 0", id="age<0"),
    pytest.param(
        {"victims-0-age": "19", "victims-0-is_juvenile": "on"}, "victims-0-age", "A juvenile is under 18", id="juv-19"
    ),
    pytest.param({"victims-0-name": "x" * 121}, "victims-0-name", "at most 120 characters", id="long-victim-name"),
]


@pytest.mark.parametrize("changes,field,message", BAD_INPUT)
def test_bad_input_is_explained_next_to_its_field_and_nothing_is_saved(
    client_for, investigator, changes, field, message
):
    data = new_case_data(**changes)

    response = client_for(investigator).post("/cases/new/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in field_errors(html, f"id_{field}"), html
    assert not Shooting.objects.exists()
    assert not Victim.objects.exists()
    # Everything typed is still there to correct.
    assert 'value="4100 Prospect Ave"' in html or field == "address"
    assert "Victim walked into Truman Medical with a graze wound." in html or field == "summary"
    assert 'value="Rosalind Featherstone"' in html or field == "victims-0-name"
    for value in changes.values():
        if value and len(value) < 50 and "T" not in value:
            assert f'value="{value}"' in html or value == "on"


def test_a_duplicate_report_number_is_refused_whatever_its_letter_case(client_for, investigator):
    existing = make_shooting(report_number="RB25-004101")

    html = client_for(investigator).post("/cases/new/", new_case_data(report_number="rb25-004101")).content.decode()

    assert "Another case already has report number RB25-004101." in field_errors(html, "id_report_number")
    assert list(Shooting.objects.all()) == [existing]


def test_a_valid_juvenile_victim_may_have_an_age_under_18_or_none(client_for, investigator):
    data = new_case_data(**{"victims-0-age": "16", "victims-0-is_juvenile": "on"})
    data.update({"victims-1-name": "Milo Ashgrove", "victims-1-is_juvenile": "on"})

    client_for(investigator).post("/cases/new/", data)

    ages = {v.name: (v.age, v.is_juvenile) for v in Victim.objects.all()}
    assert ages == {"Rosalind Featherstone": (16, True), "Milo Ashgrove": (None, True)}


def test_a_new_case_with_a_victim_who_died_is_refused_unless_it_is_a_homicide(client_for, investigator):
    data = new_case_data(**{"victims-0-injury": "fatal"})

    html = client_for(investigator).post("/cases/new/", data).content.decode()

    assert "A victim who died makes the shooting a homicide: choose Homicide as the kind" in field_errors(
        html, "id_victims-0-injury"
    )
    assert not Shooting.objects.exists()


def test_a_new_homicide_takes_a_victim_who_died(client_for, investigator):
    data = new_case_data(kind="homicide", **{"victims-0-injury": "fatal"})

    client_for(investigator).post("/cases/new/", data)

    shooting = Shooting.objects.get()
    assert shooting.kind == Shooting.Kind.HOMICIDE
    assert [(v.name, v.injury) for v in shooting.victims.all()] == [("Rosalind Featherstone", Victim.Injury.FATAL)]


def test_coordinates_with_many_decimals_are_rounded_to_the_six_stored(client_for, investigator):
    client_for(investigator).post("/cases/new/", new_case_data(latitude="39.0997654321", longitude="-94.57856789"))

    shooting = Shooting.objects.get()
    assert (shooting.latitude, shooting.longitude) == (Decimal("39.099765"), Decimal("-94.578568"))


def test_fields_that_are_not_on_the_form_cannot_be_posted_into_a_new_case(client_for, investigator, outsider):
    data = new_case_data(created_by=str(outsider.pk), version="40", cluster_id="7", search_text="planted words")

    client_for(investigator).post("/cases/new/", data)

    shooting = Shooting.objects.get()
    assert shooting.created_by == investigator
    assert shooting.version == 1
    assert shooting.cluster_id is None
    assert "planted" not in shooting.search_text


@pytest.mark.parametrize("persona", ["advocate", "prosecutor"])
def test_people_who_may_not_create_cases_get_404_on_the_new_case_form(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))

    assert client.get("/cases/new/").status_code == 404
    assert client.post("/cases/new/", new_case_data()).status_code == 404
    assert not Shooting.objects.exists()


def test_a_user_without_role_or_agency_gets_404_on_new_and_edit(client_for):
    shooting = make_shooting()
    client = client_for(UserFactory(role="", agency=None))

    assert client.get("/cases/new/").status_code == 404
    assert client.get(f"/cases/{shooting.pk}/edit/").status_code == 404
    assert client.post(f"/cases/{shooting.pk}/edit/", edit_data(shooting, address="Nowhere")).status_code == 404
    shooting.refresh_from_db()
    assert shooting.address != "Nowhere"


def test_new_case_form_costs_a_few_queries(client_for, investigator, django_assert_max_num_queries):
    for n in range(5):
        UserFactory(username=f"det_extra_{n}", agency=investigator.agency, role=User.Role.INVESTIGATOR)
    client = client_for(investigator)

    # session, user, agency, lead investigator choices with their agencies, partner agency
    # choices; the audit row (insert; on SQLite the last hash first)
    with django_assert_max_num_queries(9):
        response = client.get("/cases/new/")
    assert response.status_code == 200


# --- Edit case ---------------------------------------------------------------------------------


def test_edit_form_shows_the_saved_values_in_local_time_and_the_version(client_for, investigator):
    shooting = make_shooting(
        occurred_from=dt.datetime(2025, 1, 15, 22, 30, tzinfo=CHICAGO), address="4100 Prospect Ave"
    )

    html = client_for(investigator).get(f"/cases/{shooting.pk}/edit/").content.decode()

    assert 'value="2025-01-15T22:30"' in html
    assert 'value="4100 Prospect Ave"' in html
    assert f'<input type="hidden" name="version" value="{shooting.version}"' in html


def test_investigator_edits_a_case_and_the_change_is_recorded(client_for, investigator):
    # Stored with seconds, as imports and the service allow; the form shows minutes only.
    occurred = timezone.now().replace(second=42, microsecond=123456) - dt.timedelta(days=2)
    shooting = make_shooting(address="4100 Prospect Ave", occurred_from=occurred)

    response = client_for(investigator).post(
        f"/cases/{shooting.pk}/edit/", edit_data(shooting, address="4102 Prospect Ave", status="cleared_exceptional")
    )

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{shooting.pk}/"
    shooting.refresh_from_db()
    assert shooting.address == "4102 Prospect Ave"
    assert shooting.cleared_on == timezone.localdate()
    assert shooting.version == 2
    change = ShootingChange.objects.get(shooting=shooting)
    assert change.changed_by == investigator
    assert change.changes["address"] == ["4100 Prospect Ave", "4102 Prospect Ave"]
    # Fields left as they were are neither rewritten nor reported as changed.
    assert set(change.changes) == {"address", "status", "cleared_on"}
    assert shooting.occurred_from == occurred


def test_after_an_address_is_corrected_the_case_is_found_by_the_new_address(client_for, investigator):
    shooting = make_shooting(address="4100 Prospect Ave")
    client = client_for(investigator)

    client.post(f"/cases/{shooting.pk}/edit/", edit_data(shooting, address="77 Wornall Rd"))

    assert shooting.report_number in client.get("/cases/", {"q": "wornall"}).content.decode()
    assert shooting.report_number not in client.get("/cases/", {"q": "prospect"}).content.decode()


def test_prosecutor_may_edit_the_prosecution_fields(client_for, prosecutor):
    shooting = make_shooting()

    client_for(prosecutor).post(
        f"/cases/{shooting.pk}/edit/", edit_data(shooting, referred_to="state", charges_filed="Assault 1st degree")
    )

    shooting.refresh_from_db()
    assert (shooting.referred_to, shooting.charges_filed) == ("state", "Assault 1st degree")


def test_a_second_save_from_an_older_form_never_silently_overwrites_the_first(client_for, investigator, coordinator):
    shooting = make_shooting(address="4100 Prospect Ave", division="East", summary="First account.")
    stale = edit_data(shooting)  # the investigator opened the form at version 1
    services.update_shooting(
        shooting, coordinator, {"address": "4120 Prospect Ave", "division": "Metro"}, expected_version=1
    )

    stale.update(address="4100 Prospect Avenue", summary="Second account from the investigator.")
    response = client_for(investigator).post(f"/cases/{shooting.pk}/edit/", stale)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this case while you were editing it (Renee Talmadge at" in html
    # Their newer values, for each field that differs from what this person typed…
    assert "Saved meanwhile by someone else: <strong>4120 Prospect Ave</strong>" in html
    assert "Saved meanwhile by someone else: <strong>Metro</strong>" in html
    assert "Saved meanwhile by someone else: <strong>First account.</strong>" in html
    assert html.count("Saved meanwhile by someone else") == 3  # nothing else differs
    # …while what this person typed is kept in the form.
    assert 'value="4100 Prospect Avenue"' in html
    assert "Second account from the investigator." in html
    shooting.refresh_from_db()
    assert (shooting.address, shooting.division, shooting.summary) == ("4120 Prospect Ave", "Metro", "First account.")
    assert shooting.version == 2
    # The re-shown form carries the new version: saving again, having seen theirs, is deliberate.
    assert '<input type="hidden" name="version" value="2"' in html
    stale["version"] = "2"
    assert client_for(investigator).post(f"/cases/{shooting.pk}/edit/", stale).status_code == 302
    shooting.refresh_from_db()
    assert shooting.address == "4100 Prospect Avenue"


def test_bad_input_on_edit_is_explained_and_nothing_changes(client_for, investigator):
    shooting = make_shooting(address="4100 Prospect Ave")

    html = (
        client_for(investigator)
        .post(f"/cases/{shooting.pk}/edit/", edit_data(shooting, address="", latitude="95", longitude="10"))
        .content.decode()
    )

    assert "This field is required." in field_errors(html, "id_address")
    assert "less than or equal to 90" in field_errors(html, "id_latitude")
    assert 'value="95"' in html
    shooting.refresh_from_db()
    assert shooting.address == "4100 Prospect Ave" and shooting.version == 1


def test_edit_refuses_a_report_number_another_case_has(client_for, investigator):
    make_shooting(report_number="RB25000001")
    shooting = make_shooting(report_number="RB25000002")

    html = (
        client_for(investigator)
        .post(f"/cases/{shooting.pk}/edit/", edit_data(shooting, report_number="rb25000001"))
        .content.decode()
    )

    assert "Another case already has report number RB25000001." in field_errors(html, "id_report_number")
    # Keeping its own number is no conflict.
    assert client_for(investigator).post(f"/cases/{shooting.pk}/edit/", edit_data(shooting)).status_code == 302


def test_fields_that_are_not_on_the_form_cannot_be_posted_into_an_edit(client_for, investigator, outsider):
    creator = UserFactory()
    shooting = make_shooting(creator)
    data = edit_data(
        shooting, address="4102 Prospect Ave", created_by=str(outsider.pk), cluster_id="7", search_text="planted"
    )

    client_for(investigator).post(f"/cases/{shooting.pk}/edit/", data)

    shooting.refresh_from_db()
    assert shooting.address == "4102 Prospect Ave"
    assert shooting.created_by == creator
    assert shooting.cluster_id is None
    assert "planted" not in shooting.search_text
    assert shooting.version == 2  # bumped by the save itself, by one


def test_a_posted_version_cannot_be_used_to_jump_ahead(client_for, investigator):
    shooting = make_shooting(address="4100 Prospect Ave")

    response = client_for(investigator).post(
        f"/cases/{shooting.pk}/edit/", edit_data(shooting, version="99", address="4102 Prospect Ave")
    )

    assert "Someone else saved this case" in response.content.decode()
    shooting.refresh_from_db()
    assert (shooting.version, shooting.address) == (1, "4100 Prospect Ave")


def test_an_edit_without_the_version_is_refused_with_a_reload_message(client_for, investigator):
    shooting = make_shooting(address="4100 Prospect Ave")
    data = edit_data(shooting, address="4102 Prospect Ave")
    del data["version"]

    html = client_for(investigator).post(f"/cases/{shooting.pk}/edit/", data).content.decode()

    assert "This form is out of date" in html
    shooting.refresh_from_db()
    assert shooting.address == "4100 Prospect Ave"


def test_advocate_gets_404_on_edit_and_changes_nothing(client_for, advocate):
    shooting = make_shooting(address="4100 Prospect Ave")
    client = client_for(advocate)

    assert client.get(f"/cases/{shooting.pk}/edit/").status_code == 404
    assert client.post(f"/cases/{shooting.pk}/edit/", edit_data(shooting, address="Elsewhere")).status_code == 404
    shooting.refresh_from_db()
    assert shooting.address == "4100 Prospect Ave"


def test_editing_a_case_that_does_not_exist_is_404(client_for, investigator):
    assert client_for(investigator).get("/cases/999999/edit/").status_code == 404


def test_edit_form_costs_a_few_queries(client_for, investigator, atf_office, django_assert_max_num_queries):
    shooting = make_shooting(lead_investigator=investigator)
    shooting.partner_agencies.set([atf_office])
    client = client_for(investigator)

    # session, user, agency, the case, its partner agencies (form initial), lead investigator
    # choices with their agencies, partner agency choices; the audit row (insert; on SQLite the last hash first)
    with django_assert_max_num_queries(10):
        response = client.get(f"/cases/{shooting.pk}/edit/")
    assert response.status_code == 200


def test_a_moved_time_is_recorded_on_the_local_clock_to_the_minute(client_for, investigator):
    shooting = make_shooting(occurred_from=dt.datetime(2025, 1, 15, 22, 30, tzinfo=CHICAGO))

    response = client_for(investigator).post(
        f"/cases/{shooting.pk}/edit/", edit_data(shooting, occurred_from="2025-01-15T21:45")
    )

    assert response.status_code == 302
    change = ShootingChange.objects.get(shooting=shooting)
    # As the edit form and an edit conflict show it, not the database's UTC with seconds.
    assert change.changes["occurred_from"] == ["2025-01-15 22:30", "2025-01-15 21:45"]
