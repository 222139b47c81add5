"""Need-to-know for people (the README's "Who sees what", part people), on top of cases.access.

- Law enforcement and prosecutors: every role of a person whose source they may see: every
  victim and associate, a suspect or witness role only through a live note they may see (so a
  note restricted to its agency keeps its person-role inside that agency).
- Everyone else at the table, victim advocates first: a person only as a victim. The shootings in
  which the person was shot, under the names the victims were recorded with; never that the
  person was a suspect, witness or associate anywhere, never the record's own identity fields
  (they may come from a suspect note), and never the page of a person seen only in those roles.
- Linking, unlinking and rejecting matches, recording associates: law enforcement. Merging
  records: their supervisors.

Views get each person and role through an `access_*` lookup here, which answers what the viewer
may not have with `accounts.audit.refuse` (404, and the attempt on record).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.audit import refuse
from accounts.models import User

from ..access import access_shooting, can_see_cases, note_is_visible, note_visibility_q, sees_investigative_detail
from ..models import Person, PersonRole, Shooting


def sees_every_role(user) -> bool:
    return sees_investigative_detail(user)


def can_link_people(user) -> bool:
    """Confirm or reject a suggested match, undo a link: sworn law enforcement and prosecutors."""
    return sees_investigative_detail(user)


def can_record_associates(user) -> bool:
    """Who is connected to a shooting is investigative detail: law enforcement and prosecutors."""
    return can_link_people(user)


def can_merge_people(user) -> bool:
    return sees_investigative_detail(user) and user.role == User.Role.SUPERVISOR


def role_visibility_q(user) -> Q:
    """The filter for the person-roles `user` may see."""
    if not can_see_cases(user):
        return Q(pk__in=[])
    if not sees_every_role(user):
        return Q(kind=PersonRole.Kind.VICTIM)
    from_notes = Q(kind__in=[PersonRole.Kind.SUSPECT, PersonRole.Kind.WITNESS], note__retracted_at__isnull=True)
    # The note's own visibility rule, read through the role's join to its note: as a subquery
    # ("note in the visible notes") inside this OR, PostgreSQL would scan every note for each role.
    visible_note = through(note_visibility_q(user), "note")
    return Q(kind__in=[PersonRole.Kind.VICTIM, PersonRole.Kind.ASSOCIATE]) | (from_notes & visible_note)


def through(q: Q, relation: str) -> Q:
    """`q`, a filter on notes, as the same filter on rows that point at a note by `relation`."""
    children = [
        through(child, relation) if isinstance(child, Q) else (f"{relation}__{child[0]}", child[1])
        for child in q.children
    ]
    return Q(*children, _connector=q.connector, _negated=q.negated)


def role_is_visible(user, *, kind: str, note: dict | None) -> bool:
    """The same rule as role_visibility_q, for a live role held as data (an agenda snapshot, a
    printed packet): `note` is its suspect or witness note's kind, author agency id and kind, and
    restriction (None for a victim or an associate). Tests check that the two always agree."""
    if not can_see_cases(user):
        return False
    if not sees_every_role(user):
        return kind == PersonRole.Kind.VICTIM
    if kind in (PersonRole.Kind.VICTIM, PersonRole.Kind.ASSOCIATE):
        return True
    return note is not None and note_is_visible(
        user,
        kind=note["kind"],
        author_agency_id=note["author_agency_id"],
        author_agency_kind=note["author_agency_kind"],
        restricted=note["restricted"],
    )


def roles_visible_to(user, queryset: QuerySet | None = None) -> QuerySet[PersonRole]:
    """The roles `user` may see, of people not merged away."""
    queryset = queryset if queryset is not None else PersonRole.objects.all()
    return queryset.filter(role_visibility_q(user), person__merged_into__isnull=True)


def people_visible_to(user, queryset: QuerySet | None = None) -> QuerySet[Person]:
    """The people with at least one role `user` may see."""
    queryset = queryset if queryset is not None else Person.objects.all()
    return queryset.filter(merged_into__isnull=True, pk__in=roles_visible_to(user).values("person_id"))


# --- Permission-checked lookups: the object, or a refusal (404, audited) ----------------------


def access_person(user, pk, request=None) -> Person:
    person = people_visible_to(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if person is None:
        refuse(user, "person", pk, request)
    return person


def access_people_search(user, request=None) -> None:
    if not can_see_cases(user):
        refuse(user, "person search", "-", request)


def access_match_suggestions(user, request=None) -> None:
    """Suggestions name suspects and witnesses: only for those who may link people."""
    if not can_link_people(user):
        refuse(user, "person suggestions", "-", request)


def access_person_to_link(user, pk, request=None) -> Person:
    """A person `user` may link a record to (the match they confirm)."""
    person = access_person(user, pk, request)
    if not can_link_people(user):
        refuse(user, "person link", pk, request)
    return person


def access_shooting_for_associates(user, pk, request=None) -> Shooting:
    """A case to record an associate of."""
    shooting = access_shooting(user, pk, request)
    if not can_record_associates(user):
        refuse(user, "associate", pk, request)
    return shooting


def access_role_to_unlink(user, pk, request=None) -> PersonRole:
    role = (
        roles_visible_to(user).select_related("person", "shooting").filter(pk=pk).first()
        if can_link_people(user) and str(pk).isdigit()
        else None
    )
    if role is None:
        refuse(user, "person role", pk, request)
    return role


def access_associate_to_remove(user, pk, request=None) -> PersonRole:
    """An associate recorded by hand, for those who may record them: the only kind of role that
    is removed rather than moved (the others follow their victim row or note)."""
    role = (
        roles_visible_to(user)
        .select_related("person", "shooting")
        .filter(pk=pk, kind=PersonRole.Kind.ASSOCIATE)
        .first()
        if can_record_associates(user) and str(pk).isdigit()
        else None
    )
    if role is None:
        refuse(user, "associate", pk, request)
    return role


def access_person_to_merge(user, pk, request=None) -> Person:
    person = access_person(user, pk, request)
    if not can_merge_people(user):
        refuse(user, "person merge", pk, request)
    return person


def access_merge_to_undo(user, pk, request=None):
    """A merge in force whose surviving record `user` may see, for a supervisor."""
    from_person = (
        Person.objects.filter(pk=pk, merged_into__in=people_visible_to(user)).first()
        if can_merge_people(user) and str(pk).isdigit()
        else None
    )
    if from_person is None:
        refuse(user, "person merge", pk, request)
    return from_person
