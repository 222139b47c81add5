from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from cases.views.case_viewers import case_viewers

# Under /api/v1/ an unknown path or a failure answers JSON like the rest of the API.
handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:list", permanent=False), name="home"),
    # Who has seen a case sits among the audit pages, though the cases app draws it.
    path("accounts/audit/cases/<int:pk>/", case_viewers, name="case_viewers"),
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("meetings/", include("meetings.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]
