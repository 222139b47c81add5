"""Today's victims, suspect notes and witness notes become people, linked conservatively.

Two records are taken for the same person only when their names are the same (ignoring case and
spacing) and both give the same date of birth; everything else gets a person of its own, and the
likely matches among them are offered as suggestions (cases/people/matching.py) for someone to
confirm or reject. Victims carry no date of birth, so no victim is linked to anyone here.

Also the trigram index the person search and the suggestions use (PostgreSQL only, as in 0002).
"""

import re

from django.db import migrations


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", (name or "").strip()).lower()


def link_people(apps, schema_editor) -> None:
    Person = apps.get_model("cases", "Person")
    PersonRole = apps.get_model("cases", "PersonRole")
    PersonChange = apps.get_model("cases", "PersonChange")
    Victim = apps.get_model("cases", "Victim")
    Note = apps.get_model("cases", "Note")

    for victim in Victim.objects.filter(person_role__isnull=True).order_by("pk").iterator():
        person = Person.objects.create(
            name=victim.name,
            approximate_age=victim.age,
            age_noted_on=victim.created_at.date() if victim.age is not None else None,
            sex=victim.sex,
        )
        PersonRole.objects.create(
            person=person,
            kind="victim",
            shooting_id=victim.shooting_id,
            victim=victim,
            name=victim.name,
            approximate_age=victim.age,
            search_text=_key(victim.name)[:330],
            created_at=victim.created_at,
        )

    by_name_and_birth: dict[tuple[str, str], object] = {}
    notes = Note.objects.filter(kind__in=["suspect", "witness"], person_role__isnull=True).order_by("pk")
    for note in notes.iterator():
        fields = note.fields or {}
        name = (fields.get("name") or "").strip()
        if not name:
            continue
        born = fields.get("date_of_birth") or None
        key = (_key(name), born)
        person = by_name_and_birth.get(key) if born else None
        linked = person is not None
        aliases = (fields.get("aliases") or "")[:200]
        if person is None:
            person = Person.objects.create(
                name=name[:120],
                aliases=aliases,
                date_of_birth=born,
                approximate_age=fields.get("approximate_age"),
                age_noted_on=note.created_at.date() if fields.get("approximate_age") is not None else None,
            )
            if born:
                by_name_and_birth[key] = person
        role = PersonRole.objects.create(
            person=person,
            kind=note.kind,
            shooting_id=note.shooting_id,
            note=note,
            name=name[:120],
            aliases=aliases,
            date_of_birth=born,
            approximate_age=fields.get("approximate_age"),
            search_text=_key(f"{name} {aliases}")[:330],
            created_at=note.created_at,
        )
        if linked:
            PersonChange.objects.create(action="migrated", person=person, role=role, changed_by_name="(migration)")


def unlink_people(apps, schema_editor) -> None:
    apps.get_model("cases", "PersonChange").objects.all().delete()
    apps.get_model("cases", "PersonRole").objects.all().delete()
    apps.get_model("cases", "Person").objects.all().delete()


def create_trigram_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS personrole_search_trgm_idx ON cases_personrole USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS personrole_search_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_people")]

    operations = [
        migrations.RunPython(link_people, unlink_people),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
