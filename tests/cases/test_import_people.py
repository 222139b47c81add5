"""An import links each new victim to a person the migration's conservative way (exact name and
date of birth, among the people the importer may see) and reports the victims it left with
possible matches, on the result page and in the command's output."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import services
from cases.importers.upsert import import_shootings
from cases.models import Note, PersonChange, PersonRole
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db

HEADER = "report_number,kind,occurred_from,address,victim_name,victim_age,victim_sex,victim_date_of_birth"
BORN = "1999-04-12"


def csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def suspect(shooting, user, name, *, born=BORN, restricted=False):
    fields = {"name": name, "aliases": "", "date_of_birth": born, "approximate_age": None, "status": "suspect"}
    return services.add_note(
        shooting, user, Note.Kind.SUSPECT, {**fields, "basis": "", "text": ""}, restricted=restricted
    )


@pytest.fixture
def known(investigator):
    """Orrin Halberd, born 12 April 1999, is a suspect in an earlier shooting."""
    note = suspect(make_shooting(investigator, report_number="RB26400001"), investigator, "Orrin Halberd")
    return note.person_role.person


def victim_role(report_number: str, name: str) -> PersonRole:
    return PersonRole.objects.get(kind="victim", shooting__report_number=report_number, name=name)


def test_a_victim_of_the_same_name_and_date_of_birth_is_linked_to_that_person(known, coordinator):
    report = import_shootings(
        csv(f"RB26400101,nonfatal,2026-03-14 21:40,1 Weir St,orrin  halberd,26,M,{BORN}"), coordinator
    )

    assert report.applied
    role = victim_role("RB26400101", "orrin  halberd")
    assert role.person == known
    change = PersonChange.objects.get(role=role)
    assert change.action == PersonChange.Action.LINKED_ON_MIGRATION and change.changed_by == coordinator
    assert [(v.name, v.report_number, v.person_id) for v in report.linked] == [
        ("orrin  halberd", "RB26400101", known.pk)
    ]
    assert report.suggestions == []


def test_a_similar_name_or_a_missing_date_of_birth_is_never_linked_but_left_as_a_suggestion(known, coordinator):
    report = import_shootings(
        csv(
            "RB26400102,nonfatal,2026-03-14 21:40,1 Weir St,Orrin Halberd,26,M,",
            "RB26400103,nonfatal,2026-03-15 21:40,2 Weir St,Orin Halbert,26,M,1999-04-12",
        ),
        coordinator,
    )

    assert report.linked == []
    assert victim_role("RB26400102", "Orrin Halberd").person != known
    assert victim_role("RB26400103", "Orin Halbert").person != known
    left = {(s.name, s.report_number): s.candidates for s in report.suggestions}
    assert left[("Orrin Halberd", "RB26400102")] >= 1
    assert left[("Orin Halbert", "RB26400103")] >= 1


def test_a_date_of_birth_that_differs_is_neither_linked_nor_suggested(known, coordinator):
    report = import_shootings(
        csv("RB26400104,nonfatal,2026-03-14 21:40,1 Weir St,Orrin Halberd,26,M,1990-01-01"), coordinator
    )

    assert victim_role("RB26400104", "Orrin Halberd").person != known
    assert report.linked == [] and report.suggestions == []


def test_a_person_known_only_from_another_agencys_restricted_note_is_neither_linked_nor_suggested(
    outsider, coordinator
):
    note = suspect(make_shooting(outsider, report_number="RB26400002"), outsider, "Sabela Crane", restricted=True)

    report = import_shootings(
        csv(f"RB26400105,nonfatal,2026-03-14 21:40,1 Weir St,Sabela Crane,26,F,{BORN}"), coordinator
    )

    assert victim_role("RB26400105", "Sabela Crane").person != note.person_role.person
    assert report.linked == [] and report.suggestions == []


def test_two_victims_of_one_file_with_the_same_name_and_date_of_birth_are_one_person(coordinator):
    import_shootings(
        csv(
            f"RB26400106,nonfatal,2026-03-14 21:40,1 Weir St,Tamsin Orly,30,F,{BORN}",
            f"RB26400107,nonfatal,2026-03-20 21:40,9 Weir St,Tamsin Orly,30,F,{BORN}",
        ),
        coordinator,
    )

    assert victim_role("RB26400106", "Tamsin Orly").person == victim_role("RB26400107", "Tamsin Orly").person


def test_a_preview_links_no_one(known, coordinator):
    before = PersonRole.objects.count()
    report = import_shootings(
        csv(f"RB26400108,nonfatal,2026-03-14 21:40,1 Weir St,Orrin Halberd,26,M,{BORN}"), coordinator, dry_run=True
    )

    assert report.ok and report.linked == []
    assert PersonRole.objects.count() == before


def test_a_file_with_an_error_links_no_one(known, coordinator):
    before = PersonRole.objects.count()
    report = import_shootings(
        csv(
            f"RB26400109,nonfatal,2026-03-14 21:40,1 Weir St,Orrin Halberd,26,M,{BORN}",
            "RB26400110,nonfatal,2026-03-14 21:40,2 Weir St,Nell Amory,26,F,1999-02-30",
        ),
        coordinator,
    )

    assert not report.ok
    assert "victim_date_of_birth" in str(report.errors[0])
    assert PersonRole.objects.count() == before and not PersonChange.objects.filter(action="migrated").exists()


def test_kcpd_victim_labels_are_never_offered_as_matches(coordinator):
    kcpd = (Path(__file__).resolve().parents[1] / "fixtures" / "kcpd_2019.csv").read_bytes()
    import_shootings(kcpd, coordinator)

    # The same labels ("Victim 1", "Victim 2") in other reports.
    report = import_shootings(kcpd.replace(b"KC19", b"KC20"), coordinator)

    assert report.applied and report.counts["created"] == 3
    assert report.suggestions == [] and report.linked == []


def test_the_result_page_lists_the_links_and_the_suggestions_left(known, coordinator, client):
    upload = StringIO(
        csv(
            f"RB26400111,nonfatal,2026-03-14 21:40,1 Weir St,Orrin Halberd,26,M,{BORN}",
            "RB26400112,nonfatal,2026-03-15 21:40,2 Weir St,Orin Halbert,26,M,",
        )
    )
    upload.name = "week.csv"
    client.force_login(coordinator)

    page = client.post(reverse("cases:import"), {"action": "import", "format": "auto", "file": upload}).content.decode()

    linked = victim_role("RB26400111", "Orrin Halberd")
    left = victim_role("RB26400112", "Orin Halbert")
    assert "1 victim linked to a person already recorded" in page
    assert reverse("cases:person", args=[linked.person_id]) in page
    assert "Possible matches to review" in page
    assert '<th scope="row">Orin Halbert</th>' in page
    assert reverse("cases:person", args=[left.person_id]) + "#suggestions" in page


def test_the_command_lists_the_links_and_the_suggestions_left(known, coordinator, tmp_path):
    path = tmp_path / "week.csv"
    path.write_text(
        csv(
            f"RB26400113,nonfatal,2026-03-14 21:40,1 Weir St,Orrin Halberd,26,M,{BORN}",
            "RB26400114,nonfatal,2026-03-15 21:40,2 Weir St,Orin Halbert,26,M,",
        )
    )
    out = StringIO()

    call_command("import_shootings", str(path), stdout=out)

    text = out.getvalue()
    left = victim_role("RB26400114", "Orin Halbert")
    assert f"Linked Orrin Halberd (RB26400113) to person {known.pk}" in text
    assert "Possible matches to review (1)" in text
    assert f"Orin Halbert (RB26400114): 1 possible match, {reverse('cases:person', args=[left.person_id])}" in text


def test_a_victim_added_by_a_later_file_is_linked_the_same_way_on_the_importers_record(known, coordinator):
    import_shootings(csv("RB26400101,nonfatal,2026-03-14 21:40,1 Weir St,Ada Quell,31,F,1990-01-01"), coordinator)

    report = import_shootings(
        csv(
            "RB26400101,nonfatal,2026-03-14 21:40,1 Weir St,Ada Quell,31,F,1990-01-01",
            f"RB26400101,nonfatal,2026-03-14 21:40,1 Weir St,Orrin Halberd,26,M,{BORN}",
        ),
        coordinator,
    )

    assert report.applied and [o.action for o in report.outcomes] == ["updated"]
    role = victim_role("RB26400101", "Orrin Halberd")
    assert role.person == known
    change = PersonChange.objects.get(role=role)
    assert change.action == PersonChange.Action.LINKED_ON_MIGRATION and change.changed_by == coordinator
