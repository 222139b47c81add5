"""Need-to-know through the API, swept: every GET of the API, filled with the security sweep's
objects (tests/security/sweep_data.py), called with each persona's own token and with the
integration accounts' tokens. Nothing a caller may not see is in any answer: an advocate's token
(and an advocacy system's) never returns a suspect, a serial, a purchaser, a dealer, a witness's
identity or another agency's restricted note. Every refusal is a 404 in JSON with one audit row."""

from __future__ import annotations

import json

import pytest

from accounts.models import AuditEvent
from tests.security import sweep_data
from tests.security.sweep_data import ADVOCATE, INVESTIGATOR, PERSONAS, SENTINELS

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

API_ROUTES = [route for route in sweep_data.all_routes() if route.namespace == "api" and route.name != "api:docs"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with sweep_data.seeded(django_db_blocker) as world:
        yield world


def sweep(api: ApiClient, world, persona: str, account_id: int):
    """(url, response, audit rows) of every GET of the API with `persona`'s objects."""
    for route in API_ROUTES:
        for url in sweep_data.urls_for(route, world, persona):
            before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            response = api.get(url)
            rows = list(AuditEvent.objects.filter(id__gt=before).values("outcome", "actor_id"))
            yield url, response, rows


def check_sweep(api: ApiClient, world, persona: str, account_id: int) -> set[str]:
    forbidden = sweep_data.forbidden_for(persona)
    leaks, unaudited, seen = [], [], set()
    calls = refusals = 0
    for url, response, rows in sweep(api, world, persona, account_id):
        calls += 1
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code in (200, 400, 403, 404, 405):
            assert response["Content-Type"].startswith(("application/json", "application/vnd.oai.openapi")), url
        text = sweep_data.readable_text(response)
        if response["Content-Type"].startswith("application/json"):
            # JSON escapes what is not ASCII: read the values as they are.
            text = json.dumps(response.json(), ensure_ascii=False)
        found = sweep_data.sentinels_in(text, forbidden)
        if found:
            leaks.append((url, found))
        seen.update(sweep_data.sentinels_in(text, SENTINELS))
        if response.status_code == 404:
            refusals += 1
            assert response.json() == {"detail": "Not found."}
            if rows != [{"outcome": AuditEvent.Outcome.REFUSED, "actor_id": account_id}]:
                unaudited.append((url, rows))
        elif response.status_code == 200:
            assert [row["actor_id"] for row in rows] == [account_id], url
    assert not leaks, f"{persona}'s token was shown what they may not see: {leaks}"
    assert not unaudited, f"refusals without exactly one 'refused' audit row: {unaudited}"
    assert calls > 40
    return seen


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_api_answer_shows_a_personal_token_anything_its_person_may_not_see(persona, world):
    user = world.users[persona]
    seen = check_sweep(ApiClient(world.api_tokens[persona]), world, persona, user.pk)
    # The sweep finds what it looks for: the notes this person may see came back through the API.
    wanted = {sweep_data.SUSPECT_NAME, sweep_data.SERIAL, sweep_data.WITNESS_NAME} if persona != ADVOCATE else set()
    assert wanted <= seen or persona not in sweep_data.LAW_ENFORCEMENT


@pytest.mark.parametrize("persona", [ADVOCATE, INVESTIGATOR])
def test_an_integration_account_sees_exactly_what_its_role_and_agency_see(persona, world):
    account = world.integration_accounts[persona]
    seen = check_sweep(ApiClient(world.integration_tokens[persona]), world, persona, account.pk)
    if persona == ADVOCATE:
        assert sweep_data.SERVICES_TEXT in seen
        assert not {sweep_data.SUSPECT_NAME, sweep_data.SERIAL, sweep_data.WITNESS_NAME} & seen
    else:
        assert {sweep_data.SUSPECT_NAME, sweep_data.SERIAL, sweep_data.WITNESS_NAME} <= seen


def test_an_advocates_token_never_returns_suspects_serials_or_witness_identities(world):
    """The sweep above, said once more in the words of the requirement, for the case itself."""
    api = ApiClient(world.api_tokens[ADVOCATE])
    police_case = world.shootings["police"]
    answer = api.get(f"/api/v1/cases/{police_case.pk}/")
    assert answer.status_code == 200
    text = json.dumps(answer.json(), ensure_ascii=False)
    for word in (sweep_data.SUSPECT_NAME, sweep_data.SERIAL, sweep_data.WITNESS_NAME, sweep_data.PURCHASER):
        assert word not in text
    kinds = {note["kind"] for note in answer.json()["notes"]}
    assert "suspect" not in kinds
    trace = next(note for note in answer.json()["notes"] if note["kind"] == "firearm")
    assert trace["redacted"] is True
    assert not {"serial_number", "purchaser", "dealer", "text"} & set(trace["fields"])
