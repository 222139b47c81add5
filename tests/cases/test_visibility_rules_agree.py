"""The need-to-know rule exists as a query filter and as a plain function (for snapshots and
printed packets); they must never disagree."""

from __future__ import annotations

import itertools

import pytest

from cases import access, services
from cases.models import Note
from tests.factories import make_shooting

pytestmark = pytest.mark.django_db


def test_query_filter_and_function_agree_for_every_role_kind_and_restriction(
    investigator, atf_agent, prosecutor, advocate, coordinator, supervisor, outsider
):
    people = [investigator, atf_agent, prosecutor, advocate, coordinator, supervisor, outsider]
    shooting = make_shooting()
    notes = []
    for author, kind, restricted in itertools.product(people, Note.Kind.values, [False, True]):
        notes.append(services.add_note(shooting, author, kind, {"text": "x", "name": "n"}, restricted=restricted))
    for viewer in people:
        by_query = set(access.notes_visible_to(viewer).values_list("pk", flat=True))
        by_function = {
            n.pk
            for n in notes
            if access.note_is_visible(
                viewer,
                kind=n.kind,
                author_agency_id=n.author_agency_id,
                author_agency_kind=n.author_agency.kind,
                restricted=n.restricted_to_agency,
            )
        }
        assert by_query == by_function, viewer.username
