"""The banner under every page's header fits its reader's audience, as the printed packets do: an
advocate is never told the page is law-enforcement sensitive."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

LAW_ENFORCEMENT = "Law-enforcement sensitive"


def banner(page: str) -> str:
    start = page.index('<p class="sensitivity"')
    return page[start : page.index("</p>", start)]


def test_an_advocate_sees_the_advocates_and_community_partners_banner(client_for, advocate):
    page = client_for(advocate).get("/cases/").content.decode()

    assert "for advocates and community partners" in banner(page)
    assert LAW_ENFORCEMENT not in page


@pytest.mark.parametrize("persona", ["investigator", "atf_agent", "coordinator", "supervisor"])
def test_law_enforcement_sees_the_law_enforcement_banner(client_for, request, persona):
    page = client_for(request.getfixturevalue(persona)).get("/cases/").content.decode()

    assert LAW_ENFORCEMENT in banner(page)
    assert "advocates" not in banner(page)


def test_a_prosecutor_sees_the_prosecutors_banner(client_for, prosecutor):
    page = client_for(prosecutor).get("/cases/").content.decode()

    assert "prosecutors' access" in banner(page).replace("&#x27;", "'")


def test_before_sign_in_the_banner_claims_no_audience(client):
    page = client.get("/accounts/login/").content.decode()

    assert "Authorized users only" in banner(page)
    assert LAW_ENFORCEMENT not in banner(page)
