"""The live agendas' source stamp (migration 0006) also follows the cases' change history: each
agenda item shows its case's prosecution changes since the last review, read from it."""

from django.db import migrations

# The function meetings_sourcestamp_touch() and the SQLite statement are those of 0006.
TABLE = "cases_shootingchange"
SQLITE_TOUCH = (
    "INSERT INTO meetings_sourcestamp (slot, token) VALUES (0, lower(hex(randomblob(16)))) "
    "ON CONFLICT (slot) DO UPDATE SET token = excluded.token;"
)


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_stamp AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION meetings_sourcestamp_touch()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_stamp_truncate AFTER TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION meetings_sourcestamp_touch()"
        )
    elif vendor == "sqlite":
        for operation in ["INSERT", "UPDATE", "DELETE"]:
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_stamp_{operation.lower()} AFTER {operation} ON {TABLE} "
                f"BEGIN {SQLITE_TOUCH} END",
                params=None,
            )


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_stamp ON {TABLE}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_stamp_truncate ON {TABLE}")
    elif vendor == "sqlite":
        for operation in ["insert", "update", "delete"]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_stamp_{operation}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_shooting_change_changed_at_index"),
        ("meetings", "0007_drawn_parts"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
