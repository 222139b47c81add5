from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import verify_chain
from accounts.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit log's hash chain; name the first altered or missing row and exit non-zero."

    def handle(self, *args, **options) -> None:
        problem = verify_chain()
        if problem is not None:
            raise CommandError(f"Audit log broken at row {problem.row_id}: {problem.problem}.")
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {AuditEvent.objects.count()} rows verified."))
