"""The source-stamp triggers of migration 0006 on people and their roles, whose overlaps with
other shootings live agendas now show (cases.people.overlaps)."""

from importlib import import_module

from django.db import migrations

# The trigger statements are those 0008 put on the cases' change history.
stamp = import_module("meetings.migrations.0008_stamp_shooting_changes")

SOURCES = [("cases", "Person"), ("cases", "PersonRole")]


def _tables(apps) -> list[str]:
    return [apps.get_model(app, model)._meta.db_table for app, model in SOURCES]


def create_triggers(apps, schema_editor) -> None:
    for table in _tables(apps):
        stamp.create_stamp_triggers(schema_editor, table)


def drop_triggers(apps, schema_editor) -> None:
    for table in _tables(apps):
        stamp.drop_stamp_triggers(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_link_people"),
        ("meetings", "0010_nibin_lead_work"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
