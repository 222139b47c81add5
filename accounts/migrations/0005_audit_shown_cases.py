"""The cases an audited request showed (an agenda, a packet, the minutes), append-only like the
audit rows themselves: on PostgreSQL a trigger refuses UPDATE and TRUNCATE, and DELETE except
inside the audited purge for a row whose event is older than a year."""

import django.db.models.deletion
from django.db import migrations, models

CREATE = r"""
CREATE OR REPLACE FUNCTION accounts_auditeventcase_append_only() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('shootreview.audit_maintenance', true), '') = 'on' THEN
    IF TG_OP = 'TRUNCATE' THEN
      RETURN NULL;
    ELSIF TG_OP = 'DELETE' AND EXISTS (
      SELECT 1 FROM accounts_auditevent e WHERE e.id = OLD.event_id AND e.at < now() - interval '365 days'
    ) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_auditeventcase_no_update_delete
  BEFORE UPDATE OR DELETE ON accounts_auditeventcase
  FOR EACH ROW EXECUTE FUNCTION accounts_auditeventcase_append_only();

CREATE TRIGGER accounts_auditeventcase_no_truncate
  BEFORE TRUNCATE ON accounts_auditeventcase
  FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditeventcase_append_only();
"""

DROP = r"""
DROP TRIGGER IF EXISTS accounts_auditeventcase_no_truncate ON accounts_auditeventcase;
DROP TRIGGER IF EXISTS accounts_auditeventcase_no_update_delete ON accounts_auditeventcase;
DROP FUNCTION IF EXISTS accounts_auditeventcase_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_login_failure_address_throttle"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEventCase",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("case_id", models.BigIntegerField()),
                (
                    "event",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="shown_cases",
                        to="accounts.auditevent",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["case_id", "event"], name="audit_case_event_idx")],
                "constraints": [models.UniqueConstraint(fields=("event", "case_id"), name="audit_event_case_once")],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
