"""/api/v1/: every view takes a token or a signed-in session, never the sign-in page's redirect
(login_not_required: an API caller gets 401, not a form)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.renderers import OpenApiJsonRenderer2, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView

from .docs import api_docs
from .views import cases, feeds, leads, meetings, notes

app_name = "api"


def _api(view):
    return login_not_required(view.as_view())


class Schema(SpectacularAPIView):
    """The OpenAPI document: JSON (errors too, like every answer of the API), YAML on request."""

    renderer_classes = [OpenApiJsonRenderer2, OpenApiYamlRenderer]


urlpatterns = [
    path("schema/", _api(Schema), name="schema"),
    path("docs/", api_docs, name="docs"),
    path("cases/", _api(cases.CaseList), name="case_list"),
    path("cases/<int:shooting_pk>/", _api(cases.CaseDetail), name="case_detail"),
    path("cases/<int:shooting_pk>/prosecution/", _api(cases.CaseProsecution), name="case_prosecution"),
    path("cases/<int:shooting_pk>/notes/", _api(notes.CaseNotes), name="case_notes"),
    path("notes/<int:note_pk>/", _api(notes.NoteDetail), name="note_detail"),
    path("notes/<int:note_pk>/etrace/", _api(notes.NoteEtrace), name="note_etrace"),
    path("notes/<int:note_pk>/retract/", _api(notes.NoteRetract), name="note_retract"),
    path("leads/", _api(leads.LeadList), name="lead_list"),
    path("leads/<int:lead_pk>/", _api(leads.LeadDetail), name="lead_detail"),
    path("leads/<int:lead_pk>/triage/", _api(leads.LeadTriage), name="lead_triage"),
    path("leads/<int:lead_pk>/work/<int:work_pk>/", _api(leads.LeadWork), name="lead_work"),
    path("feeds/nibin-leads/", _api(feeds.NibinLeadImport), name="feed_nibin_leads"),
    path("feeds/etrace-results/", _api(feeds.EtraceResultImport), name="feed_etrace_results"),
    path("meetings/", _api(meetings.MeetingList), name="meeting_list"),
    path("meetings/<int:meeting_pk>/", _api(meetings.MeetingDetail), name="meeting_detail"),
    path("action-items/", _api(meetings.ActionItemList), name="action_items"),
]
