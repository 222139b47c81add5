"""The app's URLs, a hello view through its whole middleware (signed in, audited), and the
administration's changelist and change form of shootings (bench only: list filters, search and
date hierarchy as an administrator would set them up)."""

from django.contrib import admin
from django.urls import path

from cases.models import Shooting

from .bare_urls import hello


@admin.register(Shooting)
class BenchShootingAdmin(admin.ModelAdmin):
    list_display = ["report_number", "kind", "occurred_from", "division", "status"]
    list_filter = ["status", "division", "kind"]
    search_fields = ["report_number", "victims__name"]
    date_hierarchy = "occurred_from"


# After the registration: the administration's URLs are read when the project's are imported.
from shootreview.urls import urlpatterns as app_urlpatterns  # noqa: E402

urlpatterns = [path("bench/hello/", hello, name="bench_hello"), *app_urlpatterns]
