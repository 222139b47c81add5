from django.urls import path

from .views import meeting_list, my_items

app_name = "meetings"
urlpatterns = [
    path("", meeting_list.meeting_list, name="list"),
    path("my-items/", my_items.my_items, name="my_items"),
]
