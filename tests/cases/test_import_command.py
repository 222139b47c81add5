"""`manage.py import_shootings FILE [--dry-run] [--format …] [--user …]`: output and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from cases.models import Shooting, ShootingChange
from tests.factories import UserFactory
from tests.processes import database_url_for_worker

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
KCPD_2019 = str(FIXTURES / "kcpd_2019.csv")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_shootings", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_lists_each_report_as_the_first_coordinator(coordinator, supervisor):
    out, err = run(KCPD_2019)

    assert err == ""
    assert "KC19000101       created: victims Victim 1, Victim 2 (1 suspect/arrestee person not imported)" in out
    assert "KC19000103       skipped: not a firearm 09A/13A row (IBRS 13A)" in out
    assert "Ignored columns: computed_region_9t2m_phkm" in out
    assert "Imported: 3 created, 0 updated, 0 unchanged, 2 skipped (KCPD open data, 11 rows, as an_talmadge)." in out
    assert Shooting.objects.count() == 3
    assert set(Shooting.objects.values_list("created_by", flat=True)) == {coordinator.pk}


def test_dry_run_writes_nothing_and_says_so(coordinator):
    out, _ = run(KCPD_2019, "--dry-run")

    assert "Dry run, nothing written — would be: 3 created" in out
    assert not Shooting.objects.exists()


def test_running_twice_reports_everything_unchanged(coordinator):
    run(KCPD_2019)
    out, _ = run(KCPD_2019)

    assert "Imported: 0 created, 0 updated, 3 unchanged, 2 skipped" in out
    assert not ShootingChange.objects.exists()


def test_user_option_records_who_imported(coordinator, supervisor):
    run(KCPD_2019, "--user", supervisor.username, "--format", "kcpd")

    assert set(Shooting.objects.values_list("created_by", flat=True)) == {supervisor.pk}


def test_errors_go_to_stderr_with_line_numbers_and_nothing_is_imported(coordinator, tmp_path):
    bad = tmp_path / "bad.csv"
    text = (FIXTURES / "template_riverbend.csv").read_text(encoding="utf-8-sig")
    bad.write_text(text.replace("10/5/2026 3:40 AM", "10/5/2099 3:40 AM").replace("shots_fired", "shots fired!"))

    with pytest.raises(CommandError, match=r"^2 errors in .*bad\.csv; nothing was imported\.$"):
        run(str(bad))
    assert not Shooting.objects.exists()


def test_error_lines_are_printed(coordinator, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("report_number,kind,occurred_from,address\nRB1,nonfatal,yesterday,1 Elm St\n")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_shootings", str(bad), stdout=StringIO(), stderr=err)
    assert "line 2: occurred_from: “yesterday” is not a date and time" in err.getvalue()


def test_a_non_utf8_file_is_refused(coordinator, tmp_path):
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("report_number,kind,occurred_from,address\nRB1,nonfatal,2026-09-01,Peña St\n".encode("latin-1"))

    with pytest.raises(CommandError, match="not UTF-8 text"):
        run(str(bad))


def test_a_missing_file_is_refused(coordinator):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(FIXTURES / "no-such-file.csv"))


def test_an_unknown_or_unsuitable_user_is_refused(coordinator, advocate):
    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        run(KCPD_2019, "--user", "nobody")
    with pytest.raises(CommandError, match="adv_kessley may not import shootings"):
        run(KCPD_2019, "--user", advocate.username)
    assert not Shooting.objects.exists()


def test_without_an_active_coordinator_the_command_asks_for_a_user(police):
    UserFactory(username="an_retired", agency=police, role=User.Role.COORDINATOR, is_active=False)

    with pytest.raises(CommandError, match="No active coordinator"):
        run(KCPD_2019)


@pytest.mark.django_db(transaction=True)
def test_exit_code_is_non_zero_on_errors_and_zero_on_success(coordinator, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("report_number,kind,occurred_from,address\nRB1,murder,2026-09-01 20:00,1 Elm St\n")
    env_db = _database_env()

    failed = subprocess.run(
        [sys.executable, "manage.py", "import_shootings", str(bad)],
        cwd=ROOT,
        env=env_db,
        capture_output=True,
        text=True,
    )
    dry = subprocess.run(
        [sys.executable, "manage.py", "import_shootings", KCPD_2019, "--dry-run"],
        cwd=ROOT,
        env=env_db,
        capture_output=True,
        text=True,
    )

    assert failed.returncode == 1
    assert "line 2: kind: “murder” is not one of homicide, nonfatal, shots_fired" in failed.stderr
    assert dry.returncode == 0, dry.stderr
    assert "would be: 3 created" in dry.stdout


def _database_env() -> dict[str, str]:
    """The environment for a `manage.py` child process that uses the test database."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url_for_worker()}
