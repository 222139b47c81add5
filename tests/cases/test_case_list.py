"""The case list page: what a row shows, pages, the htmx fragment, the buttons, bounded queries."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import Note, Shooting
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
ROW = re.compile(r'<th scope="row">(?:<a href="[^"]*">)?([A-Z0-9-]+)')


def rows(html: str) -> list[str]:
    return ROW.findall(html)


def test_a_row_shows_what_the_meeting_needs_at_a_glance(client_for, investigator):
    shooting = make_shooting(
        report_number="RB25004101",
        kind=Shooting.Kind.HOMICIDE,
        # 22:40 in Chicago is 04:40 UTC the next day: the list shows local time.
        occurred_from=dt.datetime(2025, 1, 15, 22, 40, tzinfo=CHICAGO),
        address="4100 Prospect Ave",
        division="East",
        lead_investigator=investigator,
        is_retaliation_risk=True,
        is_domestic_violence=True,
        is_group_involved=True,
        is_juvenile_involved=True,
        victims=[
            {"name": "Rosalind Featherstone", "age": 31, "sex": "F"},
            {"name": "Milo Ashgrove", "is_juvenile": True, "sex": "M"},
        ],
    )

    html = client_for(investigator).get("/cases/").content.decode()

    assert rows(html) == ["RB25004101"]
    row = html[html.index('<th scope="row">') : html.index("</tr>", html.index('<th scope="row">'))]
    assert f'<a href="/cases/{shooting.pk}/">RB25004101</a>' in row
    assert "2025-01-15 22:40" in row
    assert "Homicide" in row
    assert "4100 Prospect Ave" in row
    assert "East" in row
    assert "Rosalind Featherstone" in row and "(31)" in row
    assert "Milo Ashgrove" in row and "(juvenile)" in row
    assert "Open" in row
    assert "Dana Whitfield" in row
    for badge in ["Retaliation risk", "Domestic violence", "Group-involved", "Juvenile involved"]:
        assert badge in row


def test_names_typed_into_a_case_are_shown_as_text_never_as_markup(client_for, investigator):
    make_shooting(address="<b>1 Main</b>", victims=[{"name": '<script>alert("x")</script>'}])

    html = client_for(investigator).get("/cases/").content.decode()

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;1 Main&lt;/b&gt;" in html


def test_the_list_is_shown_fifty_to_a_page_with_links_that_keep_the_filters(client_for, investigator):
    for _ in range(53):
        make_shooting(division="East")
    make_shooting(division="Central")
    client = client_for(investigator)

    first = client.get("/cases/", {"division": "East"}).content.decode()
    second = client.get("/cases/", {"division": "East", "page": 2}).content.decode()

    assert len(rows(first)) == 50
    assert len(rows(second)) == 3
    assert not set(rows(first)) & set(rows(second))
    assert "1–50 of 53 cases" in first
    assert 'href="/cases/?division=East&amp;page=2" rel="next"' in first
    assert 'href="/cases/?division=East&amp;page=1" rel="prev"' in second
    assert "Page 2 of 2" in second


def test_a_page_number_past_the_end_shows_the_last_page(client_for, investigator):
    shooting = make_shooting()

    html = client_for(investigator).get("/cases/", {"page": "99"}).content.decode()

    assert rows(html) == [shooting.report_number]


def test_search_results_are_paged_and_counted_like_the_list(client_for, investigator):
    for _ in range(53):
        make_shooting(address="4100 Prospect Ave")
    make_shooting(address="12 Linwood Blvd")
    client = client_for(investigator)

    def page(number) -> str:
        return client.get("/cases/", {"q": "prospect", "page": number}).content.decode()

    first, second = page(1), page(2)
    assert len(rows(first)) == 50 and len(rows(second)) == 3
    assert "1–50 of 53 cases" in first and "51–53 of 53 cases" in second
    assert "Page 2 of 2" in second
    # Past the end or before the first page: the last page; not a number: the first.
    for out_of_range in ["3", "99", "0", "-1", "99999999999999999999"]:
        assert rows(page(out_of_range)) == rows(second), out_of_range
    assert rows(page("two")) == rows(first)
    nothing = client.get("/cases/", {"q": "nowhere street", "page": 4}).content.decode()
    assert rows(nothing) == [] and "No cases match these filters." in nothing


def test_an_htmx_request_gets_only_the_results_fragment(client_for, investigator):
    wanted = make_shooting(address="4100 Prospect Ave")
    make_shooting(address="12 Linwood Blvd")

    response = client_for(investigator).get(
        "/cases/", {"q": "prospect", "status": "", "kind": "", "sort": "report"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert rows(html) == [wanted.report_number]
    # The sort kept in the filter form is updated out of band, so the next search keeps the order.
    assert 'id="id_sort" value="report" hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]
    # The address bar shows the query without the empty filters the form also sent.
    assert response["HX-Push-Url"] == "/cases/?q=prospect&sort=report"


def test_a_full_page_request_has_the_filter_form_and_the_results(client_for, investigator):
    shooting = make_shooting()

    response = client_for(investigator).get("/cases/")

    html = response.content.decode()
    assert "<html" in html and 'role="search"' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert rows(html) == [shooting.report_number]
    assert "hx-swap-oob" not in html
    assert "HX-Request" in response["Vary"]


def test_going_back_in_history_without_the_htmx_cache_gets_the_whole_page(client_for, investigator):
    make_shooting()

    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client_for(investigator).get("/cases/", headers=headers).content.decode()

    assert "<html" in html


def test_without_javascript_the_filters_are_a_plain_get_form_with_a_submit_button(client_for, investigator):
    html = client_for(investigator).get("/cases/").content.decode()

    form = html[html.index('<form method="get" action="/cases/"') :]
    form = form[: form.index("</form>")]
    assert '<button type="submit"' in form
    for name in ["q", "status", "kind", "division", "occurred_after", "occurred_before", "flag", "updated"]:
        assert f'name="{name}"' in form


def test_the_filters_come_back_as_chosen_with_each_error_beside_its_field(client_for, investigator):
    query = {"status": "cleared", "kind": "homicide", "flag": ["dv", "juvenile"], "occurred_after": "2025-13-01"}

    html = client_for(investigator).get("/cases/", query).content.decode()

    form = html[html.index('<form method="get" action="/cases/"') :]
    form = form[: form.index("</form>")]
    assert re.search(r'<option value="cleared" selected>Cleared \(either way\)</option>', form)
    assert re.search(r'<option value="homicide" selected>Homicide</option>', form)
    assert re.search(r'<option value="" selected>Any division</option>', form)
    assert len(re.findall(r"<option[^>]* selected>", form)) == 4  # status, kind, division, updated
    assert re.search(r'<label for="id_occurred_after">Occurred from</label>', form)
    # The invalid date stays as typed, is marked invalid and points at its message right below.
    date_input = re.search(r'<input type="date" name="occurred_after"[^>]*>', form).group()
    assert 'value="2025-13-01"' in date_input and 'aria-invalid="true"' in date_input
    assert 'aria-describedby="id_occurred_after_error"' in date_input
    after_input = form[form.index(date_input) :]
    assert re.match(
        r'[^<]*<div class="field-errors" role="alert"><ul class="errorlist" id="id_occurred_after_error">'
        r"<li>Enter a valid date.</li>",
        after_input[len(date_input) :],
    )
    assert "aria-invalid" not in re.search(r'<input type="date" name="occurred_before"[^>]*>', form).group()
    checked = re.findall(r'<input type="checkbox" name="flag" value="(\w+)" id="id_flag_\d"( checked)?>', form)
    assert checked == [("dv", " checked"), ("group", ""), ("retaliation", ""), ("juvenile", " checked")]


@pytest.mark.parametrize("persona", ["investigator", "coordinator", "supervisor", "atf_agent"])
def test_people_who_may_create_cases_get_a_new_case_button(request, client_for, persona):
    html = client_for(request.getfixturevalue(persona)).get("/cases/").content.decode()

    assert 'href="/cases/new/">New case</a>' in html


@pytest.mark.parametrize("persona", ["advocate", "prosecutor"])
def test_people_who_may_not_create_cases_get_no_new_case_button(request, client_for, persona):
    html = client_for(request.getfixturevalue(persona)).get("/cases/").content.decode()

    assert "/cases/new/" not in html


def test_the_export_link_carries_the_current_filters(client_for, investigator):
    html = client_for(investigator).get("/cases/", {"kind": "homicide", "flag": ["dv", "group"]}).content.decode()

    assert 'href="/cases/export.csv?kind=homicide&amp;flag=dv&amp;flag=group"' in html


def test_an_empty_list_says_whether_filters_hid_the_cases(client_for, investigator):
    client = client_for(investigator)

    assert "No shootings have been entered yet." in client.get("/cases/").content.decode()
    make_shooting(division="East")
    assert "No cases match these filters." in client.get("/cases/", {"division": "North"}).content.decode()


def test_the_list_costs_the_same_few_queries_however_many_cases_victims_and_notes(
    client_for, investigator, atf_agent, django_assert_max_num_queries
):
    for n in range(32):
        shooting = make_shooting(
            lead_investigator=investigator,
            victims=[{"name": f"Quinlan Marsh {n}", "age": 20 + n}, {"name": f"Ivy Larkspur {n}", "is_juvenile": True}],
        )
        services.add_note(
            shooting, investigator, Note.Kind.SUSPECT, {"name": f"Corwin Blackmere {n}", "status": "suspect"}
        )
        services.add_note(shooting, atf_agent, Note.Kind.GENERAL, {"text": "Casings sent to the lab."})
    client = client_for(investigator)

    # session, user, agency (header and need-to-know), the page of cases with their lead
    # investigators and (for a search of words of three letters or more) how many match, the
    # victims of those cases; the audit row (insert; on SQLite the last hash first, the
    # cases the page shows); the
    # last held meeting's cutoff (for "updated since the last meeting"). The list without a
    # search counts its cases in a query of its own (10).
    with django_assert_max_num_queries(9):
        response = client.get("/cases/", {"q": "marsh", "flag": "dv", "sort": "report"})
    assert response.status_code == 200
    with django_assert_max_num_queries(9):
        response = client.get("/cases/", {"q": "blackmere"}, headers={"HX-Request": "true"})
    assert len(rows(response.content.decode())) == 32
    with django_assert_max_num_queries(10):
        response = client.get("/cases/")
    assert len(rows(response.content.decode())) == 32
    # A name with a misspelling: the people of every case are searched in the same page query.
    with django_assert_max_num_queries(9):
        response = client.get("/cases/", {"q": "Corwin Blackmire"})
    assert len(rows(response.content.decode())) == 32


def test_an_htmx_page_link_pushes_the_page_number_into_the_address_bar(client_for, investigator):
    for _ in range(51):
        make_shooting(division="East")

    response = client_for(investigator).get(
        "/cases/", {"division": "East", "page": "2"}, headers={"HX-Request": "true"}
    )

    assert response["HX-Push-Url"] == "/cases/?division=East&page=2"
    assert len(rows(response.content.decode())) == 1
