from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEvent, AuditEventCase


class Command(BaseCommand):
    help = "Delete audit rows older than the retention period (at least one year). The purge is itself audited."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than-days", type=int, default=settings.AUDIT_RETENTION_DAYS)
        parser.add_argument("--yes", action="store_true", help="Really delete (otherwise only count).")

    def handle(self, *args, older_than_days: int, yes: bool, **options) -> None:
        if older_than_days < 365:
            raise CommandError("Audit rows are kept at least 365 days (CJIS AU-11).")
        cutoff = timezone.now() - timedelta(days=older_than_days)
        # The chain is cut between two sealed rows: seal what was written since the sealer ran.
        audit.seal()
        with transaction.atomic():
            old, kept_old = purgeable(cutoff)
            count = old.count()
            later = f" ({kept_old} older rows stay until the newer rows before them may go)" if kept_old else ""
            if not yes:
                self.stdout.write(
                    f"{count} rows older than {cutoff:%Y-%m-%d} would be deleted{later}; add --yes to delete."
                )
                return
            last_purged = old.order_by("-chain_seq").first()
            if last_purged is None:
                self.stdout.write(f"Nothing to purge{later}.")
                return
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL shootreview.audit_maintenance = 'on'")
            # The cases first: the trigger lets a case row go only while its event is there and old.
            AuditEventCase.objects.filter(event__in=old).delete()
            old.delete()
            # The oldest kept row chains to the last purged one; record that hash as the anchor
            # so verify_audit still accepts the start of the log.
            audit.record(
                "audit.purge",
                object_type="audit_log",
                outcome=AuditEvent.Outcome.SUCCESS,
                detail={"deleted": count, "before": cutoff.isoformat(), "anchor": last_purged.row_hash},
            )
        self.stdout.write(self.style.SUCCESS(f"Deleted {count} audit rows older than {cutoff:%Y-%m-%d}{later}."))


def purgeable(cutoff) -> tuple[QuerySet, int]:
    """The rows a purge may delete: the longest run from the start of the chain (chain order) of
    rows older than `cutoff`, so the chain is cut between two rows and the kept part stays whole.
    Rows are not chained in exactly the order of their times (writers a few milliseconds apart),
    so an old row after a newer one waits for a later purge. Also returns how many such rows
    wait. Rows not yet sealed are never purged: they have no place in the chain yet."""
    sealed = AuditEvent.objects.filter(chain_seq__isnull=False)
    first_kept = sealed.filter(at__gte=cutoff).order_by("chain_seq").values_list("chain_seq", flat=True).first()
    if first_kept is None:
        # Every sealed row is old; the bound keeps rows sealed meanwhile out.
        last = sealed.order_by("-chain_seq").values_list("chain_seq", flat=True).first() or 0
        return sealed.filter(chain_seq__lte=last), 0
    waiting = sealed.filter(chain_seq__gt=first_kept, at__lt=cutoff).count()
    return sealed.filter(chain_seq__lt=first_kept), waiting
