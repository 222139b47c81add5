"""Views never refuse on their own: every permission-checked lookup is an `access_*` function of
an app's access module, so visibility is decided in one place per app (the README's "Who sees
what" and the access modules' docstrings rely on this)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = sorted(
    [
        *(ROOT / "cases" / "views").glob("*.py"),
        *(ROOT / "meetings" / "views").glob("*.py"),
        ROOT / "accounts" / "views.py",
        ROOT / "accounts" / "token_views.py",
        *(ROOT / "api" / "views").glob("*.py"),
        ROOT / "api" / "docs.py",
    ]
)


def refusals(path: Path) -> list[int]:
    """The lines of `path` that call or import `refuse`, under any spelling (`refuse(...)`,
    `audit.refuse(...)`, `from accounts.audit import refuse`)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "refuse":
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and any(alias.name == "refuse" for alias in node.names):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_scan_finds_every_spelling_of_a_refusal(tmp_path):
    module = tmp_path / "view.py"
    module.write_text(
        "from accounts.audit import refuse\n"
        "from accounts import audit\n"
        "def a(request):\n"
        "    refuse(request.user, 'x', 1, request)\n"
        "def b(request):\n"
        "    audit.refuse(request.user, 'x', 1, request)\n",
        encoding="utf-8",
    )
    assert refusals(module) == [1, 4, 6]


def test_every_view_module_is_scanned():
    names = {str(path.relative_to(ROOT)) for path in VIEW_MODULES}
    assert {"accounts/views.py", "cases/views/case_detail.py", "meetings/views/agenda.py"} <= names
    assert "meetings/views/case_reviews.py" in names
    # People: the person page, search, suggestions and the decisions about who is who.
    assert "cases/views/people.py" in names
    # The REST API and the pages of its tokens.
    assert {"api/views/cases.py", "api/views/notes.py", "api/views/meetings.py", "accounts/token_views.py"} <= names


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_view_refuses_only_through_an_access_lookup(path):
    assert not refusals(path), (
        f"{path.relative_to(ROOT)} refuses on its own at lines {refusals(path)}: "
        "add an access_* lookup to the app's access module and call that instead"
    )
