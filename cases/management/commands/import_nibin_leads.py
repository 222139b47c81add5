from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from cases.feeds import command
from cases.feeds.nibin import import_nibin_leads


class Command(BaseCommand):
    help = (
        "Import a NIBIN lead report (CSV: lead_number, lead_date, case_numbers, result, examiner): creates or "
        "updates each lead and joins the named cases. All or nothing; re-importing changes nothing. Exits "
        "non-zero when any row has an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        command.add_arguments(parser)

    def handle(self, *args, file: str, username: str, dry_run: bool, **options) -> None:
        command.handle(self, import_nibin_leads, file=file, username=username, dry_run=dry_run)
