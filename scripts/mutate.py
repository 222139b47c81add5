"""Mutation testing of the modules that guard people and records (`make mutate`).

mutmut (configured under [tool.mutmut] in pyproject.toml) changes one small thing at a time in a
module (a condition, a constant, a keyword argument) and runs the tests that call the changed
function; a mutant that no test notices "survives". Each module is run on its own, with only the
test modules that cover it, in a directory of its own under var/mutate/ (mutmut reads its
configuration from the working directory, and takes the test selection from it), so that a
module's survivors cost seconds, not the whole suite. Then docs/mutation-report.md is written:
killed, survived, timed out and untested mutants per module, and each survivor with its diff and,
where one was judged equivalent (harmless), the reason, read from docs/mutation-equivalents.toml.

    python scripts/mutate.py                 # every module, then the report
    python scripts/mutate.py access audit    # some modules (by key), then the report
    python scripts/mutate.py --report-only   # the report from the last runs
    python scripts/mutate.py --again audit   # only the mutants not killed last time, with the tests as they are now
    python scripts/mutate.py --again --unexplained audit  # the same, leaving out those explained as equivalent
    python scripts/mutate.py --try NAME tests/x.py  # some tests against one mutant, to see them fail on it

MUTATE_CHILDREN (default: one per processor) is mutmut's number of test processes; the run is niced.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "mutate"
REPORT = ROOT / "docs" / "mutation-report.md"
EQUIVALENTS = ROOT / "docs" / "mutation-equivalents.toml"
# What the tests need beside the apps: linked (not copied) into each module's directory.
PROJECT_ENTRIES = [
    "accounts",
    "api",
    "cases",
    "meetings",
    "demo",
    "docs",
    "shootreview",
    "templates",
    "static",
    "tests",
    "manage.py",
]


@dataclass(frozen=True)
class Module:
    key: str
    title: str
    path: str
    tests: tuple[str, ...]
    # Which of the module's functions to mutate (mutmut's mutant-name globs); all when empty.
    functions: tuple[str, ...] = ()
    # Further files of the same module, when what it guards is spread over several.
    more_paths: tuple[str, ...] = ()
    # Some of its tests commit (threads, a subprocess): one test process on a database server,
    # where the test processes share one test database and would see those rows. (On SQLite each
    # has a copy of its own.)
    one_process: bool = False

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path, *self.more_paths)

    def path_of(self, mutant: str) -> str:
        """The file a mutant is in: its name starts with the file's dotted path."""
        for path in self.paths:
            if mutant.startswith(_dotted(path) + "."):
                return path
        return self.path


