"""The agenda at scale: with 100,000 cases on file, building the agenda of a week with 100 new
shootings and 300 carried or updated cases (target: under 300 ms) and rendering its page
(target: under 200 ms). Reported in the `make bench` table; run on PostgreSQL for the figures
that matter. BENCH_AGENDA_CASES changes the number of cases on file."""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from cases import linking
from cases.lead_work import open_work
from cases.models import LinkKey, NibinLead, Note, Shooting, Victim
from meetings.agenda import services as agenda_services
from meetings.agenda.rules import plan_agenda
from meetings.models import ActionItem, AgendaItem, Meeting
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

CASES_ON_FILE = int(os.environ.get("BENCH_AGENDA_CASES", "100000"))
NEW = 100
CARRIED = 300
BUILD_TARGET_MS = 300
PAGE_TARGET_MS = 200
KINDS = [Shooting.Kind.HOMICIDE, Shooting.Kind.NONFATAL, Shooting.Kind.NONFATAL, Shooting.Kind.SHOTS_FIRED]


def _shootings(rows: list[dict]) -> list[Shooting]:
    return Shooting.objects.bulk_create([Shooting(**row) for row in rows], batch_size=5000)


@pytest.fixture
def busy_week(django_db_blocker):
    """Ten years of cases with a note each, a held meeting last week with 300 items, and this
    week: 100 new shootings (some linked by NIBIN to old cases), 150 open cases with new notes,
    100 marked "review again", 50 with an action item due, and a few retaliation-risk cases."""
    rng = random.Random(26)
    police = AgencyFactory(code="BPD", name="Bench Police Department", kind=Agency.Kind.POLICE)
    coordinator = UserFactory(username="bench_coord", agency=police, role=User.Role.COORDINATOR)
    investigator = UserFactory(username="bench_det", agency=police, role=User.Role.INVESTIGATOR)
    now = timezone.now().replace(microsecond=0)
    held = Meeting.objects.create(
        starts_at=now - timedelta(days=6),
        ends_at=now - timedelta(days=6) + timedelta(minutes=90),
        local_date=timezone.localtime(now - timedelta(days=6)).date(),
        cutoff_at=now - timedelta(days=7),
        place="Headquarters, room 4B",
        status=Meeting.Status.HELD,
    )
    meeting = Meeting.objects.create(
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, minutes=90),
        local_date=timezone.localtime(now + timedelta(days=1)).date(),
        # Notes and links written while the fixture runs fall inside the window.
        cutoff_at=now + timedelta(hours=1),
        place="Headquarters, room 4B",
    )

    old = _shootings(
        [
            {
                "report_number": f"BN{n:08d}",
                "kind": KINDS[n % 4],
                "occurred_from": now - timedelta(days=8 + rng.randint(0, 3650), minutes=n % 1440),
                "address": f"{n % 9000} E Bench St",
                "status": Shooting.Status.OPEN if n % 5 < 2 else Shooting.Status.CLEARED_ARREST,
                "is_retaliation_risk": n % 2500 == 0,
                "lead_investigator": investigator,
            }
            for n in range(CASES_ON_FILE)
        ]
    )
    Shooting.objects.update(created_at=F("occurred_from") + timedelta(hours=3))
    Note.objects.bulk_create(
        [
            Note(
                shooting=s,
                kind=Note.Kind.GENERAL,
                author=investigator,
                author_agency=police,
                fields={"text": "Canvass done."},
            )
            for s in old
        ],
        batch_size=5000,
    )
    Note.objects.update(
        created_at=Subquery(Shooting.objects.filter(pk=OuterRef("shooting_id")).values("occurred_from")[:1])
        + timedelta(days=1)
    )

    new = _shootings(
        [
            {
                "report_number": f"BW{n:06d}",
                "kind": KINDS[n % 4],
                "occurred_from": now - timedelta(days=6, hours=-n),
                "address": f"{n} W Bench Ave",
                "lead_investigator": investigator,
            }
            for n in range(NEW)
        ]
    )
    open_old = [s for s in old if s.status == Shooting.Status.OPEN]
    carried = rng.sample(open_old, CARRIED)
    noted, again, due = carried[:150], carried[150:250], carried[250:]
    Note.objects.bulk_create(
        [
            Note(
                shooting=s,
                kind=Note.Kind.WITNESS,
                author=investigator,
                author_agency=police,
                fields={"name": "Bench Witness", "intimidation_concern": True, "cooperation": "reluctant"},
            )
            for s in noted + new
        ]
    )
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=held, shooting=s, position=n, review_again=s in again) for n, s in enumerate(carried)]
    )
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                shooting=s,
                description="Bench follow-up",
                assignee=investigator,
                agency=police,
                due_on=timezone.localdate(),
                created_by=coordinator,
            )
            for s in due
        ]
    )
    Victim.objects.bulk_create([Victim(shooting=s, name=f"Bench Victim {s.pk}", age=25) for s in new + carried])
    # Thirty new shootings share a NIBIN lead with an old case: new links in the window.
    firearm_notes = Note.objects.bulk_create(
        [
            Note(
                shooting=s,
                kind=Note.Kind.FIREARM,
                author=investigator,
                author_agency=police,
                fields={"nibin_leads": [f"BL-{n:04d}"], "caliber": "9mm"},
            )
            for n, s in enumerate(new[:30] + rng.sample(old, 30))
        ]
    )
    NibinLead.objects.bulk_create([NibinLead(number=f"BL-{n:04d}") for n in range(30)])
    LinkKey.objects.bulk_create(
        [
            LinkKey(
                shooting_id=note.shooting_id, note=note, kind=LinkKey.Kind.NIBIN, value=note.fields["nibin_leads"][0]
            )
            for note in firearm_notes
        ]
    )
    # Each lead's work opens on its cases, as when the notes are written through the app.
    for note in firearm_notes:
        open_work(set(note.fields["nibin_leads"]), note.shooting_id)
    linking.relink({note.shooting_id for note in firearm_notes})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return meeting, coordinator


