"""Every write about people: a record's role made when a victim or note is saved, a match
confirmed or rejected, a link undone, two records merged and the merge undone. Each decision is
kept as a PersonChange with who and when; the request's audit row says the same (the views
annotate it)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..models import Note, Person, PersonChange, PersonRole, Shooting, Victim
from .matching import exact_match, search_text

NOTE_ROLES = {Note.Kind.SUSPECT: PersonRole.Kind.SUSPECT, Note.Kind.WITNESS: PersonRole.Kind.WITNESS}


def _by(user: User | None) -> dict:
    return {"changed_by": user, "changed_by_name": (user.get_full_name() or user.username) if user else ""}


def _victim_values(victim: Victim) -> dict:
    return {
        "name": victim.name,
        "aliases": "",
        "date_of_birth": None,
        "approximate_age": victim.age,
        "search_text": search_text(victim.name),
    }


def _note_values(note: Note) -> dict:
    fields = note.fields or {}
    name, aliases = (fields.get("name") or "")[:120], (fields.get("aliases") or "")[:200]
    return {
        "name": name,
        "aliases": aliases,
        "date_of_birth": fields.get("date_of_birth") or None,
        "approximate_age": fields.get("approximate_age"),
        "search_text": search_text(name, aliases),
    }


def _new_person(values: dict, sex: str = Person.Sex.UNKNOWN) -> Person:
    return Person.objects.create(
        name=values["name"],
        aliases=values["aliases"],
        date_of_birth=values["date_of_birth"],
        approximate_age=values["approximate_age"],
        age_noted_on=timezone.localdate() if values["approximate_age"] is not None else None,
        sex=sex,
    )


def _attach(role: PersonRole, user: User | None, person: Person | None, sex: str) -> PersonRole:
    """Give the role the person confirmed by `user`, or a person of its own."""
    if person is None:
        role.person = _new_person(
            {k: getattr(role, k) for k in ("name", "aliases", "date_of_birth", "approximate_age")}, sex
        )
        role.save()
        PersonChange.objects.create(action=PersonChange.Action.CREATED, person=role.person, role=role, **_by(user))
    else:
        role.person = person
        role.save()
        PersonChange.objects.create(action=PersonChange.Action.CONFIRMED, person=person, role=role, **_by(user))
    return role


# The reason a link made by the conservative rule gives, on import.
LINKED_ON_IMPORT = "CSV import: the same name and date of birth as a person already recorded"


@transaction.atomic
def attach_victim(
    victim: Victim, user: User | None, person: Person | None = None, *, born: dt.date | None = None
) -> PersonRole:
    """The victim's person: the one `user` confirmed among the suggestions, or a new one.

    An import gives the date of birth (`born`, kept on the role, not the victim): a victim no one
    chose a person for then goes to the one person `user` may see recorded under exactly the same
    name and date of birth, the migration's conservative rule, and to a new person otherwise."""
    values = {**_victim_values(victim), "date_of_birth": born}
    role = PersonRole(kind=PersonRole.Kind.VICTIM, shooting_id=victim.shooting_id, victim=victim, **values)
    same = exact_match(victim.name, born, visible_to=user) if person is None and born else None
    if same is None:
        return _attach(role, user, person, victim.sex)
    role.person = same
    role.save()
    PersonChange.objects.create(
        action=PersonChange.Action.LINKED_ON_MIGRATION, person=same, role=role, reason=LINKED_ON_IMPORT, **_by(user)
    )
    return role


@transaction.atomic
def attach_note(note: Note, user: User | None, person: Person | None = None) -> PersonRole | None:
    """A suspect or witness note's person: the one `user` confirmed, or a new one."""
    kind = NOTE_ROLES.get(note.kind)
    values = _note_values(note)
    if kind is None or not values["name"]:
        return None
    role = PersonRole(kind=kind, shooting_id=note.shooting_id, note=note, **values)
    return _attach(role, user, person, Person.Sex.UNKNOWN)


def refresh_note_role(note: Note) -> None:
    """A revised note: its role says what the note now says; the person stays who they were."""
    PersonRole.objects.filter(note=note).update(**_note_values(note))


@transaction.atomic
def add_associate(
    shooting: Shooting, person: Person, user: User, description: str, *, name: str | None = None
) -> PersonRole:
    """The meeting records someone as connected to a shooting without a note of their own.

    With `name` (the name under which the recorder knows the person), the role says that name
    and nothing else: the record's own fields may come from a note restricted to another agency,
    and an associate is seen by all of law enforcement."""
    if name is not None:
        values = {"name": name[:120], "aliases": "", "date_of_birth": None, "approximate_age": None}
    else:
        values = {
            "name": person.name,
            "aliases": person.aliases,
            "date_of_birth": person.date_of_birth,
            "approximate_age": person.approximate_age,
        }
    role = PersonRole.objects.create(
        person=person,
        kind=PersonRole.Kind.ASSOCIATE,
        shooting=shooting,
        description=description[:300],
        search_text=search_text(values["name"], values["aliases"]),
        **values,
    )
    PersonChange.objects.create(action=PersonChange.Action.CONFIRMED, person=person, role=role, **_by(user))
    return role


