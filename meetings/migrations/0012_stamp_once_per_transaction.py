"""The source stamp (0006) touched once per transaction on PostgreSQL.

0006's trigger gave the stamp's row a new token on every statement. Within one long transaction
(an import of thousands of shootings writes tens of thousands of statements) each of those
updates left another version of the same row that the next statement had to step over, so the
import slowed as it went. Now the first write of a transaction takes the slot and sets a new token,
committed with the transaction as before; every write, the first included, also takes a new
number from a sequence into a setting local to the transaction, which the writer's own reads add
to the stamp (meetings.agenda.source_stamp.current), so that a transaction still sees a new stamp
after each of its own writes. A sequence never gives a number twice, even to a transaction
rolled back, and a rollback to a savepoint reverts the settings with the rows: no stamp ever
comes back with other data. Other sessions see the new token when the transaction commits, as
before. SQLite is unchanged (one writer, one slot, row triggers).
"""

from importlib import import_module

from django.db import migrations

original = import_module("meetings.migrations.0006_source_stamp")

PG_FUNCTION = r"""
CREATE SEQUENCE IF NOT EXISTS meetings_sourcestamp_write;
CREATE OR REPLACE FUNCTION meetings_sourcestamp_touch() RETURNS trigger AS $$
DECLARE
  free integer;
  this_transaction text := txid_current()::text;
BEGIN
  PERFORM set_config('shootreview.stamp_write', nextval('meetings_sourcestamp_write')::text, true);
  IF current_setting('shootreview.stamped_by', true) = this_transaction THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('shootreview.stamped_by', this_transaction, true);
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


def once_per_transaction(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)


def every_statement(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(original.PG_FUNCTION)
        schema_editor.execute("DROP SEQUENCE IF EXISTS meetings_sourcestamp_write")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0011_stamp_people")]

    operations = [migrations.RunPython(once_per_transaction, every_statement, elidable=False)]
