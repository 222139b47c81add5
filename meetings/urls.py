from django.urls import path

from .views import agenda as agenda_views
from .views import (
    calendar,
    case_reviews,
    cover,
    meeting_forms,
    meeting_list,
    minutes,
    my_items,
    people_at_risk,
    printing,
    reminders,
)

app_name = "meetings"
urlpatterns = [
    path("", meeting_list.meeting_list, name="list"),
    path("my-items/", my_items.my_items, name="my_items"),
    path("action-items/<int:action_pk>/", my_items.action_item, name="action_item"),
    path("action-items/<int:action_pk>/done/", my_items.action_item_done, name="action_item_done"),
    path("new/", meeting_forms.meeting_create, name="create"),
    path("<int:pk>/edit/", meeting_forms.meeting_edit, name="edit"),
    path("<int:pk>/cancel/", meeting_forms.meeting_cancel, name="cancel"),
    path("series/new/", meeting_forms.series_create, name="series_create"),
    path("series/<int:series_pk>/edit/", meeting_forms.series_edit, name="series_edit"),
    path("<int:pk>/minutes/", minutes.minutes, name="minutes"),
    path("<int:pk>/meeting.ics", calendar.meeting_ics, name="ics"),
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/new-link/", calendar.calendar_new_link, name="calendar_new_link"),
    path("calendar/<str:token>.ics", calendar.feed, name="feed"),
    path("<int:pk>/cover/", cover.cover, name="cover"),
    path("<int:pk>/people-at-risk/", people_at_risk.people_at_risk, name="people_at_risk"),
    path("<int:pk>/agenda.pdf", printing.agenda_pdf, name="agenda_pdf"),
    path("<int:pk>/minutes.pdf", printing.minutes_pdf, name="minutes_pdf"),
    path("reminders/", reminders.reminder_list, name="reminders"),
    path("reminders/<int:reminder_pk>/resend/", reminders.reminder_resend, name="reminder_resend"),
    path("reminders/settings/", reminders.reminder_settings, name="reminder_settings"),
    # The meetings' record of one case: the Reviews section of the case page.
    path("cases/<int:shooting_pk>/reviews/", case_reviews.case_reviews, name="case_reviews"),
]

# The meeting's page: its agenda, edited by coordinators and recorded in the meeting.
urlpatterns += [
    path("<int:pk>/", agenda_views.meeting_detail, name="detail"),
    path("<int:pk>/agenda/build/", agenda_views.build, name="agenda_build"),
    path("<int:pk>/agenda/reorder/", agenda_views.reorder, name="agenda_reorder"),
    path("<int:pk>/agenda/add-case/", agenda_views.add_case, name="agenda_add_case"),
    path("<int:pk>/agenda/add-text/", agenda_views.add_text, name="agenda_add_text"),
    path("<int:pk>/agenda/items/<int:item_pk>/move/", agenda_views.move, name="agenda_move"),
    path("<int:pk>/agenda/items/<int:item_pk>/remove/", agenda_views.remove, name="agenda_remove"),
    path("<int:pk>/agenda/items/<int:item_pk>/restore/", agenda_views.restore, name="agenda_restore"),
    path("<int:pk>/agenda/items/<int:item_pk>/plan/", agenda_views.plan, name="agenda_plan"),
    path("<int:pk>/agenda/freeze/", agenda_views.freeze, name="agenda_freeze"),
    path("<int:pk>/agenda/unfreeze/", agenda_views.unfreeze, name="agenda_unfreeze"),
    path("<int:pk>/agenda/items/<int:item_pk>/record/", agenda_views.record, name="agenda_record"),
    path("<int:pk>/agenda/items/<int:item_pk>/action-items/", agenda_views.add_action, name="agenda_action"),
    path("<int:pk>/agenda/action-items/", agenda_views.add_meeting_action, name="agenda_meeting_action"),
    path("<int:pk>/agenda/attendance/", agenda_views.attendance, name="agenda_attendance"),
    path("<int:pk>/agenda/held/", agenda_views.mark_held, name="agenda_held"),
]
