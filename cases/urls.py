from django.urls import path

from .views import case_forms, case_list

app_name = "cases"
urlpatterns = [
    path("", case_list.case_list, name="list"),
    path("export.csv", case_list.case_export, name="export"),
    path("new/", case_forms.case_new, name="new"),
    path("<int:pk>/edit/", case_forms.case_edit, name="edit"),
]
