"""Case list (first page, default order), search (a victim-name fragment, a report-number
fragment) and the detail of a case with 200 notes, against the bulk data set. Target: a median
under 50 ms each. A report, not a pass/fail check."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from benchmarks.conftest import time_requests
from cases.kept_pages import forget_kept_pages
from cases.models import Shooting, Victim
from demo import bulk

from .conftest import TARGETS

pytestmark = pytest.mark.django_db

TARGET_MS = 50


@pytest.fixture
def sample_case(bulk_data) -> Shooting:
    """A case from the middle of the set, with a victim: its report number and the victim's
    surname are the search fragments."""
    middle = bulk.bulk_shootings().order_by("-pk").values_list("pk", flat=True)[bulk_data["shootings"] // 2]
    victim = Victim.objects.filter(shooting_id__gte=middle, shooting__report_number__startswith="BK").order_by("pk")
    return victim.select_related("shooting").first().shooting


def _time(client, url: str, bench_report, name: str) -> None:
    """The page as its viewer sees it again (kept, cases.kept_pages), and drawn afresh."""
    for label, before_each in [(name, lambda: None), (f"{name}, drawn", forget_kept_pages)]:
        seconds, query_count, size = time_requests(client, url, before_each=before_each)
        bench_report(label, seconds, query_count, size)
        ordered = sorted(seconds)
        median, p95 = ordered[len(ordered) // 2], ordered[max(0, round(0.95 * len(ordered)) - 1)]
        TARGETS.append((label, median * 1000, p95 * 1000, TARGET_MS))


def test_case_list_first_page(investigator_client, bulk_data, bench_report):
    _time(investigator_client, reverse("cases:list"), bench_report, f"case list, {bulk_data['shootings']:,} cases")


def test_search_by_victim_name_fragment(investigator_client, sample_case, bench_report):
    surname = sample_case.victims.first().name.split()[-1].lower()
    url = f"{reverse('cases:list')}?{urlencode({'q': surname})}"
    _time(investigator_client, url, bench_report, f"search, victim name '{surname}'")


def test_search_by_report_number_fragment(investigator_client, sample_case, bench_report):
    fragment = sample_case.report_number[-6:]
    url = f"{reverse('cases:list')}?{urlencode({'q': fragment})}"
    _time(investigator_client, url, bench_report, f"search, report number '{fragment}'")


def test_case_detail_with_200_notes(investigator_client, bulk_data, bench_report):
    heavy = Shooting.objects.get(report_number=bulk.HEAVY_REPORT_NUMBER)
    notes = heavy.notes.count()
    _time(investigator_client, reverse("cases:detail", args=[heavy.pk]), bench_report, f"case detail, {notes} notes")
