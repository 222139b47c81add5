from django.urls import path

from .views import case_detail, case_forms, case_list, imports, nibin, nibin_work, notes, people, risk

app_name = "cases"
urlpatterns = [
    path("", case_list.case_list, name="list"),
    path("export.csv", case_list.case_export, name="export"),
    path("new/", case_forms.case_new, name="new"),
    path("import/", imports.import_page, name="import"),
    path("<int:pk>/edit/", case_forms.case_edit, name="edit"),
    path("<int:pk>/", case_detail.case_detail, name="detail"),
    path("<int:pk>/quick-edit/", case_detail.quick_edit, name="quick_edit"),
    path("<int:pk>/victims/add/", case_detail.add_victim, name="add_victim"),
    path("victims/<int:victim_pk>/died/", case_detail.victim_died, name="victim_died"),
    path("<int:pk>/links/add/", case_detail.add_link, name="add_link"),
    path("<int:pk>/associates/add/", people.add_associate, name="add_associate"),
    path("associates/<int:role_pk>/remove/", people.remove_associate, name="remove_associate"),
    path("links/<int:link_pk>/remove/", case_detail.remove_link, name="remove_link"),
    path("<int:pk>/notes/add/<str:kind>/", notes.add_note, name="add_note"),
    path("notes/<int:note_pk>/", notes.note_detail, name="note"),
    path("notes/<int:note_pk>/edit/", notes.edit_note, name="edit_note"),
    path("notes/<int:note_pk>/retract/", notes.retract_note, name="retract_note"),
    path("notes/<int:note_pk>/revisions/", notes.note_revisions, name="note_revisions"),
    path("people/", people.person_search, name="people"),
    path("people/matches/", people.person_matches, name="person_matches"),
    path("people/<int:person_pk>/", people.person_detail, name="person"),
    path("people/<int:person_pk>/reject/", people.reject_match, name="person_reject"),
    path("people/<int:person_pk>/merge/", people.merge_people, name="person_merge"),
    path("people/<int:person_pk>/unmerge/", people.undo_merge, name="person_unmerge"),
    path("people/roles/<int:role_pk>/unlink/", people.unlink_role, name="person_unlink"),
    path("people/at-risk/", risk.people_at_risk, name="people_at_risk"),
    path("people/<int:person_pk>/risk-contacts/", risk.record_contact, name="person_risk_contact"),
    path("people/risk-contacts/<int:contact_pk>/correct/", risk.correct_contact, name="risk_contact_correct"),
    path("nibin/", nibin.nibin_list, name="nibin_list"),
    path("nibin/<int:lead_pk>/", nibin.nibin_lead, name="nibin_lead"),
    path("nibin/<int:lead_pk>/triage/", nibin_work.nibin_triage, name="nibin_triage"),
    path("nibin/<int:lead_pk>/work/<int:work_pk>/", nibin_work.nibin_work, name="nibin_work"),
]
