"""On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE on the audit table (CJIS AU-9).

Deleting is possible only for rows older than a year and only inside an audited purge, which
sets the session variable shootreview.audit_maintenance; no one may ever update a row."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('shootreview.audit_maintenance', true), '') = 'on' THEN
    IF TG_OP = 'TRUNCATE' THEN
      RETURN NULL;
    ELSIF TG_OP = 'DELETE' AND OLD.at < now() - interval '365 days' THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_auditevent_no_update_delete
  BEFORE UPDATE OR DELETE ON accounts_auditevent
  FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();

CREATE TRIGGER accounts_auditevent_no_truncate
  BEFORE TRUNCATE ON accounts_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditevent_append_only();
"""

DROP = r"""
DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;
DROP TRIGGER IF EXISTS accounts_auditevent_no_update_delete ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_audit_lockout_sessions")]

    operations = [migrations.RunPython(forwards, backwards)]
