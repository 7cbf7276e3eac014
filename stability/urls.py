from django.urls import path

from . import views

app_name = "stability"
urlpatterns = [
    path("purpose/", views.purpose, name="purpose"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:pk>/", views.person, name="person"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/from-demand/", views.case_from_demand, name="case_from_demand"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/agreement.docx", views.case_agreement, name="case_agreement"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("patrols/", views.patrols, name="patrols"),
    path("patrols/teams/<int:pk>/", views.team, name="team"),
    path("patrols/shifts/<int:pk>/", views.shift, name="shift"),
    path("my/patrols/", views.my_patrols, name="my_patrols"),
    path("checks/", views.checks, name="checks"),
    path("checks/<int:pk>/", views.check, name="check"),
    path("stats/", views.stats, name="stats"),
]
