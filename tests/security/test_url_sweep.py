"""Need-to-know, swept: every URL pattern of the project (read from the URL resolver), for every
kind of person at the table, on every seeded object, as a page and as an htmx fragment. Nothing a
person may not see (the matrix in cases/access.py) is in any response: HTML, fragments, CSV,
PDF text or calendar files. Every refusal (404 for what the person may not see, 403 for what
they may see but not change) leaves exactly one audit row marked "refused"."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from tests.security import sweep_data
from tests.security.sweep_data import PERSONAS

pytestmark = pytest.mark.django_db

ROUTES = sweep_data.all_routes()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with sweep_data.seeded(django_db_blocker) as world:
        yield world


def test_the_sweep_covers_the_pages_of_every_app():
    names = {route.name for route in ROUTES}
    # A handful from each URL conf: if the resolver walk broke, the sweep would pass on nothing.
    assert {"cases:detail", "cases:note", "cases:export", "meetings:detail", "meetings:agenda_pdf"} <= names
    assert {"meetings:feed", "meetings:ics", "audit_log", "case_viewers", "login"} <= names
    # Pages of one app about another's object: the meetings' record of a case.
    assert "meetings:case_reviews" in names
    # People: the person page, search, suggestions and the decisions about who is who.
    assert {
        "cases:people",
        "cases:person",
        "cases:person_matches",
        "cases:person_possible_matches",
        "cases:person_unlink",
        "cases:person_merge",
        "cases:add_associate",
        "cases:remove_associate",
    } <= names
    # The risk follow-up: the list, recording and correcting a contact, the agenda's section.
    assert {
        "cases:people_at_risk",
        "cases:person_risk_contact",
        "cases:risk_contact_correct",
        "meetings:people_at_risk",
    } <= names
    # The REST API, its documentation, and the pages of tokens and integration accounts.
    assert {"api:case_list", "api:case_detail", "api:note_detail", "api:lead_detail", "api:meeting_detail"} <= names
    assert {"api:docs", "api:schema", "api_tokens", "integration_accounts", "integration_account"} <= names
    assert not any(name.startswith("admin:") for name in names)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_response_shows_a_person_anything_they_may_not_see(persona, world, client):
    user = world.users[persona]
    client.force_login(user)
    forbidden = sweep_data.forbidden_for(persona)
    allowed = sweep_data.allowed_for(persona)
    leaks: list[tuple[str, str, list[str]]] = []
    unrecorded_refusals: list[tuple[str, list]] = []
    seen_allowed: set[str] = set()
    fetches = refusals = 0
    for fetch in sweep_data.fetch_everything(client, world, persona):
        fetches += 1
        response = fetch.response
        assert response.status_code < 500, f"{fetch.how} {fetch.url} answered {response.status_code}"
        text = sweep_data.readable_text(response)
        found = sweep_data.sentinels_in(text, forbidden)
        if found:
            leaks.append((fetch.how, fetch.url, found))
        seen_allowed.update(sweep_data.sentinels_in(text, allowed))
        if response.status_code in (403, 404):
            # 404: not visible to this person; 403: visible but not theirs to change.
            refusals += 1
            expected = [{"outcome": AuditEvent.Outcome.REFUSED, "actor_id": user.pk}]
            if [{k: row[k] for k in ("outcome", "actor_id")} for row in fetch.audit_rows] != expected:
                unrecorded_refusals.append((f"{fetch.how} {fetch.url}", fetch.audit_rows))
    assert not leaks, f"{persona} was shown what they may not see: {leaks}"
    assert not unrecorded_refusals, f"refusals without exactly one 'refused' audit row: {unrecorded_refusals}"
    # The sweep finds what it looks for: everything this person may see turned up somewhere.
    assert set(allowed) <= seen_allowed, f"never shown to {persona}: {set(allowed) - seen_allowed}"
    assert fetches > 200 and refusals > 0
