"""The case map page: the list's filters and need-to-know, what a marker and the table show, the
cases not on the map, and bounded queries."""

from __future__ import annotations

import json
import re

import pytest

from cases.models import Shooting
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db


def map_data(html: str) -> dict:
    found = re.search(r'<script id="case-map-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_smoke(client_for, investigator):
    make_shooting(latitude="41.88", longitude="-87.63", kind=Shooting.Kind.HOMICIDE)
    make_shooting()
    response = client_for(investigator).get("/cases/map/")
    html = response.content.decode()
    print(html[html.index("<main") :][:6000])
    assert len(map_data(html)["points"]) == 1
