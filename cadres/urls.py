from django.urls import path

from . import views

app_name = "cadres"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("roster.xlsx", views.roster_xlsx, name="roster_xlsx"),
    path("new/", views.cadre_new, name="new"),
    path("<int:pk>/", views.cadre_detail, name="detail"),
    path("stats/", views.stats, name="stats"),
    path("quotas/", views.quotas, name="quotas"),
    path("training/", views.training, name="training"),
    path("training/courses/new/", views.course_new, name="course_new"),
    path("training/courses/<int:pk>/", views.course, name="course"),
    path("tracks/", views.tracks, name="tracks"),
    path("tracks/<int:pk>/", views.track, name="track"),
    path("rules/", views.rules, name="rules"),
]
