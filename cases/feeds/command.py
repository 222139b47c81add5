"""What the two feed commands share: the importing user named by `--as`, reading the file, and
printing the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User

from ..importers.common import ImportFileError
from .common import FeedReport


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", help="path of the CSV file (UTF-8)")
    parser.add_argument(
        "--as",
        dest="username",
        required=True,
        help="the user the import runs as: their permissions are checked and they are recorded as its author",
    )
    parser.add_argument("--dry-run", action="store_true", help="show what would happen and write nothing")


def handle(
    command: BaseCommand, importer: Callable[..., FeedReport], *, file: str, username: str, dry_run: bool
) -> None:
    user = User.objects.filter(username=username, is_active=True).select_related("agency").first()
    if user is None:
        raise CommandError(f"No active user named {username!r}.")
    try:
        raw = Path(file).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
    try:
        report = importer(raw, user=user, dry_run=dry_run, filename=Path(file).name)
    except PermissionDenied as exc:
        raise CommandError(f"{username}: {exc}") from None
    except ImportFileError as exc:
        raise CommandError(str(exc)) from None
    if report.errors:
        for error in report.errors:
            command.stderr.write(str(error))
        count = len(report.errors)
        raise CommandError(f"{count} error{'s' if count != 1 else ''} in {file}; nothing was imported.")
    for outcome in report.outcomes:
        remarks = f" ({'; '.join(outcome.remarks)})" if outcome.remarks else ""
        command.stdout.write(f"line {outcome.line:>6}  {outcome.key:<20} {outcome.text}{remarks}")
    if report.ignored_columns:
        command.stdout.write("Ignored columns: " + ", ".join(report.ignored_columns))
    counts = ", ".join(f"{count} {action}" for action, count in report.counts.items())
    verb = "Dry run, nothing written — would be" if dry_run else "Imported"
    command.stdout.write(
        command.style.SUCCESS(f"{verb}: {counts} ({report.label}, {report.rows} rows, as {user.username}).")
    )
