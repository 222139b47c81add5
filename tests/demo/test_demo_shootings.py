"""`seed_demo` gives the app ten weeks of fictional shootings that show every feature, and three
years and more of plain history before them that the cover compares this year with."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from cases import linking
from cases.indicators import TRAFFICKING_TIME_TO_CRIME_DAYS
from cases.models import LinkKey, NibinLead, Note, NoteRevision, Shooting, ShootingChange, Victim
from demo import history
from demo import shootings as demo
from meetings.cover.stats import compute_cover
from meetings.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at its end: each test runs in
    a savepoint within it (the `db` fixture), so what one test writes the next never sees."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def _snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in [User, Shooting, Victim, Note, NoteRevision, NibinLead, LinkKey, ShootingChange]
    ]


def test_running_seed_demo_twice_adds_and_changes_nothing(seeded):
    first = _snapshot()
    call_command("seed_demo", verbosity=0)
    assert _snapshot() == first


def detailed():
    """The forty detailed cases, without the history before them."""
    return Shooting.objects.filter(
        pk__in=[s.pk for s in Shooting.objects.all() if not history.is_history(s.report_number)]
    )


def test_seed_demo_adds_forty_shootings_over_the_last_ten_weeks(seeded):
    now = timezone.now()
    shootings = list(detailed())
    assert len(shootings) == 40
    assert all(now - timedelta(days=71) < s.occurred_from < now for s in shootings)
    assert all(s.report_number.startswith("RB") and len(s.report_number) == 10 for s in shootings)
    assert {s.division for s in shootings} >= {"Central", "East", "Metro", "South", "North", "Shoal Creek"}
    assert all(s.search_text and s.last_activity_at for s in shootings)


def test_demo_cases_cover_statuses_counting_states_and_flags(seeded):
    statuses = Counter(detailed().values_list("status", flat=True))
    assert set(statuses) == set(Shooting.Status.values)
    assert not Shooting.objects.filter(status__startswith="cleared", cleared_on__isnull=True).exists()
    counting = Counter(detailed().values_list("counting", flat=True))
    assert counting[Shooting.Counting.HOLD] == 1
    assert counting[Shooting.Counting.UNFOUNDED] == 1
    for flag in ["is_retaliation_risk", "is_domestic_violence", "is_group_involved", "is_juvenile_involved"]:
        assert detailed().filter(**{flag: True}).count() >= 3, flag
    assert Shooting.objects.exclude(charges_filed="").filter(referred_to="both").exists()
    assert Shooting.objects.exclude(custody_status="").exclude(disposition="").count() >= 5


def test_demo_victims_include_juveniles_deaths_and_referral_statuses(seeded):
    assert Victim.objects.filter(is_juvenile=True, age__isnull=True).count() >= 3
    fatal = Victim.objects.filter(injury=Victim.Injury.FATAL)
    assert fatal.count() >= 8 and not fatal.filter(died_on__isnull=True).exists()
    assert set(Victim.objects.values_list("referral_status", flat=True)) == set(Victim.Referral.values)
    # A victim who died days later turned a non-fatal shooting into a homicide, with history.
    change = ShootingChange.objects.get(changes__has_key="kind")
    assert change.changes["kind"] == ["Non-fatal injury shooting", "Homicide"]
    assert change.shooting.kind == Shooting.Kind.HOMICIDE


def test_lead_investigators_are_the_demo_investigator_and_fictional_colleagues(seeded):
    leads = Shooting.objects.exclude(lead_investigator=None).values_list("lead_investigator__username", flat=True)
    assert set(leads) == {"investigator", "det_fenwright", "det_oakhollow", "det_brackwater"}
    assert set(User.objects.filter(username__startswith="det_").values_list("agency__code", flat=True)) == {"RBPD"}
    assert Shooting.objects.filter(lead_investigator=None).exists()


def test_notes_of_every_kind_are_written_by_every_partner(seeded):
    assert set(Note.objects.values_list("kind", flat=True)) == set(Note.Kind.values)
    authors = set(Note.objects.values_list("author__username", flat=True))
    assert authors >= {"investigator", "atf", "prosecutor", "advocate", "coordinator", "supervisor"}
    assert set(Note.objects.filter(kind=Note.Kind.VICTIM_SERVICES).values_list("author__username", flat=True)) == {
        "advocate"
    }
    witnesses = Note.objects.filter(kind=Note.Kind.WITNESS)
    assert witnesses.filter(fields__intimidation_concern=True).count() >= 3
    assert witnesses.filter(fields__relocation_requested=True).count() >= 2
    times_to_crime = [n.fields["time_to_crime_days"] for n in Note.objects.filter(kind=Note.Kind.FIREARM)]
    assert any(days is not None and days <= TRAFFICKING_TIME_TO_CRIME_DAYS for days in times_to_crime)
    assert any(days is not None and days > TRAFFICKING_TIME_TO_CRIME_DAYS for days in times_to_crime)


def test_some_notes_are_restricted_one_revised_and_one_retracted(seeded):
    restricted = Note.objects.filter(restricted_to_agency=True)
    assert set(restricted.values_list("author_agency__code", flat=True)) == {"RBPD", "ATF-RB"}
    revised = Note.objects.get(revision_number=2)
    first, second = revised.revisions.order_by("number")
    assert (first.fields["status"], second.fields["status"]) == ("person_of_interest", "charged")
    assert second.created_at > first.created_at
    retracted = Note.objects.get(retracted_at__isnull=False)
    assert retracted.retraction_reason.startswith("Entered on the wrong case")


def test_nibin_clusters_of_three_and_four_and_a_serial_link(seeded):
    clusters: dict[int, list[int]] = {}
    for pk, cluster in Shooting.objects.exclude(cluster_id=None).values_list("pk", "cluster_id"):
        clusters.setdefault(cluster, []).append(pk)
    assert sorted(len(members) for members in clusters.values()) == [2, 3, 4]
    assert all(cluster == min(members) for cluster, members in clusters.items())
    hit = NibinLead.objects.get(number=demo.HIT_LEAD)
    assert hit.status == NibinLead.Status.HIT and hit.turnaround_hours <= 48
    assert {s.pk for s in linking.shootings_for_lead(hit)} in [set(m) for m in clusters.values()]
    late = NibinLead.objects.get(number=demo.LATE_LEAD)
    assert late.status == NibinLead.Status.LEAD and late.turnaround_hours > 48
    serial_holders = LinkKey.objects.filter(kind=LinkKey.Kind.SERIAL, value=demo.SHARED_SERIAL)
    pair = set(serial_holders.values_list("shooting_id", flat=True))
    assert pair in [set(m) for m in clusters.values()]


def test_the_timeline_reads_like_ten_weeks_of_work_not_one_seed_run(seeded):
    now = timezone.now()
    notes = Note.objects.select_related("shooting")
    assert all(n.shooting.occurred_from < n.created_at <= now for n in notes)
    assert notes.filter(created_at__lt=now - timedelta(days=30)).count() > 30
    for shooting in detailed().prefetch_related("notes"):
        assert shooting.last_activity_at >= max(n.created_at for n in shooting.notes.all())
        assert shooting.created_at < now - timedelta(hours=1)


def test_every_person_named_in_the_demo_comes_from_the_invented_name_lists(seeded):
    names = list(Victim.objects.values_list("name", flat=True))
    for note in Note.objects.filter(kind__in=[Note.Kind.SUSPECT, Note.Kind.WITNESS]):
        names.append(note.fields["name"])
    names += [n.fields["purchaser"] for n in Note.objects.filter(kind=Note.Kind.FIREARM) if n.fields["purchaser"]]
    assert len(names) > 60
    for name in names:
        first, last = name.split(" ", 1)
        assert first in demo.FIRST_NAMES and last in demo.LAST_NAMES, name


def test_history_runs_from_new_year_three_years_back_to_the_detailed_cases(seeded):
    now = timezone.localtime()
    past = [s for s in Shooting.objects.all() if history.is_history(s.report_number)]
    first = min(timezone.localtime(s.occurred_from) for s in past)
    last = max(timezone.localtime(s.occurred_from) for s in past)
    assert (first.year, first.month) == (now.year - 3, 1)
    assert last < min(s.occurred_from for s in detailed())
    assert len(past) > 600
    victims = Victim.objects.filter(shooting__in=[s.pk for s in past])
    # A double homicide is there to be counted as two, and the wounded of a homicide too.
    doubles = Counter(victims.filter(injury=Victim.Injury.FATAL).values_list("shooting_id", flat=True))
    assert max(doubles.values()) == 2
    assert victims.filter(shooting__kind=Shooting.Kind.HOMICIDE, injury=Victim.Injury.NONFATAL).exists()
    assert {s.counting for s in past} == set(Shooting.Counting.values)
    assert all(s.search_text and s.created_at == s.reported_at for s in past)


def test_a_new_user_sees_real_comparisons_on_the_cover_not_n_a(seeded):
    upcoming = Meeting.objects.filter(status=Meeting.Status.SCHEDULED).order_by("starts_at").first()

    people = compute_cover(upcoming, User.objects.get(username="coordinator")).people

    for row in people.rows:
        assert all(count > 0 for count in row.counts), row
        assert row.change is not None, row
    assert people.highest_homicide_victims.year and people.highest_nonfatal_victims.year
    assert people.homicide_clearance.rate and people.nonfatal_clearance.rate
    # The years differ: the comparison says something.
    assert len({y.people_shot for y in people.years}) == 4


def test_history_is_the_same_for_the_same_day_and_written_in_a_few_bulk_inserts(seeded, django_assert_max_num_queries):
    now = timezone.localtime()
    assert list(history.plan_history(now)) == list(history.plan_history(now))
    users = {"coordinator": User.objects.get(username="coordinator")}
    past = [s.pk for s in Shooting.objects.all() if history.is_history(s.report_number)]
    Victim.objects.filter(shooting__in=past).delete()
    Shooting.objects.filter(pk__in=past).delete()

    # The report numbers, the lead investigators, a savepoint, then the cases, their victims and
    # the victims' people in batches: not one query a case. (On PostgreSQL about a dozen; SQLite
    # caps the parameters of one statement, so its batches are smaller and more.)
    batches = 16 if connection.vendor == "postgresql" else len(past) // 10
    with django_assert_max_num_queries(batches):
        added = history.seed_history(users)
    assert added == len(past)


def test_demo_cases_are_placed_in_their_division_on_the_map_and_two_are_not(seeded):
    shootings = list(detailed())
    placed = [s for s in shootings if s.latitude is not None and s.longitude is not None]
    assert len(placed) == len(shootings) - len(demo.UNPLACED)
    for shooting in placed:
        lat, lon = demo.DIVISION_CENTRES[shooting.division]
        assert abs(float(shooting.latitude) - lat) <= 0.02 and abs(float(shooting.longitude) - lon) <= 0.025
    history_cases = Shooting.objects.exclude(pk__in=[s.pk for s in shootings])
    assert history_cases.exists() and not history_cases.filter(latitude__isnull=True).exists()
