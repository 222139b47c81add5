"""The NIBIN lead report import (cases.feeds.nibin): a lead joins the named cases exactly as a lead
cited by hand does, a re-import changes nothing, a dry run writes nothing, and a bad file is
refused whole with its lines named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.feeds.nibin import import_nibin_leads
from cases.importers.common import ImportFileError
from cases.models import LeadAssignment, LeadChange, LinkKey, NibinLead, Note, NoteRevision, Shooting
from meetings.models import Reminder
from meetings.reminders import planning
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

HEADER = "lead_number,lead_date,case_numbers,result,examiner"


def lines(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def cases(investigator, supervisor) -> dict[str, Shooting]:
    return {
        "a": make_shooting(investigator, report_number="RB26009001", lead_investigator=investigator),
        "b": make_shooting(investigator, report_number="RB26009002", lead_investigator=supervisor),
        "c": make_shooting(investigator, report_number="RB26009003"),
    }


def everything() -> dict:
    """Every row the import could have written."""
    return {
        "leads": sorted(NibinLead.objects.values_list("number", "status", "examiner", "lead_received_at")),
        "notes": Note.objects.count(),
        "revisions": NoteRevision.objects.count(),
        "keys": sorted(LinkKey.objects.values_list("kind", "value", "shooting_id")),
        "work": LeadAssignment.objects.count(),
        "changes": LeadChange.objects.count(),
        "clusters": sorted(Shooting.objects.values_list("pk", "cluster_id")),
    }


def test_a_hit_joins_the_named_cases_as_a_lead_cited_by_hand_does(atf_agent, investigator, supervisor, cases):
    report = import_nibin_leads(
        lines("RB-2026-0901,2026-03-14,RB26009001; RB26009002,hit,Examiner Dahl"), user=atf_agent
    )

    assert report.applied, report.errors
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0}
    lead = NibinLead.objects.get(number="RB-2026-0901")
    assert lead.status == NibinLead.Status.HIT and lead.examiner == "Examiner Dahl"
    assert lead.status_changed_by == atf_agent
    assert timezone.localtime(lead.lead_received_at).date().isoformat() == "2026-03-14"
    # Joined by a firearm-trace note in each case, written by the importer, citing the lead.
    a, b, c = (Shooting.objects.get(pk=s.pk) for s in cases.values())
    for shooting in (a, b):
        note = Note.objects.get(shooting=shooting, kind=Note.Kind.FIREARM)
        assert note.author == atf_agent and note.fields["nibin_leads"] == ["RB-2026-0901"]
        assert "examiner Examiner Dahl" in note.fields["text"] and not note.restricted_to_agency
        assert note.revisions.count() == 1
    assert a.cluster_id == b.cluster_id == min(a.pk, b.pk) and c.cluster_id is None
    # The work opens on both cases with their lead investigators proposed, and they are told.
    work = {w.shooting_id: w.investigator_id for w in LeadAssignment.objects.filter(lead=lead)}
    assert work == {a.pk: investigator.pk, b.pk: supervisor.pk}
    assert planning.plan_due() == 2
    told = Reminder.objects.filter(kind=Reminder.Kind.NIBIN_JOINED).values_list("recipient_id", flat=True)
    assert sorted(told) == sorted([investigator.pk, supervisor.pk])
    # The lead's history says what the import did and who ran it.
    change = LeadChange.objects.get(lead=lead)
    assert change.changed_by == atf_agent and change.assignment is None
    assert change.changes["status"] == ["Lead (computer correlation)", "Hit (confirmed by examiner)"]
    assert change.changes["cases joined"] == ["", "RB26009001, RB26009002"]
    assert change.changes["examiner"] == ["", "Examiner Dahl"]
    assert change.changes["source"] == ["", "NIBIN lead report import"]


def test_re_importing_the_same_file_changes_nothing_and_tells_nobody_again(atf_agent, cases):
    text = lines(
        "RB-2026-0901,2026-03-14,RB26009001;RB26009002,hit,Examiner Dahl",
        "RB-2026-0902,3/15/2026 14:05,RB26009003,lead,",
    )
    assert import_nibin_leads(text, user=atf_agent).applied
    planning.plan_due()
    before, reminders = everything(), Reminder.objects.count()

    again = import_nibin_leads(text, user=atf_agent)

    assert again.applied and again.counts == {"created": 0, "updated": 0, "unchanged": 2}
    assert "RB26009001 already cites the lead" in again.outcomes[0].remarks
    assert everything() == before
    assert planning.plan_due() == 0 and Reminder.objects.count() == reminders


def test_a_later_report_updates_the_lead_and_joins_a_further_case(atf_agent, cases):
    import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001;RB26009002,lead,"), user=atf_agent)

    report = import_nibin_leads(
        lines("RB-2026-0901,2026-03-14,RB26009001;RB26009002;RB26009003,hit,Examiner Dahl"), user=atf_agent
    )

    assert report.counts == {"created": 0, "updated": 1, "unchanged": 0}
    outcome = report.outcomes[0]
    assert outcome.changes["status"] == ("Lead (computer correlation)", "Hit (confirmed by examiner)")
    assert outcome.changes["cases joined"] == ("", "RB26009003")
    assert Note.objects.filter(kind=Note.Kind.FIREARM).count() == 3
    assert len({s.cluster_id for s in Shooting.objects.all()}) == 1


def test_a_lead_report_never_sets_a_hit_back_to_a_lead(atf_agent, cases):
    import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,hit,Examiner Dahl"), user=atf_agent)

    report = import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,lead,Examiner Dahl"), user=atf_agent)

    assert report.counts["unchanged"] == 1
    assert report.outcomes[0].remarks == [
        "kept as hit (a lead report never undoes the examiner's answer)",
        "RB26009001 already cites the lead",
    ]
    assert NibinLead.objects.get().status == NibinLead.Status.HIT


def test_a_row_without_an_examiner_keeps_the_one_recorded(atf_agent, cases):
    import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,hit,Examiner Dahl"), user=atf_agent)

    report = import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,lead,"), user=atf_agent)

    assert report.counts["unchanged"] == 1
    assert NibinLead.objects.get().examiner == "Examiner Dahl"


def test_a_case_that_cites_the_lead_by_hand_gets_no_second_note(atf_agent, investigator, cases):
    services.add_note(cases["a"], investigator, Note.Kind.FIREARM, {"nibin_leads": ["RB-2026-0901"]})
    hand_entered = NibinLead.objects.get(number="RB-2026-0901")

    report = import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001;RB26009002,hit,Dahl"), user=atf_agent)

    assert report.counts == {"created": 0, "updated": 1, "unchanged": 0}
    assert Note.objects.filter(shooting=cases["a"]).count() == 1
    assert Note.objects.get(shooting=cases["b"]).author == atf_agent
    assert NibinLead.objects.get().pk == hand_entered.pk


def test_a_firearm_serial_spelled_like_the_lead_number_is_not_a_citation_of_the_lead(atf_agent, investigator, cases):
    # Serial numbers and lead numbers are both kept as link keys; only a lead's key cites it.
    services.add_note(cases["a"], investigator, Note.Kind.FIREARM, {"serial_number": "NB20260901"})

    report = import_nibin_leads(lines("NB20260901,2026-03-14,RB26009001,hit,Dahl"), user=atf_agent)

    assert report.applied, report.errors
    cites = Note.objects.filter(shooting=cases["a"], kind=Note.Kind.FIREARM, author=atf_agent)
    assert [note.fields["nibin_leads"] for note in cites] == [["NB20260901"]]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(atf_agent, cases):
    before = everything()

    report = import_nibin_leads(
        lines("RB-2026-0901,2026-03-14,RB26009001;RB26009002,hit,Dahl"), user=atf_agent, dry_run=True
    )

    assert report.ok and not report.applied
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0}
    assert report.outcomes[0].changes["cases joined"] == ("", "RB26009001, RB26009002")
    assert everything() == before


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            ["RB-1,2026-02-30,RB26009001,hit,Dahl"],
            ["line 2: lead_date: “2026-02-30” is not a date and time (use ISO 8601"],
        ),
        (["RB-1,1850-01-01,RB26009001,hit,Dahl"], ["line 2: lead_date: “1850-01-01” is out of range."]),
        (["RB-1,2099-01-01,RB26009001,hit,Dahl"], ["line 2: lead_date: 2099-01-01 00:00 is in the future"]),
        (
            ["RB-1,2026-03-01,RB26009001;RB26999999,hit,Dahl"],
            ["line 2: case_numbers: no case you may see has the report number RB26999999"],
        ),
        (
            ["RB-1,2026-03-01,RB26999998;RB26009001;RB26999999,hit,Dahl"],
            ["line 2: case_numbers: no case you may see has the report number RB26999998, RB26999999"],
        ),
        (
            ["RB-1,2026-03-01,RB26009001,hit,Dahl", "rb-1,2026-03-02,RB26009002,lead,"],
            ["line 3: lead_number: RB-1 is already on line 2"],
        ),
        (["RB-1,2026-03-01,RB26009001;RB26009001,lead,"], ["line 2: case_numbers: RB26009001 named more than once"]),
        (
            ["RB-1,2026-03-01,RB26009001,confirmed,Dahl"],
            ["line 2: result: “confirmed” should be lead, hit or excluded"],
        ),
        (
            ["RB-1,2026-03-01,RB26009001,hit,"],
            ["line 2: examiner: required for a hit (the examiner who gave the answer)"],
        ),
        ([",2026-03-01,RB26009001,lead,"], ["line 2: lead_number: required"]),
        (
            ["RB-1,2026-03-01,,lead,"],
            ["line 2: case_numbers: required (the agencies' report numbers, separated by semicolons)"],
        ),
        (["RB-1,2026-03-01,RB26009001,lead,Dahl\x07"], ["line 2: examiner: "]),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_its_line(atf_agent, cases, rows, expected):
    before = everything()
    good = "RB-2026-0950,2026-03-01,RB26009003,hit,Dahl"

    report = import_nibin_leads(lines(*rows, good), user=atf_agent)

    errors = [str(error) for error in report.errors]
    assert len(errors) == len(expected), errors
    for error, start in zip(errors, expected, strict=True):
        assert error.startswith(start), errors
    assert not report.applied and report.outcomes == []
    assert everything() == before


def test_a_file_without_a_required_column_is_refused_naming_the_header(atf_agent, cases):
    report = import_nibin_leads("lead_number,lead_date,examiner\nRB-1,2026-03-01,Dahl\n", user=atf_agent)

    assert [str(e) for e in report.errors] == ["line 1: the header has no column case_numbers, result (required)"]
    assert everything()["leads"] == []


def test_a_file_that_is_not_utf8_is_refused_whole(atf_agent, cases):
    raw = lines("RB-1,2026-03-01,RB26009001,hit,Müller").encode("latin-1")

    with pytest.raises(ImportFileError, match="not UTF-8 text \\(first bad byte on line 2\\)"):
        import_nibin_leads(raw, user=atf_agent, filename="w.csv")
    assert everything()["leads"] == []
    row = AuditEvent.objects.get(object_type="import")
    assert (row.actor_id, row.outcome, row.detail["errors"], row.detail["file"]) == (
        atf_agent.pk,
        "failure",
        1,
        "w.csv",
    )


def test_a_lead_date_before_the_evidence_was_recovered_is_refused_as_the_lead_page_refuses_it(atf_agent, cases):
    import_nibin_leads(lines("RB-1,2026-03-10,RB26009001,lead,"), user=atf_agent)
    lead = NibinLead.objects.get()
    services.update_nibin_lead(lead, atf_agent, {"evidence_recovered_at": lead.lead_received_at - timedelta(days=1)})

    report = import_nibin_leads(lines("RB-1,2026-03-01,RB26009001,lead,"), user=atf_agent)

    assert [str(e) for e in report.errors] == ["line 2: lead_date: This cannot be before “evidence recovered”."]


def refuse_insert_of_lead(number: str) -> None:
    """The database refuses to insert this lead as a duplicate, as if someone saved it meanwhile."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """CREATE FUNCTION test_refuse_lead() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '23505'; END $$ LANGUAGE plpgsql"""
            )
            cursor.execute(
                f"""CREATE TRIGGER test_refuse_lead BEFORE INSERT ON cases_nibinlead FOR EACH ROW
                WHEN (NEW.number = '{number}') EXECUTE FUNCTION test_refuse_lead()"""
            )
        else:
            cursor.execute(
                f"""CREATE TRIGGER test_refuse_lead BEFORE INSERT ON cases_nibinlead
                WHEN NEW.number = '{number}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"""
            )