def test_building_the_agenda_of_a_busy_week(busy_week, bench_report):
    meeting, coordinator = busy_week
    with CaptureQueriesContext(connection) as queries:
        plan = plan_agenda(meeting)
    assert len(plan.items) >= NEW + CARRIED

    seconds = []
    for _ in range(10):
        start = time.perf_counter()
        plan_agenda(meeting)
        seconds.append(time.perf_counter() - start)
    bench_report(f"agenda rules, {len(plan.items)} items", seconds, len(queries), 0)

    start = time.perf_counter()
    agenda_services.build_agenda(meeting, coordinator)
    build = time.perf_counter() - start
    bench_report("agenda build (rules + writes)", [build], 0, 0)
    median = sorted(seconds)[len(seconds) // 2] * 1000
    verdict = "within" if median < BUILD_TARGET_MS else "OVER"
    print(f"\nagenda rules: median {median:.0f} ms, {verdict} the {BUILD_TARGET_MS} ms target")
    print(f"first build (rules and writes): {build * 1000:.0f} ms")


def _change_address(shooting_id: int, n: int) -> None:
    Shooting.objects.filter(pk=shooting_id).update(address=f"{n} W Changed Ave")


@pytest.mark.parametrize("persona", ["coordinator", "reader"])
def test_rendering_the_agenda_page_of_a_busy_week(client, busy_week, bench_report, persona):
    """The page while the agenda is live (built from the cases as they are now): seen again
    unchanged, and seen right after each of a run of changes to one of its cases (when its
    snapshots are built again); then on the meeting day, frozen (drawn from its snapshots)."""
    meeting, coordinator = busy_week
    agenda_services.build_agenda(meeting, coordinator)
    user = (
        coordinator
        if persona == "coordinator"
        else UserFactory(username="bench_reader", agency=coordinator.agency, role=User.Role.INVESTIGATOR)
    )
    client.force_login(user)
    url = reverse("meetings:detail", args=[meeting.pk])
    items = meeting.items.count()
    changed = meeting.items.filter(shooting__isnull=False).values_list("shooting_id", flat=True).first()
    for state in ["live", "live after a change", "frozen"]:
        if state == "frozen":
            meeting.refresh_from_db()
            agenda_services.freeze(meeting, coordinator, expected_version=meeting.agenda_version)
        changing = state == "live after a change"
        first = client.get(url)
        assert first.status_code == 200
        if changing:
            _change_address(changed, 0)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # Read now: every later request empties the connection's query log.
        query_count = len(queries.captured_queries)
        seconds = []
        for n in range(1, 11):
            if changing:
                _change_address(changed, n)
            start = time.perf_counter()
            client.get(url)
            seconds.append(time.perf_counter() - start)

        bench_report(f"agenda page, {items} items, {state}, {persona}", seconds, query_count, len(first.content))
        median = sorted(seconds)[len(seconds) // 2] * 1000
        verdict = "within" if median < PAGE_TARGET_MS else "OVER"
        print(f"\nagenda page ({state}, {persona}): median {median:.0f} ms, {verdict} the {PAGE_TARGET_MS} ms target")
