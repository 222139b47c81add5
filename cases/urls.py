from django.urls import path

from .views import case_list

app_name = "cases"
urlpatterns = [
    path("", case_list.case_list, name="list"),
]
