"""The base layout on every main page. (Each page's own tests pin its query count.)"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/cases/", "/meetings/", "/meetings/my-items/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_nothing_from_outside_the_app(client, investigator, url):
    client.force_login(investigator)
    html = client.get(url).content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


def test_layout_has_landmarks_and_navigation(client, investigator):
    client.force_login(investigator)
    html = client.get("/cases/").content.decode()
    for landmark in ['role="banner"', "<main", 'aria-label="Main"', 'role="contentinfo"']:
        assert landmark in html
    assert 'aria-current="page">Cases' in html
    assert 'media="print"' in html
