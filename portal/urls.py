"""Addresses of the public pages (no sign-in).

`/portal/` (namespace "portal") holds the demand intake and tracking. A public page that belongs to a
domain's own address keeps it and its name: config/urls.py mounts `cobuild_urlpatterns` in the
cobuild namespace (`cobuild:public_stars`, /cobuild/stars/public/)."""

from django.urls import path

from .views import demands, reports, sanliang, services, stars

app_name = "portal"
urlpatterns = [
    path("", demands.home, name="home"),
    path("submit/", demands.submit, name="submit"),
    path("track/", demands.track, name="track"),
    path("d/<str:code>/", demands.demand, name="demand"),
    path("d/<str:code>/info/", demands.add_info, name="add_info"),
    path("d/<str:code>/rate/", demands.rate, name="rate"),
    path("areas.geojson", reports.areas, name="areas"),
    path("nearby/", reports.nearby, name="nearby"),
    path("r/<str:code>/", reports.report, name="report"),
    path("r/<str:code>/photos/<int:pk>/", reports.report_photo, name="report_photo"),
    path("services/", services.home, name="services"),
    path("services/submit/", services.submit, name="service_submit"),
    path("services/track/", services.track, name="service_track"),
    path("services/o/<str:code>/", services.order, name="service_order"),
    path("services/o/<str:code>/rate/", services.rate, name="service_rate"),
    path("sanliang/", sanliang.board_index, name="sanliang_index"),
    path("sanliang/<int:community_id>/", sanliang.board, name="sanliang"),
    path("sanliang/photo/<int:member_id>/", sanliang.photo, name="sanliang_photo"),
]

cobuild_urlpatterns = [
    path("stars/public/", stars.public_stars, name="public_stars"),
]
