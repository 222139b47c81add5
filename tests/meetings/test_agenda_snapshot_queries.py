"""On PostgreSQL an agenda's snapshot passes its cases' ids to each query as one array parameter,
so the text of every query it sends is the same whatever the number of cases: the driver's parsing
of an `IN (%s, %s, …)` grew with every case of an agenda of hundreds."""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import Note
from meetings.agenda.snapshot import snapshot_items
from meetings.models import AgendaItem

from .agenda_helpers import case_at, local, meeting_at, note_at, witness

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the array parameter is PostgreSQL's"),
]


def sent(meeting, items) -> tuple[list[str], dict]:
    """The query texts `snapshot_items` sends, as given to the driver, and what it returns."""
    texts: list[str] = []

    def record(execute, sql, params, many, context):
        texts.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        snaps = snapshot_items(meeting, items)
    return texts, snaps


def test_the_snapshot_sends_the_same_queries_for_two_cases_or_six(investigator, coordinator):
    meeting = meeting_at(local(2026, 2, 11, 9, 0))
    items = []
    for n in range(6):
        case = case_at(investigator, local(2026, 2, 1 + n, 22, 0))
        note_at(local(2026, 2, 8, 12, 0), case, investigator, Note.Kind.WITNESS, witness())
        items.append(AgendaItem.objects.create(meeting=meeting, shooting=case, position=n))

    two, first_snaps = sent(meeting, items[:2])
    six, all_snaps = sent(meeting, items)

    assert two == six
    # The same rows, found through the array: each case's own content, whatever else is asked.
    for item in items[:2]:
        assert first_snaps[item.pk] == all_snaps[item.pk]
        assert first_snaps[item.pk]["shooting"]["id"] == item.shooting_id
        assert [v["name"] for v in first_snaps[item.pk]["victims"]] == [
            v.name for v in item.shooting.victims.order_by("id")
        ]
