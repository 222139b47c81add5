from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from accounts.models import User
from cases import access
from cases.importers.common import FORMAT_AUTO, FORMAT_KCPD, FORMAT_TEMPLATE, ImportFileError
from cases.importers.upsert import import_shootings


class Command(BaseCommand):
    help = (
        "Import shootings from a CSV file: our template or the KCPD open-data crime CSV. All or nothing; "
        "re-importing a file changes nothing. Exits non-zero when any row has an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file (UTF-8)")
        parser.add_argument("--dry-run", action="store_true", help="show what would happen and write nothing")
        parser.add_argument(
            "--format", choices=[FORMAT_AUTO, FORMAT_TEMPLATE, FORMAT_KCPD], default=FORMAT_AUTO, dest="fmt"
        )
        parser.add_argument("--user", help="username recorded as the importer (default: the first active coordinator)")

    def handle(self, *args, file: str, dry_run: bool, fmt: str, user: str | None, **options) -> None:
        importer = self._importer(user)
        # No size limit here, unlike the upload page: a year of open data is a fair thing to load.
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            report = import_shootings(raw, importer, fmt=fmt, dry_run=dry_run)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None

        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''} in {file}; nothing was imported."
            )
        for outcome in report.outcomes:
            remarks = f" ({'; '.join(outcome.remarks)})" if outcome.remarks else ""
            self.stdout.write(f"line {outcome.line:>6}  {outcome.report_number:<16} {outcome.text}{remarks}")
        if report.ignored_columns:
            self.stdout.write("Ignored columns: " + ", ".join(report.ignored_columns))
        for victim in report.linked:
            self.stdout.write(
                f"Linked {victim.name} ({victim.report_number}) to person {victim.person_id}: "
                "same name and date of birth as a person already recorded."
            )
        if report.suggestions:
            self.stdout.write(
                f"Possible matches to review ({len(report.suggestions)}): confirm or reject them on each person's page:"
            )
        for left in report.suggestions:
            plural = "es" if left.candidates != 1 else ""
            page = reverse("cases:person", args=[left.person_id])
            self.stdout.write(f"  {left.name} ({left.report_number}): {left.candidates} possible match{plural}, {page}")
        if report.unchecked:
            self.stdout.write(f"{report.unchecked} more new victims were not looked at for possible matches.")
        counts = ", ".join(f"{count} {action}" for action, count in report.counts.items())
        verb = "Dry run, nothing written — would be" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb}: {counts} ({report.format_label}, {report.rows} rows, as {importer.username}).")
        )

    def _importer(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).select_related("agency").first()
            if user is None:
                raise CommandError(f"No active user named {username!r}.")
        else:
            user = (
                User.objects.filter(role=User.Role.COORDINATOR, is_active=True)
                .select_related("agency")
                .order_by("pk")
                .first()
            )
            if user is None:
                raise CommandError("No active coordinator to record as the importer; name one with --user.")
        if not access.can_import(user):
            raise CommandError(
                f"{user.username} may not import shootings: that takes a coordinator or supervisor "
                "of a law-enforcement agency."
            )
        return user
