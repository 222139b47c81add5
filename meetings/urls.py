from django.urls import path

from .views import calendar, meeting_forms, meeting_list, minutes, my_items

app_name = "meetings"
urlpatterns = [
    path("", meeting_list.meeting_list, name="list"),
    path("my-items/", my_items.my_items, name="my_items"),
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
]
