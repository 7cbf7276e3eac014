from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("my/", views.my_points, name="my"),
    path("ranking/", views.ranking, name="ranking"),
]
