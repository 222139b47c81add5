from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from cases.feeds import command
from cases.feeds.etrace import import_etrace_results


class Command(BaseCommand):
    help = (
        "Import eTrace results (CSV: trace_number, status, time_to_crime_days, purchaser, dealer): each row "
        "revises the firearm-trace note giving that trace number. All or nothing; re-importing changes nothing. "
        "Exits non-zero when any row has an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        command.add_arguments(parser)

    def handle(self, *args, file: str, username: str, dry_run: bool, **options) -> None:
        command.handle(self, import_etrace_results, file=file, username=username, dry_run=dry_run)
