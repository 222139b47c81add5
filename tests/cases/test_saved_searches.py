"""Saved searches on their pages: saved from the case list with exactly the list's filters,
listed, renamed, set to alert, deleted and run, by their owner only; bad input answered next to
the field with what was typed kept, and nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from cases.models import SavedSearch
from cases.views.saved_searches import MAX_PER_PERSON
from tests.factories import UserFactory, make_shooting
from tests.field_errors import field_errors
from tests.reminders.search_scenario import save

pytestmark = pytest.mark.django_db

SAVE = "/cases/searches/save/"
LIST = "/cases/searches/"


def test_saving_keeps_the_case_lists_own_query_tidied_by_its_filter_form(client_for, investigator):
    response = client_for(investigator).post(
        SAVE,
        {
            "q": "  harbor   st ",
            "status": "open",
            "kind": "",
            "flag": ["dv", "group"],
            "sort": "report",
            "page": "3",
            "name": "  Harbor   open ",
            "alert": "daily",
        },
    )

    search = SavedSearch.objects.get()
    assert (search.owner, search.name, search.alert) == (investigator, "Harbor open", SavedSearch.Alert.DAILY)
    assert search.params == {"q": ["harbor st"], "status": ["open"], "sort": ["report"], "flag": ["dv", "group"]}
    assert search.watch_from is not None
    # Back to the list it was saved from, its filters in place.
    assert response.status_code == 302
    assert response["Location"] == "/cases/?q=harbor+st&status=open&sort=report&flag=dv&flag=group"
    event = AuditEvent.objects.filter(actor_id=investigator.pk, event="saved_search.create").get()
    assert event.object_id == str(search.pk)
    # Which filters, never what was searched for.
    assert "harbor" not in str(event.detail)


def test_the_case_list_offers_to_save_its_current_filters_and_keeps_them_current_on_htmx_updates(
    client_for, investigator
):
    client = client_for(investigator)
    page = client.get("/cases/", {"q": "prospect", "status": "open", "kind": ""}).content.decode()
    assert "Save this search" in page
    assert '<input type="hidden" name="q" value="prospect">' in page
    assert '<input type="hidden" name="status" value="open">' in page
    assert 'name="kind"' not in page.split('id="save-search-filters"')[1].split("</div>")[0]

    fragment = client.get("/cases/", {"q": "linwood"}, headers={"HX-Request": "true"}).content.decode()
    assert '<div id="save-search-filters" hx-swap-oob="true"><input type="hidden" name="q" value="linwood">' in fragment


def test_filters_that_do_not_validate_are_refused_with_the_reason_and_nothing_is_saved(client_for, investigator):
    response = client_for(investigator).post(
        SAVE,
        {"q": "harbor", "occurred_after": "2026-05-10", "occurred_before": "2026-05-01", "name": "Harbor"},
    )

    assert response.status_code == 400
    assert SavedSearch.objects.count() == 0
    html = response.content.decode()
    assert "cannot be saved as it is" in html and "cannot be before" in html
    # The name typed stays in its box.
    assert 'value="Harbor"' in html


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 81, "at most 80 characters"),
        ("Harbor\x07bell", "control character"),
        ("harbor OPEN", "You already have a saved search called “harbor OPEN”"),
    ],
)
def test_a_bad_name_is_answered_next_to_the_field_keeping_what_was_typed(client_for, investigator, name, error):
    save(investigator, "Harbor open")
    response = client_for(investigator).post(SAVE, {"status": "open", "name": name, "alert": "none"})

    assert response.status_code == 400
    html = response.content.decode()
    assert error.lower() in field_errors(html, "id_name").lower()
    assert SavedSearch.objects.count() == 1
    if name.strip() and "\x07" not in name:
        assert f'value="{name}"' in html


def test_the_same_name_is_free_for_another_person(client_for, investigator, atf_agent):
    save(investigator, "Harbor open")
    client_for(atf_agent).post(SAVE, {"status": "open", "name": "Harbor open", "alert": "none"})
    assert SavedSearch.objects.filter(name="Harbor open").count() == 2


def test_a_person_keeps_at_most_the_limit_of_saved_searches(client_for, investigator):
    for n in range(MAX_PER_PERSON):
        save(investigator, f"search {n}")
    response = client_for(investigator).post(SAVE, {"status": "open", "name": "one more", "alert": "none"})
    assert response.status_code == 400
    assert "the most one person may" in response.content.decode()
    assert SavedSearch.objects.count() == MAX_PER_PERSON


def test_the_save_page_without_javascript_shows_the_filters_it_will_save(client_for, investigator):
    html = client_for(investigator).get(SAVE, {"status": "open", "flag": "dv", "q": "harbor"}).content.decode()
    assert "Status: Open" in html and "Flagged: Domestic violence" in html and "Search: “harbor”" in html
    assert '<input type="hidden" name="flag" value="dv">' in html


def test_the_list_shows_a_persons_own_searches_in_words_with_their_alerts(client_for, investigator, atf_agent):
    save(investigator, "Central homicides", division="Central", kind="homicide")
    save(investigator, "Everything", alert=SavedSearch.Alert.NONE)
    save(atf_agent, "Agent's own watch", status="open")

    html = client_for(investigator).get(LIST).content.decode()

    assert "Central homicides" in html and "Division: Central" in html and "Kind: Homicide" in html
    assert "All cases" in html and "No alerts" in html and "At once" in html
    assert "Agent&#x27;s own watch" not in html and "Agent's own watch" not in html


def test_run_opens_the_case_list_with_the_saved_filters(client_for, investigator):
    wanted = make_shooting(division="Central")
    make_shooting(division="North")
    search = save(investigator, division="Central", sort="report")
    client = client_for(investigator)

    response = client.get(f"/cases/searches/{search.pk}/run/")

    assert response.status_code == 302 and response["Location"] == "/cases/?division=Central&sort=report"
    assert wanted.report_number in client.get(response["Location"]).content.decode()


def test_a_search_that_no_longer_validates_is_shown_with_the_reason_and_never_run_wider(client_for, investigator):
    search = save(investigator, "Old kind", kind="homicide")
    SavedSearch.objects.filter(pk=search.pk).update(params={"kind": ["drive_by"], "division": ["Central"]})
    client = client_for(investigator)

    html = client.get(LIST).content.decode()
    assert "can no longer run as saved" in html and "Select a valid choice" in html
    assert f"/cases/searches/{search.pk}/run/" not in html

    response = client.get(f"/cases/searches/{search.pk}/run/")
    assert response.status_code == 302 and response["Location"] == LIST


def test_rename_and_alert_setting_keep_the_query(client_for, investigator):
    search = save(investigator, "Harbor", alert=SavedSearch.Alert.NONE, q="harbor")
    client = client_for(investigator)

    response = client.post(f"/cases/searches/{search.pk}/edit/", {"name": "Harbor St", "alert": "at_once"})

    assert response.status_code == 302
    search.refresh_from_db()
    assert (search.name, search.alert, search.params) == ("Harbor St", SavedSearch.Alert.AT_ONCE, {"q": ["harbor"]})
    assert search.watch_from is not None
    assert AuditEvent.objects.filter(event="saved_search.update", object_id=str(search.pk)).exists()


def test_renaming_to_a_name_already_used_is_refused_next_to_the_field(client_for, investigator):
    save(investigator, "Harbor")
    other = save(investigator, "Linwood")

    response = client_for(investigator).post(f"/cases/searches/{other.pk}/edit/", {"name": "HARBOR", "alert": "none"})

    assert response.status_code == 400
    assert "already have a saved search" in field_errors(response.content.decode(), "id_name")
    assert 'value="HARBOR"' in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Linwood"


def test_delete_asks_first_then_deletes(client_for, investigator):
    search = save(investigator, "Harbor")
    client = client_for(investigator)

    assert "Delete the saved search" in client.get(f"/cases/searches/{search.pk}/delete/").content.decode()
    assert SavedSearch.objects.filter(pk=search.pk).exists()

    response = client.post(f"/cases/searches/{search.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == LIST
    assert not SavedSearch.objects.filter(pk=search.pk).exists()
    assert AuditEvent.objects.filter(event="saved_search.delete", object_id=str(search.pk)).exists()


@pytest.mark.parametrize("action", ["edit", "delete", "run"])
def test_no_one_else_may_see_or_touch_a_saved_search(client_for, investigator, supervisor, action):
    search = save(investigator, "Mine")
    client = client_for(supervisor)  # the owner's own supervisor included

    url = f"/cases/searches/{search.pk}/{action}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Taken over", "alert": "none"}).status_code == 404
    search.refresh_from_db()
    assert search.name == "Mine"
    assert AuditEvent.objects.filter(actor_id=supervisor.pk, outcome=AuditEvent.Outcome.REFUSED).exists()


def test_someone_who_may_not_see_cases_keeps_no_saved_searches(client):
    nobody = UserFactory(username="no_role", role="", agency=None)
    client.force_login(nobody)
    assert client.get(LIST).status_code == 404
    assert client.post(SAVE, {"name": "x", "alert": "none"}).status_code == 404
    assert SavedSearch.objects.count() == 0


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_costs_the_same_queries_however_many_searches(
    client_for, investigator, django_assert_max_num_queries, count
):
    for n in range(count):
        save(investigator, f"search {n}", division="Central", updated="meeting")
    client = client_for(investigator)
    client.get(LIST)

    # Session, user, the searches, the last meeting (once for all), and the audit row (lock,
    # previous hash, insert).
    with django_assert_max_num_queries(7):
        assert client.get(LIST).status_code == 200


def test_the_save_and_edit_pages_cost_a_fixed_number_of_queries(
    client_for, investigator, django_assert_max_num_queries
):
    search = save(investigator, "Harbor")
    client = client_for(investigator)
    client.get(SAVE)
    # Session, user, the last meeting (the filter form), the count of searches, the audit row.
    with django_assert_max_num_queries(7):
        assert client.get(SAVE, {"status": "open"}).status_code == 200
    # Session, user, the search, the audit row.
    with django_assert_max_num_queries(6):
        assert client.get(reverse("cases:saved_search_edit", args=[search.pk])).status_code == 200
