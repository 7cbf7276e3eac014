from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_index, name="list"),
    # "<int:pk>/" (orgs:detail) is served by dashboards (the organization's record reads assessment).
]
