"""The browser libraries served from static/vendor/ are the pinned npm packages' own files."""

from __future__ import annotations

import json
import re

import pytest

from tests.processes import ROOT

VENDOR = ROOT / "static" / "vendor"
# folder in static/vendor/ → (npm package, its files there ← the package's files)
PACKAGES = {
    "leaflet": (
        "leaflet",
        {
            "leaflet.js": "dist/leaflet.js",
            "leaflet.js.map": "dist/leaflet.js.map",
            "leaflet.css": "dist/leaflet.css",
            "images/layers.png": "dist/images/layers.png",
            "images/layers-2x.png": "dist/images/layers-2x.png",
            "images/marker-icon.png": "dist/images/marker-icon.png",
            "images/marker-icon-2x.png": "dist/images/marker-icon-2x.png",
            "images/marker-shadow.png": "dist/images/marker-shadow.png",
            "LICENSE": "LICENSE",
        },
    ),
    "leaflet.markercluster": (
        "leaflet.markercluster",
        {
            "leaflet.markercluster.js": "dist/leaflet.markercluster.js",
            "leaflet.markercluster.js.map": "dist/leaflet.markercluster.js.map",
            "MarkerCluster.css": "dist/MarkerCluster.css",
            "MarkerCluster.Default.css": "dist/MarkerCluster.Default.css",
            "MIT-LICENCE.txt": "MIT-LICENCE.txt",
        },
    ),
}


def pinned() -> dict[str, str]:
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return {**manifest.get("devDependencies", {}), **manifest.get("dependencies", {})}


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_the_vendored_folder_is_named_for_the_exact_version_pinned(package):
    version = pinned()[package]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{package} must be pinned exactly, not {version!r}"
    assert (VENDOR / f"{package}-{version}").is_dir()
    # One version only: an old folder left behind would still be served.
    assert [p.name for p in VENDOR.glob(f"{package}-*") if p.is_dir()] == [f"{package}-{version}"]


def test_the_lock_file_records_the_same_versions():
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    for package in PACKAGES:
        assert lock["packages"][f"node_modules/{package}"]["version"] == pinned()[package]
        assert lock["packages"][""]["dependencies"][package] == pinned()[package]


def test_the_pages_load_the_vendored_version():
    template = (ROOT / "templates" / "cases" / "case_map.html").read_text(encoding="utf-8")
    for package in PACKAGES:
        assert f"vendor/{package}-{pinned()[package]}/" in template


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_the_vendored_files_are_the_packages_own_byte_for_byte(package):
    name, files = PACKAGES[package]
    installed = ROOT / "node_modules" / name
    if not (installed / "package.json").exists():
        pytest.skip(f"node_modules/{name} is not installed (npm ci): the files cannot be compared")
    assert json.loads((installed / "package.json").read_text(encoding="utf-8"))["version"] == pinned()[package]
    folder = VENDOR / f"{package}-{pinned()[package]}"
    for ours, theirs in files.items():
        assert (folder / ours).read_bytes() == (installed / theirs).read_bytes(), ours
    served = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert served == set(files), "a file in the folder that is not the package's"
