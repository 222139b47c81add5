"""The source-stamp triggers of migration 0006 on people and their roles, whose overlaps with
other shootings live agendas now show (cases.people.overlaps)."""

from importlib import import_module

from django.db import migrations

# The trigger statements are those 0008 put on the cases' change history.
stamp = import_module("meetings.migrations.0008_stamp_shooting_changes")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_link_people"),
        ("meetings", "0010_nibin_lead_work"),
    ]

    operations = [
        stamp.stamp_models(("cases", "Person"), ("cases", "PersonRole")),
    ]
