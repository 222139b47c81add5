"""The app's own icon: answered at /favicon.ico (browsers ask there whatever the page says) and
linked from every page, from our own static files."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_with_an_icon_without_signing_in(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file's header


def test_every_page_links_the_icon_from_our_own_files(client, client_for, investigator):
    for page in (client.get("/accounts/login/"), client_for(investigator).get("/cases/")):
        html = page.content.decode()
        assert '<link rel="icon" href="/favicon.ico"' in html
        assert 'href="/static/favicon.svg" type="image/svg+xml"' in html
    assert finders.find("favicon.svg")
