"""The README's promise "one audit row per request of a signed-in person", checked request by
request: every URL of the project, as a page and as an htmx fragment (`HX-Request`), whatever the
page answered (200, a redirect, 403, 404 or 405), leaves exactly one row naming the person, and
the fragment's row says it was one. The URL sweep asks for fragments only of pages that answered
200 and counts rows only for refusals; this module counts them for everything."""

from __future__ import annotations

import pytest

from accounts.middleware import SELF_AUDITED
from accounts.models import AuditEvent
from cases import services
from cases.models import Note
from tests.factories import make_shooting
from tests.security import sweep_data
from tests.security.sweep_data import ADVOCATE, COORDINATOR, HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with sweep_data.seeded(django_db_blocker) as world:
        yield world


def rows_written_by(fn) -> list[AuditEvent]:
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    fn()
    return list(AuditEvent.objects.filter(id__gt=before).order_by("id"))


def test_a_fragment_of_a_case_writes_one_row_saying_who_saw_which_case(client_for, investigator):
    shooting = make_shooting()
    client = client_for(investigator)

    rows = rows_written_by(lambda: client.get(f"/cases/{shooting.pk}/", headers=HTMX))

    assert len(rows) == 1
    [row] = rows
    assert row.actor_id == investigator.pk and row.actor_username == investigator.username
    assert (row.event, row.object_type, row.object_id, row.case_id) == (
        "cases:detail.view",
        "shooting",
        str(shooting.pk),
        shooting.pk,
    )
    assert row.outcome == AuditEvent.Outcome.SUCCESS
    assert row.detail["htmx"] is True and row.detail["status"] == 200


def test_a_refused_fragment_writes_one_refusal_row(client_for, advocate, investigator):
    shooting = make_shooting()
    note = services.add_note(shooting, investigator, Note.Kind.SUSPECT, {"name": "Thaddeus Vantwerp"})
    client = client_for(advocate)

    rows = rows_written_by(lambda: client.get(f"/cases/notes/{note.pk}/revisions/", headers=HTMX))

    assert [(r.actor_id, r.outcome, r.object_type, r.object_id) for r in rows] == [
        (advocate.pk, AuditEvent.Outcome.REFUSED, "note", str(note.pk))
    ]
    assert rows[0].detail["htmx"] is True


def test_a_fragment_that_changes_something_writes_one_row_with_the_change(client_for, investigator):
    shooting = make_shooting()
    client = client_for(investigator)

    rows = rows_written_by(
        lambda: client.post(
            f"/cases/{shooting.pk}/notes/add/general/",
            {"text": "Canvass of the block finished.", "follow_up_contact": ""},
            headers=HTMX,
        )
    )

    assert Note.objects.filter(shooting=shooting, kind=Note.Kind.GENERAL).exists()
    assert len(rows) == 1
    [row] = rows
    assert row.actor_id == investigator.pk and row.case_id == shooting.pk
    assert row.detail["method"] == "POST" and row.detail["htmx"] is True


@pytest.mark.parametrize("persona", [COORDINATOR, ADVOCATE])
def test_every_url_as_page_and_as_fragment_writes_exactly_one_row(persona, world, client):
    user = world.users[persona]
    client.force_login(user)
    wrong: list[tuple[str, str, int, list]] = []
    statuses: set[int] = set()
    fragments = 0
    for route in sweep_data.all_routes():
        if route.name in SELF_AUDITED:
            # Sign-in, sign-out and the second factor write their own events (login.success,
            # logout, mfa.*) where the event happens; the request row would double them.
            continue
        # PDFs cost a second each to draw; one URL of each is enough to count rows.
        urls = sweep_data.urls_for(route, world, persona, queries=False)
        if route.name in sweep_data.PDF_ROUTES:
            urls = urls[:1]
        for url in urls:
            for how, headers in (("page", {}), ("htmx", HTMX)):
                response = None

                def get(url=url, headers=headers):
                    nonlocal response
                    response = client.get(url, headers=headers)

                rows = rows_written_by(get)
                statuses.add(response.status_code)
                fragments += how == "htmx"
                summary = [(r.actor_id, r.event, r.outcome, r.detail.get("htmx", False)) for r in rows]
                if (
                    len(rows) != 1
                    or rows[0].actor_id != user.pk
                    or rows[0].detail.get("htmx", False) != (how == "htmx")
                ):
                    wrong.append((how, url, response.status_code, summary))
    assert not wrong, f"requests of {persona} without exactly one audit row of theirs: {wrong}"
    # Not only pages that answered 200: refusals and redirects were asked for as fragments too.
    assert {200, 404} <= statuses and fragments > 100
