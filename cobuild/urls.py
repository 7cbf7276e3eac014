from django.urls import path

from . import views

app_name = "cobuild"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/resources/", views.resource_new, name="resource_new"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path("agreements/<int:pk>/document.file", views.agreement_file, name="agreement_file"),
    path("agreements/<int:pk>/needs/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("matching/", views.matching, name="matching"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("deeds/new/", views.deed_new, name="deed_new"),
    path("deeds/<int:pk>/", views.deed_detail, name="deed"),
    path("deeds/<int:pk>/photos/<int:photo_pk>/", views.deed_photo, name="deed_photo"),
    path("shortfalls/", views.shortfalls, name="shortfalls"),
    path("pairings/", views.pairings, name="pairings"),
    path("pairings/<int:pk>/visit/", views.pairing_visit, name="pairing_visit"),
    path("chronicle/<int:pk>/", views.chronicle_edit, name="chronicle_edit"),
    path("chronicle/export/", views.chronicle_export, name="chronicle_export"),
    path("stars/<int:pk>/override/", views.star_override, name="star_override"),
    path("stars/export/", views.scores_export, name="scores_export"),
    path("rules/", views.rules_edit, name="rules"),
]
