from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.audit import seal, unsealed, verify_chain
from accounts.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Seal the audit rows written since the sealer last ran, then check the audit log's hash chain; "
        "name the first altered or missing row and exit non-zero."
    )

    def handle(self, *args, **options) -> None:
        waiting, oldest = unsealed()
        if waiting:
            # The sealer runs every few seconds under Celery beat; a backlog older than that
            # says beat or the workers are not running.
            age = (timezone.now() - oldest).total_seconds()
            self.stdout.write(f"Sealing {waiting} rows not yet chained (the oldest written {age:.0f} s ago).")
        seal()
        problem = verify_chain()
        if problem is not None:
            raise CommandError(f"Audit log broken at row {problem.row_id}: {problem.problem}.")
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {AuditEvent.objects.count()} rows verified."))
