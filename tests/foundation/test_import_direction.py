"""Imports between the apps run one way: accounts <- cases <- meetings, and demo and the REST API
(api) above them all.
An app that imported one above it would tie the lower layer to the upper one (the README's
architecture map relies on this)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each app, and the apps it must never import.
ABOVE = {
    "accounts": {"cases", "meetings", "demo", "api"},
    "cases": {"meetings", "demo", "api"},
    "meetings": {"demo", "api"},
}


def imported_apps(path: Path) -> set[str]:
    """The top-level packages `path` imports by absolute name, wherever in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_an_app_never_imports_one_built_on_it(app):
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & ABOVE[app])
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) & ABOVE[app]
    }
    assert not wrong, f"{app} imports an app above it: {wrong}"
