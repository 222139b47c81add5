from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError

from demo import bulk


class Command(BaseCommand):
    help = (
        "Add a large fictional data set for load and speed work: bulk cases (report numbers starting "
        f"with {bulk.BULK_PREFIX}), with victims, notes, revisions, NIBIN links and the people in them "
        "(some reappearing across shootings). --delete removes them again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--shootings", type=int, default=1000, help="How many cases to add (default 1000).")
        parser.add_argument("--notes-per-case", type=int, default=20, help="Notes on each case (default 20).")
        parser.add_argument("--batch", type=int, default=5000, help="Rows per insert (default 5000).")
        parser.add_argument("--years", type=int, default=5, help="Spread the cases over this many years up to now.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument(
            "--heavy-notes",
            type=int,
            default=200,
            help=f"Notes on the one case {bulk.HEAVY_REPORT_NUMBER} the detail benchmark opens (0: none).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Add bulk cases even though the database holds other cases."
        )
        parser.add_argument("--delete", action="store_true", help="Remove every bulk row, and nothing else.")

    def handle(self, *args, **options) -> None:
        self.verbosity = options["verbosity"]
        started = time.monotonic()
        if options["delete"]:
            try:
                counts = bulk.delete_bulk_data(progress=self._progress)
            except ProtectedError as error:
                raise CommandError(str(error.args[0])) from error
            removed = ", ".join(f"{n} {what}" for what, n in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Removed {removed} in {time.monotonic() - started:.1f} s."))
            return
        for name in ["shootings", "notes_per_case", "batch", "years", "heavy_notes"]:
            minimum = 1 if name in {"batch", "years"} else 0
            if options[name] < minimum:
                raise CommandError(f"--{name.replace('_', '-')} must be at least {minimum}.")
        # Thousands of fictional cases would swamp a real case list and its statistics.
        if bulk.holds_other_data() and not options["force"]:
            raise CommandError(
                "This database holds cases that are not bulk data. Bulk cases would appear beside them "
                "in every list and count. Use a separate database, or --force if that is what you want."
            )
        result = bulk.create_bulk_data(
            options["shootings"],
            options["notes_per_case"],
            batch=options["batch"],
            years=options["years"],
            seed=options["seed"],
            heavy_notes=options["heavy_notes"],
            progress=self._progress,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.shootings} cases, {result.victims} victims, {result.notes} notes "
                f"({result.revisions} revisions), {result.link_keys} link keys, {result.leads} NIBIN leads "
                f"and {result.people} people in {result.person_roles} roles "
                f"in {time.monotonic() - started:.1f} s; {result.clusters} linked clusters among bulk cases."
            )
        )

    def _progress(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"  {message}")
