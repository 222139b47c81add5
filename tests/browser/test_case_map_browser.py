"""In a real browser, with nothing reachable but the app: the case map places each case where its
coordinates say (on a plain background, or on tiles from a server the deployment names), opens a
case from its marker's popup, clusters dense cases, breaks no content security rule, and without
JavaScript shows the map drawn on the server and a table of the cases."""

from __future__ import annotations

import copy
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from PIL import Image
from playwright.sync_api import expect

from cases.models import Shooting
from tests.chromium import sign_in
from tests.factories import make_shooting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__problems = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__problems.push("CSP " + e.violatedDirective + " " + e.blockedURI);
});
"""


def watched(page, live_server) -> tuple[list[str], list[str]]:
    """Refuse every request that leaves the live server (no network), and collect console errors,
    page errors and content-security-policy violations."""
    problems: list[str] = []
    elsewhere: list[str] = []
    own = urlparse(live_server.url).netloc
    allowed = {own}

    def route(r):
        host = urlparse(r.request.url).netloc
        if host in allowed or r.request.url.startswith("data:"):
            r.continue_()
        else:
            elsewhere.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.add_init_script(WATCH)
    page.allowed_hosts = allowed
    return problems, elsewhere


def csp_problems(page) -> list[str]:
    return page.evaluate("window.__problems")


def marker_boxes(page) -> dict[str, dict]:
    boxes = {}
    for icon in page.locator(".leaflet-marker-icon.map-marker").all():
        title = icon.get_attribute("title")
        boxes[title.split(" · ")[0]] = icon.bounding_box()
    return boxes


def test_the_map_places_each_case_by_its_coordinates_with_no_tiles_and_no_network(page, live_server, investigator):
    # West to east: A, B, C; south to north: C, A, B.
    make_shooting(report_number="RB26008001", kind=Shooting.Kind.HOMICIDE, latitude="39.05", longitude="-94.70")
    make_shooting(report_number="RB26008002", kind=Shooting.Kind.NONFATAL, latitude="39.20", longitude="-94.55")
    case_c = make_shooting(
        report_number="RB26008003", kind=Shooting.Kind.SHOTS_FIRED, latitude="38.95", longitude="-94.40"
    )
    make_shooting(report_number="RB26008004")  # no coordinates
    problems, elsewhere = watched(page, live_server)
    sign_in(page, investigator)

    page.goto("/cases/map/")

    expect(page.locator(".leaflet-marker-icon.map-marker")).to_have_count(3)
    boxes = marker_boxes(page)
    x = {report: box["x"] for report, box in boxes.items()}
    y = {report: box["y"] for report, box in boxes.items()}
    assert x["RB26008001"] < x["RB26008002"] < x["RB26008003"]
    assert y["RB26008002"] < y["RB26008001"] < y["RB26008003"]  # north is up
    # Each kind its own shape, and the legend says which is which.
    assert page.locator(".map-marker-homicide svg rect").count() == 1
    assert page.locator(".map-marker-nonfatal svg circle").count() == 1
    assert page.locator(".map-marker-shots_fired svg polygon").count() == 1
    expect(page.locator("#case-map-legend")).to_be_visible()
    expect(page.locator("#case-map-legend")).to_contain_text("Homicide (1)")
    # A plain background: no tiles, the drawn map replaced, a scale.
    assert page.locator(".leaflet-tile").count() == 0
    expect(page.locator("#case-map-static")).to_be_hidden()
    expect(page.locator(".leaflet-control-scale")).to_be_visible()
    expect(page.locator("#map-unplaced-count")).to_contain_text("1 case has no coordinates")

    page.locator(".map-marker-shots_fired").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Shots fired, no injury")
    popup.get_by_role("link", name="RB26008003").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case_c.pk}/")

    assert problems == [] and csp_problems(page) == []
    assert elsewhere == []


def test_dense_cases_are_clustered_and_open_as_you_zoom_in(page, live_server, investigator):
    # Twelve within 600 m of each other, 50 m apart, and one 30 km away.
    for n in range(12):
        make_shooting(latitude=f"{39.1 + n * 0.0005:.6f}", longitude=f"{-94.58 + n * 0.0005:.6f}")
    make_shooting(latitude="39.30", longitude="-94.20")
    problems, _ = watched(page, live_server)
    sign_in(page, investigator)

    page.goto("/cases/map/")

    cluster = page.locator(".map-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_contain_text("12")
    cluster.click()
    # Zoomed in to the cluster's cases, which then stand apart or in smaller groups.
    expect(page.locator(".map-cluster", has_text="12")).to_have_count(0)
    assert page.locator(".map-marker").count() + page.locator(".map-cluster").count() > 1
    assert problems == [] and csp_problems(page) == []


def test_without_javascript_the_drawn_map_and_the_table_show_the_cases(page_with, investigator):
    make_shooting(report_number="RB26008101", kind=Shooting.Kind.HOMICIDE, latitude="39.05", longitude="-94.70")
    make_shooting(report_number="RB26008102", latitude="39.20", longitude="-94.55")
    page = page_with(javascript=False)
    sign_in(page, investigator)

    page.goto("/cases/map/?kind=homicide")

    expect(page.locator("#case-map-static svg")).to_be_visible()
    assert page.locator("#case-map-static g.point").count() == 1
    expect(page.locator("#case-map-live")).to_be_hidden()
    table = page.locator("#mapped-cases table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(1)
    table.get_by_role("link", name="RB26008101").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RB26008101")


def test_the_case_list_opens_the_map_of_its_filtered_cases_and_back(page, live_server, investigator):
    make_shooting(report_number="RB26008201", kind=Shooting.Kind.HOMICIDE, latitude="39.05", longitude="-94.70")
    make_shooting(report_number="RB26008202", latitude="39.20", longitude="-94.55")
    sign_in(page, investigator)
    page.goto("/cases/")

    page.get_by_label("Kind").select_option("homicide")
    expect(page.locator("#case-results tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Show on map").click()

    expect(page.locator(".leaflet-marker-icon.map-marker")).to_have_count(1)
    assert "kind=homicide" in page.url
    page.get_by_role("link", name="Back to the list").click()
    expect(page.locator("#case-results tbody tr")).to_have_count(1)
    expect(page.get_by_label("Kind")).to_have_value("homicide")


def _tile_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def tile_server():
    """A tile server on loopback: the same green PNG for every tile, and a list of what was asked."""
    png = _tile_png()
    asked: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()
    server.server_close()


def test_with_a_tile_server_the_map_draws_its_tiles_and_attribution(
    page, live_server, investigator, settings, tile_server
):
    origin, asked = tile_server
    settings.MAP_TILE_URL = origin + "/tiles/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© City GIS <test>"
    policy = copy.deepcopy(django_settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"].append(origin)
    settings.CONTENT_SECURITY_POLICY = policy
    make_shooting(latitude="39.05", longitude="-94.70")
    make_shooting(latitude="39.20", longitude="-94.55")
    problems, elsewhere = watched(page, live_server)
    page.allowed_hosts.add(urlparse(origin).netloc)
    sign_in(page, investigator)

    page.goto("/cases/map/")

    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    assert asked and all(path.startswith("/tiles/") and path.endswith(".png") for path in asked)
    expect(page.locator(".leaflet-control-attribution")).to_have_text("© City GIS <test>")
    expect(page.locator(".leaflet-marker-icon.map-marker")).to_have_count(2)
    assert problems == [] and csp_problems(page) == []
    assert elsewhere == []


def test_tiles_from_a_server_the_policy_does_not_name_are_refused(
    page, live_server, investigator, settings, tile_server
):
    """The content security policy is what keeps the map's images to the named tile server."""
    origin, _asked = tile_server
    settings.MAP_TILE_URL = origin + "/tiles/{z}/{x}/{y}.png"
    make_shooting(latitude="39.05", longitude="-94.70")
    _problems, _ = watched(page, live_server)
    page.allowed_hosts.add(urlparse(origin).netloc)
    sign_in(page, investigator)

    page.goto("/cases/map/")

    expect(page.locator(".leaflet-marker-icon.map-marker")).to_have_count(1)
    page.wait_for_function("window.__problems.length > 0")
    assert any(problem.startswith("CSP img-src") for problem in csp_problems(page))
