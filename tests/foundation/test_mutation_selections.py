"""`make mutate` runs each guarded module with the tests chosen for it (scripts/mutate.py): a
chosen test file that was renamed or merged away stops that module's run before a single mutant
is checked, so every one must exist (a test left out with --deselect too), and so must every
guarded module."""

from __future__ import annotations

import importlib.util
import os
import subprocess
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


# A test module the subprocesses below run: it commits a row, says which database file it works on
# and which rows it sees, and takes its row out again.
PROBE = """
import os
from django.db import connection

def test_probe(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS probe (pid integer)")
        cursor.execute("INSERT INTO probe VALUES (%s)", [os.getpid()])
        cursor.execute("SELECT pid FROM probe")
        seen = [row[0] for row in cursor.fetchall()]
        cursor.execute("DROP TABLE probe")
    print("PROBE", connection.settings_dict["NAME"], seen)
"""


# pytest run twice in one process and once in a child forked from it, as mutmut runs the tests.
MUTMUT_LIKE = """
import os, sys, pytest
args = sys.argv[1:]
pytest.main(args)
pytest.main(args)
child = os.fork()
if child == 0:
    sys.stdout.flush()
    os._exit(int(pytest.main(args)))
_, status = os.waitpid(child, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_mutation_test_processes_each_work_on_a_copy_of_the_test_database_of_their_own(tmp_path):
    """make mutate's test processes on SQLite: each on a private copy of the migrated test
    database, which is gone when the process ends; the suite without the switch keeps the one."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    # The probe lives outside tests/: the fixture under test, from the suite's conftest.
    (tmp_path / "conftest.py").write_text("from tests.conftest import django_db_modify_db_settings  # noqa: F401\n")
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"SHOOTREVIEW_VAR_DIR": str(var), "TESTS_PRIVATE_DATABASE_COPY": "1"}

    def run_probe(script: str = ""):
        """The probe's database name and the rows it saw, of each run (a pytest, or `script`)."""
        args = ["-q", "-s", "-p", "no:cacheprovider", "--reuse-db", str(probe)]
        command = [sys.executable, "-c", script, *args] if script else [sys.executable, "-m", "pytest", *args]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        runs = [line.split(" ", 2)[1:] for line in done.stdout.splitlines() if line.startswith("PROBE")]
        return runs if script else runs[0]

    shared = var / "test-shootreview.sqlite3"
    first_name, _ = run_probe()
    # The first run creates and migrates the shared one.
    assert first_name == str(shared)
    second_name, second_seen = run_probe()
    third_name, _ = run_probe()
    assert Path(second_name).parent == var
    assert second_name.startswith(str(var / "test-shootreview-"))
    assert len({first_name, second_name, third_name}) == 3
    assert not Path(second_name).exists()
    assert not Path(third_name).exists()
    assert sorted(p.name for p in var.glob("test-shootreview*")) == ["test-shootreview.sqlite3"]
    # Nothing another process committed.
    assert second_seen == "[" + second_name.removesuffix(".sqlite3").rsplit("-", 1)[1] + "]"

    # As mutmut runs them: pytest twice in one process, then in a process forked from it. Each run
    # copies the shared database (never a copy a run before it removed).
    runs = run_probe(MUTMUT_LIKE)
    names = [name for name, _ in runs]
    # The process's own copy for each of its runs, and the child's own.
    assert len(names) == 3 and names[0] == names[1] != names[2]
    assert all(name.startswith(str(var / "test-shootreview-")) for name in names)
    assert all(seen == "[" + name.removesuffix(".sqlite3").rsplit("-", 1)[1] + "]" for name, seen in runs)
    assert sorted(p.name for p in var.glob("test-shootreview*")) == ["test-shootreview.sqlite3"]