def test_a_write_refused_part_way_leaves_the_rows_before_it_unwritten_too(atf_agent, cases):
    before = everything()
    refuse_insert_of_lead("RB-2026-0903")

    report = import_nibin_leads(
        lines(
            "RB-2026-0901,2026-03-14,RB26009001;RB26009002,hit,Dahl",
            "RB-2026-0902,2026-03-14,RB26009003,lead,",
            "RB-2026-0903,2026-03-14,RB26009001,lead,",
        ),
        user=atf_agent,
        filename="w.csv",
    )

    assert [str(e) for e in report.errors] == [
        "line 4: lead RB-2026-0903 was just changed by someone else; nothing was imported — run it again"
    ]
    assert report.outcomes == []
    assert everything() == before
    row = AuditEvent.objects.get(object_type="import")
    assert (row.actor_id, row.outcome, row.detail["error_lines"], row.detail["file"]) == (
        atf_agent.pk,
        "failure",
        [4],
        "w.csv",
    )


def test_only_those_who_manage_leads_may_import_a_lead_report(prosecutor, advocate, cases):
    for user in (prosecutor, advocate):
        with pytest.raises(PermissionDenied):
            import_nibin_leads(lines("RB-1,2026-03-01,RB26009001,lead,"), user=user)
    assert everything()["leads"] == []
    refusals = AuditEvent.objects.filter(event="access.refused", object_type="import", object_id="nibin")
    assert sorted(refusals.values_list("actor_id", "outcome")) == sorted(
        [(prosecutor.pk, "refused"), (advocate.pk, "refused")]
    )


