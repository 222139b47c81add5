"""`seed_bulk` builds a large fictional data set fast, beside real data but never in it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import Agency, User
from cases import linking, services
from cases.models import LinkKey, NibinLead, Note, NoteRevision, Person, PersonRole, Shooting, Victim
from cases.people.matching import search_text as services_search_text
from demo import bulk
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db


def _real_rows() -> list:
    """Everything that is not bulk data, as stored."""
    return [
        list(Shooting.objects.exclude(report_number__startswith="BK").order_by("pk").values()),
        list(Victim.objects.exclude(shooting__report_number__startswith="BK").order_by("pk").values()),
        list(Note.objects.exclude(shooting__report_number__startswith="BK").order_by("pk").values()),
        list(NoteRevision.objects.exclude(note__shooting__report_number__startswith="BK").order_by("pk").values()),
        list(LinkKey.objects.exclude(shooting__report_number__startswith="BK").order_by("pk").values()),
        list(NibinLead.objects.exclude(number__startswith="BK-").order_by("pk").values()),
        list(User.objects.exclude(username__startswith="bk_").order_by("pk").values()),
        list(Agency.objects.exclude(code__startswith="bk-").order_by("pk").values()),
        list(PersonRole.objects.exclude(shooting__report_number__startswith="BK").order_by("pk").values()),
        list(Person.objects.exclude(roles__shooting__report_number__startswith="BK").order_by("pk").values()),
    ]


def test_seed_bulk_creates_the_asked_numbers_of_rows_quickly():
    started = time.monotonic()
    call_command("seed_bulk", shootings=200, notes_per_case=5, batch=64, heavy_notes=0, verbosity=0)
    # Seconds, not minutes, even on a loaded machine: the rows go in by the batch.
    assert time.monotonic() - started < 60

    assert Shooting.objects.filter(report_number__startswith="BK").count() == 200
    assert Note.objects.count() == 1000
    assert NoteRevision.objects.filter(number=1).count() == 1000
    assert Victim.objects.count() >= 150
    assert set(Note.objects.values_list("kind", flat=True)) == set(Note.Kind.values)
    assert not Shooting.objects.filter(search_text="").exists()
    assert not Shooting.objects.filter(last_activity_at__isnull=True).exists()


def test_bulk_cases_spread_over_years_with_ids_rising_with_time():
    call_command("seed_bulk", shootings=200, notes_per_case=1, batch=50, years=5, heavy_notes=0, verbosity=0)
    now = timezone.now()
    rows = list(Shooting.objects.order_by("pk").values_list("occurred_from", flat=True))
    years = {timezone.localtime(t).year for t in rows}
    # "This year to date against last year" needs whole earlier years.
    assert {now.year - 1, now.year - 2, now.year - 3} <= years
    assert min(rows) > now - timedelta(days=5 * 366)
    assert max(rows) <= now
    assert rows == sorted(rows)
    for note in Note.objects.select_related("shooting"):
        assert note.shooting.occurred_from < note.created_at <= now
        assert note.shooting.last_activity_at >= note.created_at


def test_bulk_rows_hold_what_the_services_would_have_written():
    call_command("seed_bulk", shootings=60, notes_per_case=8, heavy_notes=0, verbosity=0)
    for shooting in Shooting.objects.all()[:20]:
        stored = shooting.search_text
        services.refresh_search_text(shooting)
        assert shooting.search_text == stored
    for note in Note.objects.filter(kind=Note.Kind.SUSPECT):
        assert note.search_text == services._search_text(note.kind, note.fields)
    for note in Note.objects.filter(kind=Note.Kind.VICTIM_SERVICES):
        victim = Victim.objects.get(pk=note.fields["victim"])
        assert victim.shooting_id == note.shooting_id
    for note in Note.objects.filter(kind=Note.Kind.FIREARM).exclude(fields__serial_number=""):
        assert LinkKey.objects.filter(note=note, kind=LinkKey.Kind.SERIAL, value=note.fields["serial_number"]).exists()
    revision = NoteRevision.objects.select_related("note").first()
    assert revision.fields == revision.note.fields
    assert revision.edited_by_id == revision.note.author_id


def test_bulk_clusters_are_the_ones_linking_would_compute():
    bulk.create_bulk_data(150, 6, heavy_notes=0, nibin_share=0.25)
    clustered = set(Shooting.objects.exclude(cluster_id=None).values_list("pk", flat=True))
    assert len(clustered) >= 10
    assert NibinLead.objects.filter(number__startswith="BK-NL-").count() >= 4
    before = dict(Shooting.objects.values_list("pk", "cluster_id"))

    linking.relink(clustered)

    assert dict(Shooting.objects.values_list("pk", "cluster_id")) == before


def test_the_detail_benchmark_case_is_made_once_with_its_notes():
    call_command("seed_bulk", shootings=10, notes_per_case=2, heavy_notes=200, verbosity=0)
    call_command("seed_bulk", shootings=10, notes_per_case=2, heavy_notes=200, verbosity=0)

    heavy = Shooting.objects.get(report_number=bulk.HEAVY_REPORT_NUMBER)
    assert heavy.notes.count() == 200
    assert Shooting.objects.count() == 21
    assert Shooting.objects.values("report_number").distinct().count() == 21


def test_seed_bulk_refuses_a_database_holding_real_cases_unless_forced(investigator):
    make_shooting(investigator)

    with pytest.raises(CommandError, match="not bulk data"):
        call_command("seed_bulk", shootings=5, notes_per_case=1, verbosity=0)
    assert not Shooting.objects.filter(report_number__startswith="BK").exists()

    call_command("seed_bulk", shootings=5, notes_per_case=1, heavy_notes=0, force=True, verbosity=0)
    assert Shooting.objects.filter(report_number__startswith="BK").count() == 5


def test_bulk_data_never_touches_real_rows_and_delete_removes_only_bulk_rows(investigator, atf_agent):
    real = make_shooting(investigator)
    services.add_note(real, atf_agent, Note.Kind.FIREARM, {"serial_number": "", "nibin_leads": ["RB-26-0001"]})
    other = make_shooting(investigator)
    services.add_note(other, atf_agent, Note.Kind.FIREARM, {"serial_number": "", "nibin_leads": ["RB-26-0001"]})
    services.add_note(real, investigator, Note.Kind.SUSPECT, {"name": "Rowan Quillfeather", "aliases": ""})
    before = _real_rows()

    call_command("seed_bulk", shootings=80, notes_per_case=4, force=True, verbosity=0)
    assert _real_rows() == before
    assert Shooting.objects.filter(report_number__startswith="BK").count() == 81

    call_command("seed_bulk", delete=True, verbosity=0)
    assert _real_rows() == before
    assert not Shooting.objects.filter(report_number__startswith="BK").exists()
    assert Note.objects.count() == 3
    assert not User.objects.filter(username__startswith="bk_").exists()
    assert not Agency.objects.filter(code__startswith="bk-").exists()
    assert not NibinLead.objects.filter(number__startswith="BK-").exists()


@pytest.mark.parametrize("option", [{"shootings": -1}, {"batch": 0}, {"years": 0}])
def test_seed_bulk_rejects_impossible_sizes(option):
    with pytest.raises(CommandError, match="must be at least"):
        call_command("seed_bulk", verbosity=0, **option)


def test_seed_bulk_leaves_the_planner_knowing_how_big_the_tables_are():
    from django.db import connection

    call_command("seed_bulk", shootings=120, notes_per_case=3, heavy_notes=0, verbosity=0)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Note._meta.db_table])
            assert cursor.fetchone()[0] >= 360
        else:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [Note._meta.db_table])
            assert int(cursor.fetchone()[0].split()[0]) >= 360  # "rows [rows per key…]"


def _people_summary() -> list:
    return list(PersonRole.objects.order_by("pk").values_list("person__name", "kind", "shooting__report_number"))


def test_bulk_victims_suspects_and_witnesses_are_people_some_of_them_in_several_shootings():
    started = time.monotonic()
    bulk.create_bulk_data(600, 6, heavy_notes=0)
    assert time.monotonic() - started < 60

    # Every victim and every suspect or witness note is someone, under the name the record gives.
    assert PersonRole.objects.filter(kind="victim").count() == Victim.objects.count()
    named_notes = Note.objects.filter(kind__in=["suspect", "witness"])
    assert PersonRole.objects.exclude(kind="victim").count() == named_notes.count()
    for role in PersonRole.objects.select_related("victim", "note")[:300]:
        source = role.victim.name if role.victim_id else role.note.fields["name"]
        assert role.name == source
        assert role.search_text == services_search_text(role.name, role.aliases)
    # Linked conservatively: the roles of one person always carry that person's exact name.
    names_per_person = PersonRole.objects.values("person").annotate(n=Count("name", distinct=True))
    assert not names_per_person.filter(n__gt=1).exists()
    # Most people appear once; some victims come back as suspects and witnesses elsewhere.
    per_person = dict(PersonRole.objects.values_list("person").annotate(n=Count("pk")))
    assert sum(1 for n in per_person.values() if n == 1) > 0.8 * len(per_person)
    kinds_of = {}
    for person_id, kind, shooting_id in PersonRole.objects.values_list("person_id", "kind", "shooting_id"):
        kinds_of.setdefault(person_id, set()).add((kind, shooting_id))
    victim_then_suspect = [
        p
        for p, roles in kinds_of.items()
        if {k for k, _ in roles} >= {"victim", "suspect"} and len({s for _, s in roles}) > 1
    ]
    victim_then_witness = [p for p, roles in kinds_of.items() if {k for k, _ in roles} >= {"victim", "witness"}]
    assert len(victim_then_suspect) >= 3
    assert len(victim_then_witness) >= 1
    # A few people are at the centre of many shootings (the person-page benchmark opens one).
    heavy = sorted(per_person.values(), reverse=True)[:5]
    assert all(n >= 40 for n in heavy), heavy


def test_bulk_people_are_the_same_on_every_run_with_the_same_seed():
    bulk.create_bulk_data(150, 4, heavy_notes=0)
    first = _people_summary()
    bulk.delete_bulk_data()
    assert not Person.objects.exists()
    assert not PersonRole.objects.exists()

    bulk.create_bulk_data(150, 4, heavy_notes=0)
    assert _people_summary() == first
