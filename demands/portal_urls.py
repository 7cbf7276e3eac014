from django.urls import path

from . import portal_views as views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("d/<str:code>/", views.demand, name="demand"),
    path("d/<str:code>/info/", views.add_info, name="add_info"),
    path("d/<str:code>/rate/", views.rate, name="rate"),
]
