from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_index, name="list"),
    path("<int:pk>/", views.org_detail, name="detail"),
]
