"""The source stamp of live agendas (meetings.agenda.source_stamp): a table only triggers write.

Every statement that inserts, updates or deletes rows of a table a live agenda is drawn from (and,
on PostgreSQL, every TRUNCATE of one) gives a slot of meetings_sourcestamp a new random token.

On PostgreSQL the trigger is per statement and takes the first slot no other open transaction
holds (FOR UPDATE SKIP LOCKED), adding a slot when all are held: writers never queue behind one
another's transactions for the stamp (a long import would otherwise hold up every note saved
meanwhile). SQLite has a single writer and row triggers only: one slot, written per row.
"""

from django.db import migrations, models

# (app, model) of every table a live agenda's snapshot reads. A table added to the snapshot
# needs a migration adding it here; tests/meetings/test_source_stamp.py checks that none is missed.
SOURCES = [
    ("accounts", "Agency"),
    ("accounts", "User"),
    ("cases", "Shooting"),
    ("cases", "Victim"),
    ("cases", "Note"),
    ("cases", "LinkKey"),
    ("cases", "ManualLink"),
    ("cases", "NibinLead"),
    ("meetings", "Meeting"),
    ("meetings", "AgendaItem"),
    ("meetings", "ActionItem"),
]

PG_FUNCTION = r"""
CREATE OR REPLACE FUNCTION meetings_sourcestamp_touch() RETURNS trigger AS $$
DECLARE
  free integer;
BEGIN
  SELECT slot INTO free FROM meetings_sourcestamp ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF free IS NULL THEN
    SELECT coalesce(max(slot) + 1, 0) INTO free FROM meetings_sourcestamp;
  END IF;
  INSERT INTO meetings_sourcestamp (slot, token) VALUES (free, gen_random_uuid()::text)
    ON CONFLICT (slot) DO UPDATE SET token = EXCLUDED.token;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

SQLITE_TOUCH = (
    "INSERT INTO meetings_sourcestamp (slot, token) VALUES (0, lower(hex(randomblob(16)))) "
    "ON CONFLICT (slot) DO UPDATE SET token = excluded.token;"
)


def _tables(apps) -> list[str]:
    return [apps.get_model(app, model)._meta.db_table for app, model in SOURCES]


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in _tables(apps):
            schema_editor.execute(
                f"CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION meetings_sourcestamp_touch()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_stamp_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION meetings_sourcestamp_touch()"
            )
    elif vendor == "sqlite":
        for table in _tables(apps):
            for operation in ["INSERT", "UPDATE", "DELETE"]:
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_stamp_{operation.lower()} AFTER {operation} ON {table} "
                    f"BEGIN {SQLITE_TOUCH} END",
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
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS meetings_sourcestamp_touch()")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_append_only_trigger"),
        ("cases", "0002_trigram_search_indexes"),
        ("meetings", "0005_agenda_event_corrected"),
    ]

    operations = [
        migrations.CreateModel(
            name="SourceStamp",
            fields=[
                ("slot", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=36)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
