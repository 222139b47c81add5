"""Audit rows are written without a lock and chained afterwards by a sealer (accounts.audit.seal),
in the order they became visible: `chain_seq` is a row's place in the chain, set with its hashes
in the one change the append-only trigger allows (from unsealed to sealed, nothing else
touched). The rows already written keep their hashes; their chain order was their id order.

Also: the users' manager removes cached accounts when a queryset updates users (accounts.user_cache)."""

from django.db import migrations, models

import accounts.models

SEALABLE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  -- The one-time seal: an unsealed row gets its place in the chain and its hashes, and nothing
  -- else of it changes.
  IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND OLD.row_hash IS NULL
     AND NEW.chain_seq IS NOT NULL AND NEW.row_hash IS NOT NULL AND NEW.prev_hash <> ''
     AND (to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'row_hash')
         = (to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'row_hash') THEN
    RETURN NEW;
  END IF;
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
"""

PREVIOUS_FUNCTION = r"""
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
"""


def place_existing_rows(apps, schema_editor):
    """Rows written before this change were chained in id order, so that is their place."""
    update = "UPDATE accounts_auditevent SET chain_seq = id WHERE row_hash IS NOT NULL"
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_no_update_delete")
        schema_editor.execute(update)
        schema_editor.execute("ALTER TABLE accounts_auditevent ENABLE TRIGGER accounts_auditevent_no_update_delete")
        schema_editor.execute(SEALABLE_FUNCTION, params=None)
    else:
        schema_editor.execute(update)


def back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_audit_shown_cases"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain_seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(place_existing_rows, back),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("chain_seq__isnull", True)), fields=["id"], name="audit_unsealed_idx"
            ),
        ),
        migrations.AlterModelManagers(
            name="user",
            managers=[("objects", accounts.models.AccountManager())],
        ),
    ]
