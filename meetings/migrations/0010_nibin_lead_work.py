"""The work on NIBIN leads: two kinds of reminder, and the source-stamp triggers of migration 0006
on the table of that work, which live agendas now show."""

from importlib import import_module

from django.db import migrations, models

# The trigger statements are those 0008 put on the cases' change history.
stamp = import_module("meetings.migrations.0008_stamp_shooting_changes")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_lead_work"),
        ("meetings", "0009_agenda_time_plan_and_action_mail"),
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
                    ("action_assigned", "New action item for me"),
                    ("minutes", "Minutes after a meeting (with my open items)"),
                    ("nibin_joined", "NIBIN lead joined my case"),
                    ("nibin_stalled", "NIBIN lead still unassigned or not worked"),
                ],
                max_length=20,
            ),
        ),
        stamp.stamp_models(("cases", "LeadAssignment")),
    ]
