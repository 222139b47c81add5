"""The source stamp (migration 0006) also follows the cases' partner agencies: the case page, kept
under the stamp (cases.kept_pages), shows them, and a change to them writes only their own
table when made on its own (`shooting.partner_agencies.add()`)."""

from importlib import import_module

from django.db import migrations

# The trigger statements are those 0008 put on the cases' change history.
stamp = import_module("meetings.migrations.0008_stamp_shooting_changes")

TABLE = "cases_shooting_partner_agencies"


def create(apps, schema_editor) -> None:
    stamp.create_stamp_triggers(schema_editor, TABLE)


def drop(apps, schema_editor) -> None:
    stamp.drop_stamp_triggers(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_nibin_lead_examiner"),
        ("meetings", "0013_saved_search_alerts"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