class AlreadyAssociate(ValueError):
    """The person is recorded as an associate of this shooting already."""


@transaction.atomic
def record_associate(
    shooting: Shooting, user: User, description: str, *, person: Person | None = None, name: str = ""
) -> PersonRole:
    """An associate recorded from the case page: an existing person (known to the recorder as
    `name`) or, without `person`, a new one of that name. All of it or nothing."""
    # One recording at a time per case, so that two clicks cannot record the same person twice.
    Shooting.objects.select_for_update().only("pk").get(pk=shooting.pk)
    if (
        person is not None
        and PersonRole.objects.filter(shooting=shooting, person=person, kind=PersonRole.Kind.ASSOCIATE).exists()
    ):
        raise AlreadyAssociate("Already recorded as an associate of this case.")
    if person is None:
        person = _new_person({"name": name[:120], "aliases": "", "date_of_birth": None, "approximate_age": None})
        PersonChange.objects.create(action=PersonChange.Action.CREATED, person=person, **_by(user))
    return add_associate(shooting, person, user, description, name=name)


@transaction.atomic
def remove_associate(role: PersonRole, user: User, reason: str) -> PersonChange:
    """An associate recorded in error comes off the case. The role goes; the change keeps which
    case, how they were said to be connected, and why it was removed, with who and when."""
    role = PersonRole.objects.select_for_update().select_related("shooting").get(pk=role.pk)
    said = f"{role.shooting.report_number}, {role.description}" if role.description else role.shooting.report_number
    change = PersonChange.objects.create(
        action=PersonChange.Action.ASSOCIATE_REMOVED,
        person=role.person,
        reason=f"{said}: {reason}"[:500],
        **_by(user),
    )
    role.delete()
    return change


@transaction.atomic
def unlink_role(role: PersonRole, user: User, reason: str) -> Person:
    """A wrong link undone: the role goes to a person of its own, and the pair is not suggested
    again."""
    role = PersonRole.objects.select_for_update().get(pk=role.pk)
    old = role.person
    values = {k: getattr(role, k) for k in ("name", "aliases", "date_of_birth", "approximate_age")}
    role.person = _new_person(values)
    role.save(update_fields=["person"])
    by = _by(user)
    PersonChange.objects.create(
        action=PersonChange.Action.UNLINKED, person=old, other_person=role.person, role=role, reason=reason[:500], **by
    )
    PersonChange.objects.create(action=PersonChange.Action.REJECTED, person=old, other_person=role.person, **by)
    return role.person


@transaction.atomic
def reject_match(person: Person, other: Person, user: User) -> PersonChange:
    """Two records are not the same person: the suggestion is not offered again."""
    return PersonChange.objects.create(
        action=PersonChange.Action.REJECTED, person=person, other_person=other, **_by(user)
    )


@transaction.atomic
def merge_people(keep: Person, gone: Person, user: User, reason: str = "") -> PersonChange:
    """Every role of `gone` becomes `keep`'s; `gone` stays, pointing at `keep`, so that the
    merge can be undone with exactly the roles it moved."""
    if keep.pk == gone.pk:
        raise ValueError("A person cannot be merged with themselves.")
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, gone.pk])}
    if locked[keep.pk].merged_into_id or locked[gone.pk].merged_into_id:
        raise ValueError("One of the two records has been merged already.")
    moved = list(PersonRole.objects.filter(person=gone).values_list("pk", flat=True))
    PersonRole.objects.filter(pk__in=moved).update(person=keep)
    Person.objects.filter(pk=gone.pk).update(merged_into=keep)
    return PersonChange.objects.create(
        action=PersonChange.Action.MERGED,
        person=keep,
        other_person=gone,
        moved_role_ids=moved,
        reason=reason[:500],
        **_by(user),
    )


@transaction.atomic
def undo_merge(gone: Person, user: User, reason: str = "") -> Person:
    """The roles the merge moved (those still on the kept record) go back to `gone`."""
    gone = Person.objects.select_for_update().get(pk=gone.pk)
    keep_id = gone.merged_into_id
    if keep_id is None:
        raise ValueError("This record is not merged.")
    merge = (
        PersonChange.objects.select_for_update()
        .filter(action=PersonChange.Action.MERGED, person_id=keep_id, other_person=gone, undone_at__isnull=True)
        .first()
    )
    moved = merge.moved_role_ids if merge else []
    PersonRole.objects.filter(pk__in=moved, person_id=keep_id).update(person=gone)
    Person.objects.filter(pk=gone.pk).update(merged_into=None)
    if merge:
        PersonChange.objects.filter(pk=merge.pk).update(undone_at=timezone.now())
    PersonChange.objects.create(
        action=PersonChange.Action.MERGE_UNDONE,
        person_id=keep_id,
        other_person=gone,
        moved_role_ids=moved,
        reason=reason[:500],
        **_by(user),
    )
    gone.merged_into = None
    return gone
