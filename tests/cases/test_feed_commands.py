"""`manage.py import_nibin_leads FILE --as USER [--dry-run]` and `import_etrace_results`: output,
exit codes and whose permissions count."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from cases import services
from cases.models import NibinLead, Note, NoteRevision
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs"


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def example_cases(investigator):
    """The cases the documented example names."""
    for n in (101, 102, 103, 104, 105, 107, 108):
        make_shooting(investigator, report_number=f"RB26000{n}")


def test_the_documented_example_imports_and_a_second_run_changes_nothing(atf_agent, example_cases):
    example = str(DOCS / "nibin-leads-example.csv")

    out, err = run("import_nibin_leads", example, "--as", atf_agent.username)

    assert err == ""
    assert "line      2  RB-2026-0412         created: status Lead (computer correlation) → Hit" in out
    assert f"Imported: 3 created, 0 updated, 0 unchanged (NIBIN lead report, 3 rows, as {atf_agent.username})." in out
    assert NibinLead.objects.get(number="RB-2026-0419").status == NibinLead.Status.EXCLUDED
    notes = Note.objects.count()

    out, _ = run("import_nibin_leads", example, "--as", atf_agent.username)

    assert "Imported: 0 created, 0 updated, 3 unchanged" in out
    assert Note.objects.count() == notes


def test_a_dry_run_says_so_and_writes_nothing(atf_agent, example_cases):
    out, _ = run("import_nibin_leads", str(DOCS / "nibin-leads-example.csv"), "--as", atf_agent.username, "--dry-run")

    assert "Dry run, nothing written — would be: 3 created, 0 updated, 0 unchanged" in out
    assert not NibinLead.objects.exists()
    assert AuditEvent.objects.get(object_type="import").event == "import.nibin.dry_run"


def test_errors_go_to_stderr_with_their_lines_and_the_command_fails(atf_agent, example_cases, tmp_path):
    bad = tmp_path / "leads.csv"
    bad.write_text("lead_number,lead_date,case_numbers,result\nRB-1,2026-03-01,RB26000999,lead\n")
    err = StringIO()

    with pytest.raises(CommandError, match=r"1 error in .*leads.csv; nothing was imported."):
        call_command("import_nibin_leads", str(bad), "--as", atf_agent.username, stderr=err)

    assert err.getvalue() == "line 2: case_numbers: no case you may see has the report number RB26000999\n"


def test_the_named_user_must_exist_and_be_allowed(prosecutor, example_cases):
    example = str(DOCS / "nibin-leads-example.csv")
    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        run("import_nibin_leads", example, "--as", "nobody")
    with pytest.raises(CommandError, match=f"{prosecutor.username}: Only investigators, federal agents"):
        run("import_nibin_leads", example, "--as", prosecutor.username)
    with pytest.raises(CommandError, match="the following arguments are required: --as"):
        run("import_nibin_leads", example)
    assert not NibinLead.objects.exists()


def test_the_documented_etrace_example_revises_the_notes_giving_its_numbers(atf_agent, example_cases):
    shooting = make_shooting(atf_agent)
    for number in ("T20260004417", "T20260004420", "T20260004431"):
        services.add_note(shooting, atf_agent, Note.Kind.FIREARM, {"etrace_number": number, "etrace_status": "pending"})
    example = str(DOCS / "etrace-results-example.csv")

    out, _ = run("import_etrace_results", example, "--as", atf_agent.username)

    assert "Imported: 0 created, 2 updated, 1 unchanged (eTrace results, 3 rows" in out
    assert NoteRevision.objects.count() == 5
    out, _ = run("import_etrace_results", example, "--as", atf_agent.username)
    assert "0 updated, 3 unchanged" in out and NoteRevision.objects.count() == 5


def test_an_unreadable_file_is_a_clear_error(atf_agent, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.csv: No such file or directory."):
        run("import_etrace_results", str(tmp_path / "missing.csv"), "--as", atf_agent.username)
