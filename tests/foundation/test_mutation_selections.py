"""`make mutate` runs each guarded module with the tests chosen for it (scripts/mutate.py): a
chosen test file that was renamed or merged away stops that module's run before a single mutant
is checked, so every one must exist (a test left out with --deselect too), and so must every
guarded module."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mutate_script():
    spec = importlib.util.spec_from_file_location("mutate_script", ROOT / "scripts" / "mutate.py")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the script is loaded.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_guarded_module_and_every_chosen_test_exists():
    script = mutate_script()
    missing = [
        (module.key, path)
        for module in script.MODULES
        for path in [module.path, *(test.removeprefix("--deselect=").split("::")[0] for test in module.tests)]
        if not (ROOT / path).exists()
    ]
    assert missing == []
    assert {module.key for module in script.MODULES} >= {"access", "audit", "security", "reminders"}
