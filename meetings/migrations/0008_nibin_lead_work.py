"""The work on NIBIN leads: two kinds of reminder, and the source-stamp triggers of migration 0006
on the table of that work, which live agendas now show."""

from importlib import import_module

from django.db import migrations, models

stamp = import_module("meetings.migrations.0006_source_stamp")

SOURCES = [("cases", "LeadAssignment")]


def _tables(apps) -> list[str]:
    return [apps.get_model(app, model)._meta.db_table for app, model in SOURCES]


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in _tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION meetings_sourcestamp_touch()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_stamp_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION meetings_sourcestamp_touch()"
            )
        elif vendor == "sqlite":
            for operation in ["INSERT", "UPDATE", "DELETE"]:
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_stamp_{operation.lower()} AFTER {operation} ON {table} "
                    f"BEGIN {stamp.SQLITE_TOUCH} END",
                    params=None,
                )


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in _tables(apps):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_truncate ON {table}")
        elif vendor == "sqlite":
            for operation in ["insert", "update", "delete"]:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_{operation}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_lead_work"),
        ("meetings", "0007_drawn_parts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reminder",
            name="kind",
            field=models.CharField(
                choices=[
                    ("meeting", "Meeting reminder (with my open items)"),
                    ("meeting_changed", "Meeting moved or cancelled"),
                    ("case_update", "Please update your cases before the cutoff"),
                    ("action_due", "Action item due tomorrow"),
                    ("overdue_digest", "Overdue action items (daily)"),
                    ("agenda_ready", "Agenda ready"),
                    ("retaliation", "Retaliation-risk follow-up (daily)"),
                    ("nibin_turnaround", "NIBIN lead not yet notified"),
                    ("nibin_joined", "NIBIN lead joined my case"),
                    ("nibin_stalled", "NIBIN lead still unassigned or not worked"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