def _dotted(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


# The agenda tests that check packets both printed and as handed to the layout, the printed ones
# left out (pytest's --deselect, given with the selection).
WITHOUT_PDF_LAYOUT = (
    "tests/meetings/test_retracted_notes_on_agendas.py",
    "--deselect=tests/meetings/test_retracted_notes_on_agendas.py::"
    "test_a_note_retracted_before_the_agenda_is_built_is_on_no_page_fragment_or_packet[pdf]",
    "--deselect=tests/meetings/test_retracted_notes_on_agendas.py::"
    "test_a_note_retracted_after_the_build_is_gone_from_the_live_and_the_frozen_agenda[pdf]",
    "--deselect=tests/meetings/test_agenda_people_overlaps.py::"
    "test_each_packet_holds_the_overlaps_its_audience_may_read[pdf]",
)

# Each test process on SQLite works on a copy of the migrated test database (tests/conftest.py):
# on one shared file they would take turns, each test holding the write lock.
PRIVATE_TEST_DATABASE = {"TESTS_PRIVATE_DATABASE_COPY": "1"}

MODULES = [
    Module(
        "access",
        "Need-to-know",
        "cases/access.py",
        (
            "tests/cases/test_visibility_rules_agree.py",
            "tests/security/test_audit_log.py",
            "tests/cases/test_refusals.py",
            "tests/cases/test_redaction_notice.py",
            "tests/cases/test_notes_views.py",
            "tests/cases/test_case_detail.py",
            "tests/cases/test_case_forms.py",
            "tests/cases/test_search.py",
            "tests/cases/test_export.py",
            "tests/cases/test_import_page.py",
            "tests/cases/test_nibin_views.py",
            "tests/cases/test_nibin_work.py",
            "tests/cases/test_linking.py",
            "tests/cases/test_revisions.py",
            "tests/cases/test_saved_searches.py",
            "tests/cases/test_feed_import_page.py",
            "tests/cases/test_feed_nibin.py",
            "tests/meetings/test_printing_permissions.py",
            # Not the URL sweep: it would cost five minutes for each mutant it does not kill.
        ),
    ),
    Module(
        "audit",
        "Audit trail",
        "accounts/audit.py",
        (
            "tests/security/test_audit_log.py",
            "tests/security/test_audit_tampering.py",
            "tests/security/test_audit_sealer.py",
            "tests/security/test_audit_request_details.py",
            "tests/security/test_fail_closed.py",
            # Its fragment tests; the every-URL sweep checks the middleware, at a minute a mutant.
            "tests/security/test_audit_every_request.py::test_a_fragment_of_a_case_writes_one_row_saying_who_saw_which_case",
            "tests/security/test_audit_every_request.py::test_a_refused_fragment_writes_one_refusal_row",
            "tests/security/test_audit_every_request.py::test_a_fragment_that_changes_something_writes_one_row_with_the_change",
            # refuse(), which every access_* lookup calls, lives here, and showed_cases().
            "tests/cases/test_refusals.py",
            "tests/cases/test_audit_of_listed_cases.py",
            "tests/meetings/test_audit_of_shown_cases.py",
        ),
        one_process=True,
    ),
    Module(
        "security",
        "Sign-in security",
        "accounts/security.py",
        (
            "tests/security/test_sign_in_security.py",
            "tests/security/test_sign_in_abuse.py",
            "tests/security/test_lockout_details.py",
            "tests/accounts/test_login.py",
        ),
    ),
    Module(
        "importers",
        "Importers' write path",
        "cases/importers/upsert.py",
        (
            "tests/cases/test_import_all_or_nothing.py",
            "tests/cases/test_import_outcomes.py",
            "tests/cases/test_import_upsert.py",
            "tests/cases/test_import_command.py",
            "tests/cases/test_import_page.py",
            # Victims linked to people, on the importer's record.
            "tests/cases/test_import_people.py",
        ),
        (
            "cases.importers.upsert.x_import_shootings*",
            "cases.importers.upsert.x__write*",
            "cases.importers.upsert.x__plan*",
        ),
        one_process=True,
    ),
    Module(
        "feeds",
        "NIBIN and eTrace imports' write path",
        "cases/feeds/common.py",
        (
            "tests/cases/test_feed_nibin.py",
            "tests/cases/test_feed_etrace.py",
            "tests/cases/test_feed_commands.py",
            "tests/cases/test_feed_import_page.py",
            "tests/api/test_api_feeds.py",
        ),
        (
            # The all-or-nothing frame and the run's audit row.
            "cases.feeds.common.x_run*",
            "cases.feeds.common.x_record_run*",
            "cases.feeds.common.x_integrity_error*",
            # Creating and updating leads, joining cases.
            "cases.feeds.nibin.x__plan*",
            "cases.feeds.nibin.x__lead_changes*",
            "cases.feeds.nibin.x__write*",
            # Matching and revising firearm-trace notes.
            "cases.feeds.etrace.x__notes*",
            "cases.feeds.etrace.x__plan*",
            "cases.feeds.etrace.x__revised*",
            "cases.feeds.etrace.x__write*",
        ),
        ("cases/feeds/nibin.py", "cases/feeds/etrace.py"),
    ),
    Module(
        "snapshot",
        "Agenda snapshots",
        "meetings/agenda/snapshot.py",
        (
            # The packets as handed to the layout: WeasyPrint's seconds a test are the same for
            # every mutant, and the PDF tests check that the layout prints what it is handed.
            *WITHOUT_PDF_LAYOUT,
            "tests/meetings/test_freeze.py",
            "tests/meetings/test_agenda_hidden_notes.py",
            "tests/meetings/test_note_values_agree.py",
            "tests/meetings/test_item_html_reuse.py",
            "tests/meetings/test_in_meeting.py",
            "tests/meetings/test_meeting_action_items.py",
            "tests/meetings/test_agenda_linked_cases.py",
            "tests/meetings/test_agenda_snapshot_content.py",
            "tests/meetings/test_agenda_snapshot_kept.py",
            # A free-text item frozen, then its row edited: the agenda reads what was kept.
            "tests/meetings/test_agenda_item_views.py::test_a_frozen_free_text_item_reads_as_it_was_frozen",
            "tests/meetings/test_agenda_people_overlaps.py",
            # PostgreSQL only (skipped on SQLite): the ids go to each query as one array parameter.
            "tests/meetings/test_agenda_snapshot_queries.py",
            # What is new since the last review, the work on leads and the prosecution changes, as
            # the page shows them; each file's other tests check rules or packets, not the snapshot.
            "tests/meetings/test_agenda_editing.py::"
            "test_each_item_shows_the_latest_notes_of_each_kind_since_the_case_was_last_reviewed",
            "tests/meetings/test_agenda_lead_work.py::test_the_item_shows_each_leads_state_owner_and_age",
            "tests/meetings/test_prosecution_at_the_meeting.py::"
            "test_every_role_at_the_table_sees_the_prosecution_changes_with_their_day[coordinator]",
            "tests/meetings/test_prosecution_at_the_meeting.py::"
            "test_a_case_reviewed_for_the_first_time_shows_what_it_was_entered_with",
            # Not the packet tests: WeasyPrint costs seconds a test, and packets draw the same views.
        ),
    ),
    Module(
        "presentation",
        "Redaction of agendas and packets",
        "meetings/agenda/presentation.py",
        (
            # The packets as handed to the layout: WeasyPrint's seconds a test are the same for
            # every mutant, and the PDF tests check that the layout prints what it is handed.
            *WITHOUT_PDF_LAYOUT,
            "tests/meetings/test_freeze.py",
            "tests/meetings/test_agenda_hidden_notes.py",
            "tests/meetings/test_note_values_agree.py",
            "tests/meetings/test_item_html_reuse.py",
            "tests/meetings/test_in_meeting.py",
            "tests/meetings/test_agenda_linked_cases.py",
            "tests/meetings/test_agenda_snapshot_content.py",
            "tests/meetings/test_agenda_people_overlaps.py",
            "tests/meetings/test_agenda_note_fields.py",
            "tests/meetings/test_agenda_lead_work_lines.py",
            "tests/meetings/test_agenda_item_dates.py",
            "tests/meetings/test_agenda_item_views.py",
            "tests/meetings/test_agenda_view_whole.py",
            # Items that are not a case: a free-text item and the action items' section.
            "tests/meetings/test_agenda_editing.py::test_a_free_text_item_shows_its_text_escaped",
            "tests/meetings/test_meeting_action_items.py",
        ),
    ),
    Module(
        "reminders",
        "Reminder delivery",
        "meetings/reminders/delivery.py",
        # In this process: mutmut cannot follow a change into a worker process.
        ("tests/reminders/test_sending_in_process.py", "tests/reminders/test_batch_sending.py"),
    ),
]


def module_config(module: Module) -> str:
    """pyproject.toml of the module's directory: the project's, with the module's scope."""
    text = (ROOT / "pyproject.toml").read_text()
    project = tomllib.loads(text)
    base = project["tool"]["mutmut"]
    lines = ["[tool.mutmut]"]
    settings = {
        **base,
        "only_mutate": list(module.paths),
        "pytest_add_cli_args_test_selection": list(module.tests),
        # var/ is not in git: the change detection would see nothing.
        "use_git_change_detection": False,
    }
    for key, value in settings.items():
        lines.append(f"{key} = {json.dumps(value)}")
    # Everything else (pytest's own settings) as the project has it.
    rest = text.split("[tool.mutmut]")[0]
    return rest + "\n".join(lines) + "\n"


def prepare(module: Module) -> Path:
    where = WORK / module.key
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    for entry in PROJECT_ENTRIES:
        (where / entry).symlink_to(ROOT / entry)
    (where / "pyproject.toml").write_text(module_config(module))
    return where


def run(module: Module, *, again: bool = False, unexplained: bool = False) -> None:
    names = list(module.functions) or [_dotted(path) + ".*" for path in module.paths]
    if again:
        # The mutated copy is kept and mutmut copies the tests anew. A changed test selection
        # makes mutmut forget every verdict: keep the last ones, to merge in results().
        where = WORK / module.key
        last = results(module) or {}
        names = [name for name, status in last.items() if status not in ("killed", "timeout")]
        if unexplained:
            # Those judged equivalent keep their verdict: e.g. on PostgreSQL after a run on
            # SQLite, only what SQLite could not judge.
            explained = tomllib.loads(EQUIVALENTS.read_text()).get(module.key, {}) if EQUIVALENTS.exists() else {}
            names = [name for name in names if name not in explained]
        if not names:
            return
        earlier = where / "earlier-verdicts.json"
        kept = json.loads(earlier.read_text()) if earlier.exists() else {}
        kept.update({name: status for name, status in last.items() if status in ("killed", "timeout")})
        earlier.write_text(json.dumps(kept))
        (where / "pyproject.toml").write_text(module_config(module))
        # Which tests call which function, found again: on this database (a test skipped on
        # SQLite runs on PostgreSQL) and with the tests as they are now.
        (where / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    else:
        where = prepare(module)
    shared_database = not (os.environ.get("DATABASE_URL") or "sqlite").startswith("sqlite")
    children = "1" if module.one_process and shared_database else _children()
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    env = {**os.environ, "SHOOTREVIEW_VAR_DIR": str(where / "var"), **PRIVATE_TEST_DATABASE}
    print(f"== {module.title} ({', '.join(module.paths)}): {' '.join(names)}", flush=True)
    started, load_before, cpu_before = time.monotonic(), os.getloadavg()[0], _children_cpu()
    subprocess.run(["nice", "-n", "10", mutmut, "run", "--max-children", children, *names], cwd=where, env=env)
    # Kept for the report: how long the module took and how busy the machine was meanwhile.
    timing = where / "timing.json"
    timings = json.loads(timing.read_text()) if again and timing.exists() else {}
    timings["again" if again else "full"] = {
        "seconds": round(time.monotonic() - started),
        # Processor time of mutmut and the test processes it ran: what the run costs on a
        # machine that nothing else uses (wall time is about this much with one child).
        "cpu_seconds": round(_children_cpu() - cpu_before),
        "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "children": int(children),
    }
    timing.write_text(json.dumps(timings))


def results(module: Module) -> dict[str, str] | None:
    from fnmatch import fnmatch

    from mutmut.stats import status_by_exit_code

    metas = [WORK / module.key / "mutants" / (path + ".meta") for path in module.paths]
    if not any(meta.exists() for meta in metas):
        return None
    codes = {}
    for meta in metas:
        if meta.exists():
            codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    earlier = WORK / module.key / "earlier-verdicts.json"
    kept = json.loads(earlier.read_text()) if earlier.exists() else {}
    names = module.functions or ("*",)
    return {
        # A mutant killed by an earlier run and not run again since keeps that verdict.
        name: kept[name] if code is None and name in kept else status_by_exit_code[code]
        for name, code in sorted(codes.items())
        if any(fnmatch(name, pattern) for pattern in names)
    }


def diff(module: Module, name: str) -> str:
    """The mutant's diff, as `mutmut show` prints it, read in this process: a `mutmut show` per
    survivor would start Python once for each."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    here = Path.cwd()
    os.chdir(WORK / module.key)
    try:
        return get_diff_for_mutant(name, path=module.path_of(name))
    finally:
        os.chdir(here)


def report() -> None:
    equivalents = tomllib.loads(EQUIVALENTS.read_text()) if EQUIVALENTS.exists() else {}
    kinds = ["killed", "survived", "timeout", "no tests", "suspicious", "not checked"]
    table = ["| Module | File | Mutants | " + " | ".join(k.capitalize() for k in kinds) + " | Survival |", ""]
    table[1] = "|" + "---|" * (len(kinds) + 4)
    sections = []
    pending = []
    for module in MODULES:
        found = results(module)
        if found is None:
            pending.append(module)
            continue
        counts = {kind: sum(1 for status in found.values() if status == kind) for kind in kinds}
        checked = len(found) - counts["not checked"]
        alive = checked - counts["killed"] - counts["timeout"]
        rate = f"{alive / checked:.1%}" if checked else "–"
        if counts["not checked"]:
            rate += " (run unfinished)"
        table.append(
            f"| {module.title} | "
            + ", ".join(f"`{path}`" for path in module.paths)
            + (" (" + ", ".join(_function_name(module, f) for f in module.functions) + ")" if module.functions else "")
            + f" | {len(found)} | "
            + " | ".join(str(counts[k]) for k in kinds)
            + f" | {rate} |"
        )
        survivors = [name for name, status in found.items() if status not in ("killed", "timeout", "not checked")]
        note = equivalents.get("notes", {}).get(module.key)
        if not survivors and not note:
            continue
        sections.append(f"\n### {module.title}: {len(survivors)} not killed\n")
        if note:
            sections.append(note + "\n")
        for name in survivors:
            reason = equivalents.get(module.key, {}).get(name, "**not yet explained**")
            sections.append(f"- `{name}` ({found[name]}): {reason}\n\n```diff\n{diff(module, name).strip()}\n```\n")
    lines = [
        "# Mutation testing report",
        "",
        f"Written by `make mutate` (scripts/mutate.py) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, mutmut "
        f"{_mutmut_version()}. A mutant is killed when a test fails on it; a timeout counts as killed "
        "(the change made the code loop or stall). The survival rate counts every checked mutant not "
        'killed, untested ones included; "not checked" mutants were not reached by an unfinished run.',
        "",
        *table,
        "",
    ]
    if pending:
        lines += ["Not run yet: " + ", ".join(f"{m.title} (`{', '.join(m.paths)}`)" for m in pending) + ".", ""]
    lines += _timings(equivalents.get("notes", {}).get("time"))
    lines += [
        "## Mutants not killed",
        "",
        "Each is either equivalent (the reason says why it cannot matter to a user) "
        "or a gap left open, marked as such.",
    ]
    lines += sections
    REPORT.write_text("\n".join(lines).rstrip() + "\n")
    print(f"Report written to {REPORT.relative_to(ROOT)}")


def _function_name(module: Module, glob: str) -> str:
    """A function's name for the report, with its file's name when the module has several."""
    where, name = glob.rstrip("*").split(".x_", 1)
    return f"{where.rsplit('.', 1)[-1]}.{name}" if module.more_paths else name


def _children() -> str:
    return os.environ.get("MUTATE_CHILDREN") or str(os.cpu_count() or 1)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} min {seconds % 60:02d} s"


def _timings(note: str | None) -> list[str]:
    """How long each module's last whole run took: the wall time with the machine's load average
    (of its two cores) when it started and ended, and the processor time of mutmut and its test
    processes, which is what the run takes on a machine nothing else uses (with one child)."""
    rows, wall, cpu = [], 0, 0
    for module in MODULES:
        timing = WORK / module.key / "timing.json"
        if not timing.exists():
            continue
        runs = json.loads(timing.read_text())
        cells = []
        for kind in ("full", "again"):
            run = runs.get(kind)
            if run is None:
                cells += ["–", "–"]
                continue
            if kind == "full":
                wall += run["seconds"]
                cpu += run.get("cpu_seconds", 0)
            load = f"load {run['load'][0]} → {run['load'][1]}" if "load" in run else "load not recorded"
            cells.append(f"{_minutes(run['seconds'])} ({load})")
            found = results(module) or {}
            unchecked = sum(1 for status in found.values() if status == "not checked")
            if kind == "full" and unchecked:
                cells[-1] += f", stopped with {len(found) - unchecked} of {len(found)} checked"
            cells.append(_minutes(run["cpu_seconds"]) if "cpu_seconds" in run else "–")
        rows.append(f"| {module.title} | " + " | ".join(cells) + " |")
    if not rows:
        return []
    return [
        "## Time taken",
        "",
        "Each module's last whole run and its last `--again` run (the mutants not killed before), "
        "niced, with `MUTATE_CHILDREN` test processes.",
        "",
        "| Module | Whole run: wall (load) | Whole run: processor | Again: wall (load) | Again: processor |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Whole runs together: {_minutes(wall)} of wall time, {_minutes(cpu)} of processor time.",
        "",
        *([note, ""] if note else []),
    ]


def _mutmut_version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def try_mutant(name: str, pytest_args: list[str]) -> int:
    """Run tests against one mutant (by the name the report gives it), without touching the tree:
    in a copy of the project made of links, but for the mutant's app, copied with the module
    mutated (as mutmut does it, so the test's own project never shadows the mutant)."""
    import tempfile
    from io import StringIO

    from mutmut.__main__ import write_all_mutants_to_file

    module = next((m for m in MODULES if any(name.startswith(_dotted(p) + ".") for p in m.paths)), None)
    if module is None:
        raise SystemExit(f"{name} is in none of the modules: {[m.key for m in MODULES]}")
    path = module.path_of(name)
    out = StringIO()
    mutated = write_all_mutants_to_file(out=out, source=(ROOT / path).read_text(), filename=Path(path))
    if name not in {f"{_dotted(path)}.{mutant}" for mutant in mutated.mutant_names}:
        raise SystemExit(f"{path} has no mutant {name}")
    with tempfile.TemporaryDirectory() as aside:
        app = path.split("/")[0]
        for entry in ROOT.iterdir():
            if entry.name not in (app, "var", ".git"):
                (Path(aside) / entry.name).symlink_to(entry)
        shutil.copytree(ROOT / app, Path(aside) / app, ignore=shutil.ignore_patterns("__pycache__"))
        (Path(aside) / path).write_text(out.getvalue())
        env = {**os.environ, "MUTANT_UNDER_TEST": name, "SHOOTREVIEW_VAR_DIR": str(Path(aside) / "var")}
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args]
        return subprocess.run(command, cwd=aside, env=env).returncode


def main(argv: list[str]) -> None:
    if argv[:1] == ["--try"] and len(argv) > 1:
        raise SystemExit(try_mutant(argv[1], argv[2:]))
    if "--report-only" not in argv:
        wanted = [a for a in argv if not a.startswith("-")]
        unknown = set(wanted) - {m.key for m in MODULES}
        if unknown:
            raise SystemExit(f"Unknown module(s): {', '.join(sorted(unknown))}; known: {[m.key for m in MODULES]}")
        for module in MODULES:
            if not wanted or module.key in wanted:
                run(module, again="--again" in argv, unexplained="--unexplained" in argv)
    report()


if __name__ == "__main__":
    main(sys.argv[1:])
