from __future__ import annotations

import datetime as dt

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        # Here, not at the top: these import models, which exist only once apps are loaded.
        from cases.kept_pages import data_stamp
        from cases.search import held_meetings

        from . import case_history
        from .agenda import source_stamp
        from .models import Meeting

        def last_cutoff() -> dt.datetime | None:
            return (
                Meeting.objects.filter(status=Meeting.Status.HELD)
                .order_by("-starts_at")
                .values_list("cutoff_at", flat=True)
                .first()
            )

        held_meetings.last_cutoff = last_cutoff
        # The case list and case pages are kept under the stamp of the data live agendas are drawn from.
        data_stamp.current = source_stamp.current
        # The case page's Reviews section and the case export's meeting columns.
        case_history.install()
