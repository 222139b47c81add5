from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEvent


class Command(BaseCommand):
    help = "Delete audit rows older than the retention period (at least one year). The purge is itself audited."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than-days", type=int, default=settings.AUDIT_RETENTION_DAYS)
        parser.add_argument("--yes", action="store_true", help="Really delete (otherwise only count).")

    def handle(self, *args, older_than_days: int, yes: bool, **options) -> None:
        if older_than_days < 365:
            raise CommandError("Audit rows are kept at least 365 days (CJIS AU-11).")
        cutoff = timezone.now() - timedelta(days=older_than_days)
        old = AuditEvent.objects.filter(at__lt=cutoff)
        count = old.count()
        if not yes:
            self.stdout.write(f"{count} rows older than {cutoff:%Y-%m-%d} would be deleted; add --yes to delete.")
            return
        with transaction.atomic():
            last_purged = old.order_by("-id").first()
            if last_purged is None:
                self.stdout.write("Nothing to purge.")
                return
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL shootreview.audit_maintenance = 'on'")
            AuditEvent.objects.filter(id__lte=last_purged.id, at__lt=cutoff).delete()
            # The oldest kept row chains to the last purged one; record that hash as the anchor
            # so verify_audit still accepts the start of the log.
            audit.record(
                "audit.purge",
                object_type="audit_log",
                outcome=AuditEvent.Outcome.SUCCESS,
                detail={"deleted": count, "before": cutoff.isoformat(), "anchor": last_purged.row_hash},
            )
        self.stdout.write(self.style.SUCCESS(f"Deleted {count} audit rows older than {cutoff:%Y-%m-%d}."))
