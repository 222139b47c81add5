"""The need-to-know rule exists as a query filter (lists, pages) and as a plain function (agenda
snapshots, printed packets); they must never disagree: not for the people at the table, nor for
everyone who may hold an account (every role, and none, in every kind of agency, and none, active
or disabled, and an administrator), on notes of every kind by authors of every kind of agency,
restricted or not, two advocacy agencies among them."""

from __future__ import annotations

import itertools

import pytest

from accounts.models import Agency, User
from cases import access, services
from cases.models import Note
from tests.factories import AgencyFactory, UserFactory, make_shooting

pytestmark = pytest.mark.django_db

AGENCY_KINDS = [*Agency.Kind.values, None]
ROLES = [*User.Role.values, ""]


def notes_of_every_kind(shooting, authors: list[User]) -> list[Note]:
    """A note of every kind by each author, restricted to their agency and not."""
    return [
        services.add_note(shooting, author, kind, {"text": "x", "name": "n"}, restricted=restricted)
        for author, kind, restricted in itertools.product(authors, Note.Kind.values, [False, True])
    ]


def seen_by_function(viewer: User, notes: list[Note]) -> set[int]:
    return {
        note.pk
        for note in notes
        if access.note_is_visible(
            viewer,
            kind=note.kind,
            author_agency_id=note.author_agency_id,
            author_agency_kind=note.author_agency.kind,
            restricted=note.restricted_to_agency,
        )
    }


def disagreements(viewers: list[User], notes: list[Note]) -> list[tuple[str, list[int]]]:
    """Each viewer for whom the query filter and the function differ, with the notes they differ on."""
    found = []
    for viewer in viewers:
        by_query = set(access.notes_visible_to(viewer).values_list("pk", flat=True))
        by_function = seen_by_function(viewer, notes)
        if by_query != by_function:
            found.append((viewer.username, sorted(by_query ^ by_function)))
    return found


def test_query_filter_and_function_agree_for_every_role_kind_and_restriction(
    investigator, atf_agent, prosecutor, advocate, coordinator, supervisor, outsider
):
    people = [investigator, atf_agent, prosecutor, advocate, coordinator, supervisor, outsider]
    notes = notes_of_every_kind(make_shooting(), people)

    assert not disagreements(people, notes)


def test_query_filter_and_function_agree_for_every_kind_of_account():
    agencies = {kind: AgencyFactory(code=f"VR-{kind}", kind=kind) for kind in Agency.Kind.values}
    second_advocacy = AgencyFactory(code="VR-advocacy-2", kind=Agency.Kind.VICTIM_ADVOCACY)
    authors = [
        UserFactory(username=f"vr_author_{agency.code}", agency=agency, role=User.Role.INVESTIGATOR)
        for agency in [*agencies.values(), second_advocacy]
    ]
    notes = notes_of_every_kind(make_shooting(), authors)
    viewers = [
        UserFactory(
            username=f"vr_{kind or 'none'}_{role or 'none'}_{active}",
            agency=agencies[kind] if kind else None,
            role=role,
            is_active=active,
        )
        for kind, role, active in itertools.product(AGENCY_KINDS, ROLES, [True, False])
    ]
    viewers += [
        UserFactory(username="vr_advocate_2", agency=second_advocacy, role=User.Role.VICTIM_ADVOCATE),
        UserFactory(username="vr_admin", agency=None, role="", is_superuser=True, is_staff=True),
    ]

    assert not disagreements(viewers, notes)
    # Not agreement on nothing: some notes are seen, and some by no one of these.
    seen_by_someone = set().union(*(seen_by_function(viewer, notes) for viewer in viewers))
    assert seen_by_someone and len(seen_by_someone) < len(notes)


@pytest.mark.parametrize(
    ("kind", "role", "active", "sees"),
    [
        (None, User.Role.INVESTIGATOR, True, False),  # no agency yet
        (Agency.Kind.POLICE, "", True, False),  # no role yet
        (Agency.Kind.POLICE, User.Role.INVESTIGATOR, False, False),  # disabled
        (Agency.Kind.OTHER, User.Role.COORDINATOR, True, "own general notes only"),
    ],
)
def test_people_outside_the_rules_see_no_note_of_another_agency(kind, role, active, sees):
    police = AgencyFactory(code="VR2-police", kind=Agency.Kind.POLICE)
    advocacy = AgencyFactory(code="VR2-advocacy", kind=Agency.Kind.VICTIM_ADVOCACY)
    own = AgencyFactory(code="VR2-own", kind=kind) if kind else None
    shooting = make_shooting()
    for agency in (police, advocacy):
        author = UserFactory(username=f"vr2_{agency.code}", agency=agency, role=User.Role.INVESTIGATOR)
        for note_kind in Note.Kind.values:
            services.add_note(shooting, author, note_kind, {"text": "x"})
    viewer = UserFactory(username="vr2_viewer", agency=own, role=role, is_active=active)
    if own is not None:
        colleague = UserFactory(username="vr2_colleague", agency=own, role=User.Role.INVESTIGATOR)
        mine = services.add_note(shooting, colleague, Note.Kind.GENERAL, {"text": "x"})

    visible = set(access.notes_visible_to(viewer).values_list("pk", flat=True))

    assert visible == ({mine.pk} if sees else set())


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (Agency.Kind.POLICE, User.Role.VICTIM_ADVOCATE),  # an advocate employed by the police
        (Agency.Kind.VICTIM_ADVOCACY, User.Role.INVESTIGATOR),  # a law-enforcement role at an advocacy agency
        (Agency.Kind.OTHER, User.Role.SUPERVISOR),
    ],
)
def test_investigative_detail_needs_both_a_law_enforcement_role_and_agency(client_for, kind, role):
    police = AgencyFactory(code="VR3-police", kind=Agency.Kind.POLICE)
    author = UserFactory(username="vr3_author", agency=police, role=User.Role.INVESTIGATOR)
    shooting = make_shooting(author)
    suspect = services.add_note(shooting, author, Note.Kind.SUSPECT, {"name": "Ambrose Kettleworth"})
    viewer = UserFactory(username="vr3_viewer", agency=AgencyFactory(code="VR3-own", kind=kind), role=role)

    assert not access.sees_investigative_detail(viewer)
    assert suspect not in access.notes_visible_to(viewer)
    response = client_for(viewer).get(f"/cases/{shooting.pk}/")
    assert "Kettleworth" not in response.content.decode()


@pytest.mark.parametrize(("with_agency", "role"), [(True, ""), (False, User.Role.INVESTIGATOR)])
def test_an_account_without_both_an_agency_and_a_role_sees_no_case(client_for, with_agency, role):
    shooting = make_shooting()
    agency = AgencyFactory(code="VR4-police", kind=Agency.Kind.POLICE) if with_agency else None
    person = UserFactory(username="vr4_person", agency=agency, role=role)

    assert not access.can_see_cases(person)
    assert client_for(person).get(f"/cases/{shooting.pk}/").status_code == 404
    assert shooting.report_number not in client_for(person).get("/cases/").content.decode()
