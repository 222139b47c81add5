"""MAP_TILE_URL and MAP_TILE_ATTRIBUTION: checked when the settings load, and the only other
origin the pages may load images from."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from shootreview.settings import map_tile_origin
from tests.foundation.test_settings import _run


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("http://127.0.0.1:8123/t/{z}/{x}/{y}.png", "http://127.0.0.1:8123"),
        ("https://maps.city.gov/osm/{z}/{y}/{x}?style=plain", "https://maps.city.gov"),
    ],
)
def test_a_tile_url_gives_the_origin_its_images_come_from(url, origin):
    assert map_tile_origin(url) == origin


@pytest.mark.parametrize(
    "url",
    [
        "tiles.example.org/{z}/{x}/{y}.png",  # no scheme
        "ftp://tiles.example.org/{z}/{x}/{y}.png",
        "https://tiles.example.org/{z}/{x}.png",  # no {y}
        "https://tiles.example.org/{z}/{x}/{y}/{z}.png",
        "https://{s}.tile.example.org/{z}/{x}/{y}.png",  # a subdomain placeholder
        "https://tiles.example.org/{z}/{x}/{y}.png?key={apikey}",
        'https://tiles.example.org/{z}/{x}/{y}.png"onerror="x',
        "https://user:secret@tiles.example.org/{z}/{x}/{y}.png",
        "https://tiles.example.org:99999/{z}/{x}/{y}.png",
        "https:///{z}/{x}/{y}.png",
    ],
)
def test_a_bad_tile_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_URL"):
        map_tile_origin(url)


def test_a_bad_tile_url_stops_the_app_at_start_up():
    result = _run(["manage.py", "check"], DJANGO_DEBUG="1", MAP_TILE_URL="https://tiles.example.org/{z}/{x}.png")
    assert result.returncode != 0
    assert "MAP_TILE_URL must hold {z}, {x} and {y}" in result.stderr


def test_an_attribution_without_tiles_is_refused():
    result = _run(["manage.py", "check"], DJANGO_DEBUG="1", MAP_TILE_ATTRIBUTION="© Someone")
    assert result.returncode != 0
    assert "MAP_TILE_ATTRIBUTION is set but MAP_TILE_URL is not" in result.stderr


def test_the_tile_server_is_the_one_other_origin_images_may_come_from():
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "d=s.CONTENT_SECURITY_POLICY['DIRECTIVES'];"
        "print(d['img-src'], d['script-src'], d['style-src'], d['connect-src'])"
    )
    with_tiles = _run(["-c", code], DJANGO_DEBUG="1", MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
    without = _run(["-c", code], DJANGO_DEBUG="1")
    assert with_tiles.returncode == 0, with_tiles.stderr
    assert with_tiles.stdout.strip() == (
        "[\"'self'\", 'data:', 'https://tiles.example.org'] [\"'self'\"] [\"'self'\"] [\"'self'\"]"
    )
    assert without.stdout.strip() == "[\"'self'\", 'data:'] [\"'self'\"] [\"'self'\"] [\"'self'\"]"
