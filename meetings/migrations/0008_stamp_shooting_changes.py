"""The live agendas' source stamp (migration 0006) also follows the cases' change history: each
agenda item shows its case's prosecution changes since the last review, read from it."""

from django.db import migrations

# The function meetings_sourcestamp_touch() and the SQLite statement are those of 0006.
TABLE = "cases_shootingchange"
SQLITE_TOUCH = (
    "INSERT INTO meetings_sourcestamp (slot, token) VALUES (0, lower(hex(randomblob(16)))) "
    "ON CONFLICT (slot) DO UPDATE SET token = excluded.token;"
)


def create_stamp_triggers(schema_editor, table: str) -> None:
    """The triggers that give the stamp a new token on every write to `table` (later migrations
    that put another table under the stamp call this too)."""
    vendor = schema_editor.connection.vendor
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
                f"BEGIN {SQLITE_TOUCH} END",
                params=None,
            )


def drop_stamp_triggers(schema_editor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_truncate ON {table}")
    elif vendor == "sqlite":
        for operation in ["insert", "update", "delete"]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_{operation}")


def stamp_models(*models: tuple[str, str]) -> migrations.RunPython:
    """The stamp triggers on these models' tables (app label, model name), dropped on reverse:
    for the later migrations whose tables live agendas come to show."""

    def tables(apps) -> list[str]:
        return [apps.get_model(app, model)._meta.db_table for app, model in models]

    def create(apps, schema_editor) -> None:
        for table in tables(apps):
            create_stamp_triggers(schema_editor, table)

    def drop(apps, schema_editor) -> None:
        for table in tables(apps):
            drop_stamp_triggers(schema_editor, table)

    return migrations.RunPython(create, drop, elidable=False)


def create_triggers(apps, schema_editor) -> None:
    create_stamp_triggers(schema_editor, TABLE)


def drop_triggers(apps, schema_editor) -> None:
    drop_stamp_triggers(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_shooting_change_changed_at_index"),
        ("meetings", "0007_drawn_parts"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
