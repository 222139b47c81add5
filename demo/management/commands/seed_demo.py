from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.history import seed_history
from demo.people import demo_logins
from demo.seed_lead_work import seed_demo_lead_work
from demo.seed_meetings import seed_demo_meetings
from demo.seed_people import seed_demo_accounts
from demo.seed_person_overlaps import seed_demo_overlaps
from demo.seed_risk_follow_up import seed_demo_risk_follow_up
from demo.seed_saved_searches import seed_demo_saved_searches
from demo.seed_shootings import seed_demo_cases


class Command(BaseCommand):
    help = "Create or refresh the fictional demo agencies, users and data. Safe to run again."

    def handle(self, *args, **options) -> None:
        users = seed_demo_accounts()
        created = seed_demo_cases(users)
        seed_demo_lead_work(users)
        # People who appear in several of those shootings (victim here, suspect or witness there).
        seed_demo_overlaps(users)
        # Contacts with some of the people those shootings put at risk of retaliation.
        seed_demo_risk_follow_up(users)
        # The years before the detailed cases, so that the cover's comparisons have something to compare.
        history = seed_history(users)
        # After the cases: the meetings' agendas are built from them.
        seed_demo_meetings(users)
        # A few saved searches with alerts, so the list is not empty on first sight.
        seed_demo_saved_searches(users)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data is in place ({created} demo shootings and {history} from earlier years added)."
            )
        )
        self.stdout.write("Demo logins (password: the DEMO_PASSWORD setting):")
        for username, what in demo_logins():
            self.stdout.write(f"  {username:<14} {what}")
        if settings.DEBUG:
            self.stdout.write(f"  password: {settings.DEMO_PASSWORD}")
