"""The case list and its CSV export show many cases' facts and victims: the request's one audit
row lists every case it showed, so "who has seen this case" names whoever listed or exported it."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db


def test_a_page_of_the_case_list_records_each_case_on_it(client_for, advocate, supervisor):
    east = [make_shooting(division="East") for _ in range(3)]
    west = make_shooting(division="Metro")

    assert client_for(advocate).get("/cases/", {"division": "East"}).status_code == 200

    row = AuditEvent.objects.filter(actor_id=advocate.pk, event="cases:list.view").get()
    assert set(row.shown_cases.values_list("case_id", flat=True)) == {s.pk for s in east}
    page = client_for(supervisor).get(reverse("case_viewers", args=[east[0].pk])).content.decode()
    assert "Jordan Kessley" in page and "case list" in page
    page = client_for(supervisor).get(reverse("case_viewers", args=[west.pk])).content.decode()
    assert "Jordan Kessley" not in page


def test_an_export_records_exactly_the_cases_in_the_file(client_for, investigator):
    cases = [make_shooting(division="North") for _ in range(4)]
    make_shooting(division="South")

    response = client_for(investigator).get("/cases/export.csv", {"division": "North"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")

    numbers = {line["Report number"] for line in csv.DictReader(io.StringIO(body))}
    assert numbers == {s.report_number for s in cases}
    row = AuditEvent.objects.filter(actor_id=investigator.pk, event="cases:export.view").get()
    assert set(row.shown_cases.values_list("case_id", flat=True)) == {s.pk for s in cases}