def test_each_run_leaves_one_audit_row_with_counts_and_no_values(atf_agent, cases):
    import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,hit,Examiner Dahl"), user=atf_agent, dry_run=True)
    import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,hit,Examiner Dahl"), user=atf_agent, filename="w.csv")
    import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26999999,hit,Examiner Dahl"), user=atf_agent)

    rows = list(AuditEvent.objects.filter(object_type="import").order_by("id"))
    assert [(r.event, r.outcome, r.actor_id) for r in rows] == [
        ("import.nibin.dry_run", "success", atf_agent.pk),
        ("import.nibin", "success", atf_agent.pk),
        ("import.nibin", "failure", atf_agent.pk),
    ]
    assert rows[1].detail["counts"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert rows[1].detail["file"] == "w.csv"
    assert rows[2].detail["error_lines"] == [2]
    assert all("Dahl" not in str(r.detail) and "RB-2026-0901" not in str(r.detail) for r in rows)
    assert list(rows[1].shown_cases.values_list("case_id", flat=True)) == [cases["a"].pk]


def test_a_row_that_changes_nothing_does_not_stop_the_rows_after_it(atf_agent, cases):
    first = "RB-2026-0901,2026-03-14,RB26009001,hit,Examiner Dahl"
    import_nibin_leads(lines(first), user=atf_agent)

    report = import_nibin_leads(lines(first, "RB-2026-0902,2026-03-15,RB26009003,lead,"), user=atf_agent)

    assert report.counts == {"created": 1, "updated": 0, "unchanged": 1}
    lead = NibinLead.objects.get(number="RB-2026-0902")
    assert LinkKey.objects.get(kind=LinkKey.Kind.NIBIN, value=lead.number).shooting_id == cases["c"].pk


def test_the_audit_row_says_who_ran_what_in_counts_and_line_numbers_only(atf_agent, cases):
    unknown = [f"RB-{n},2026-03-01,RB26999999,lead," for n in range(25)]
    import_nibin_leads(lines(*unknown), user=atf_agent, filename="x" * 130 + ".csv")
    import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001;RB26009002,hit,Dahl"), user=atf_agent)

    refused, applied = AuditEvent.objects.filter(object_type="import").order_by("id")
    assert (refused.actor_id, refused.object_id, refused.outcome) == (atf_agent.pk, "nibin", "failure")
    # The first twenty lines are enough to find the trouble; the count says how many more.
    assert refused.detail == {
        "feed": "nibin",
        "dry_run": False,
        "rows": 25,
        "counts": {"created": 0, "updated": 0, "unchanged": 0},
        "errors": 25,
        "error_lines": list(range(2, 22)),
        "file": "x" * 120,
    }
    assert (applied.actor_id, applied.object_id, applied.outcome) == (atf_agent.pk, "nibin", "success")
    assert applied.detail == {
        "feed": "nibin",
        "dry_run": False,
        "rows": 1,
        "counts": {"created": 1, "updated": 0, "unchanged": 0},
        "errors": 0,
        "error_lines": [],
    }
    assert sorted(applied.shown_cases.values_list("case_id", flat=True)) == sorted([cases["a"].pk, cases["b"].pk])


def test_a_date_without_a_time_keeps_the_time_recorded_on_that_day(atf_agent, cases):
    import_nibin_leads(lines("RB-2026-0901,3/14/2026 14:05,RB26009001,lead,"), user=atf_agent)

    report = import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,lead,"), user=atf_agent)

    assert report.counts["unchanged"] == 1, report.outcomes[0].changes
    assert timezone.localtime(NibinLead.objects.get().lead_received_at).strftime("%Y-%m-%d %H:%M") == "2026-03-14 14:05"


def test_a_later_report_with_another_date_moves_the_lead_and_says_so_in_its_history(atf_agent, cases):
    import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,lead,"), user=atf_agent)

    report = import_nibin_leads(lines("RB-2026-0901,2026-03-16,RB26009001,lead,"), user=atf_agent)

    assert report.outcomes[0].changes == {"lead received": ("2026-03-14 00:00", "2026-03-16 00:00")}
    lead = NibinLead.objects.get()
    assert timezone.localtime(lead.lead_received_at).date().isoformat() == "2026-03-16"
    change = LeadChange.objects.filter(lead=lead).latest("id")
    assert change.changed_by == atf_agent
    assert change.changes == {
        "source": ["", "NIBIN lead report import"],
        "lead received": ["2026-03-14 00:00", "2026-03-16 00:00"],
    }


def test_a_later_report_naming_another_examiner_records_both_in_the_leads_history(atf_agent, cases):
    import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,hit,Examiner Dahl"), user=atf_agent)

    report = import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,hit,Examiner Ruiz"), user=atf_agent)

    assert report.outcomes[0].changes == {"examiner": ("Examiner Dahl", "Examiner Ruiz")}
    change = LeadChange.objects.filter(lead__number="RB-2026-0901").latest("id")
    assert change.changes["examiner"] == ["Examiner Dahl", "Examiner Ruiz"]
    # A row that changes nothing still links its lead on the result page.
    again = import_nibin_leads(lines("RB-2026-0901,2026-03-14,RB26009001,hit,Examiner Ruiz"), user=atf_agent)
    assert again.outcomes[0].action == "unchanged" and again.outcomes[0].lead_id == NibinLead.objects.get().pk


def test_columns_the_import_does_not_use_are_named_in_its_report(atf_agent, cases):
    report = import_nibin_leads(
        "lead_number,lead_date,case_numbers,result,agent\nRB-1,2026-03-01,RB26009001,lead,Vance\n", user=atf_agent
    )

    assert report.applied and report.ignored_columns == ["agent"]
