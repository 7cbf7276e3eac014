from django.urls import path

from . import views

app_name = "demands"
urlpatterns = [
    path("", views.demand_list, name="list"),
    path("mine/", views.queue, name="queue"),
    path("new/", views.create, name="create"),
    path("street/", views.street_report, name="street_report"),
    path("weekly/", views.weekly, name="weekly"),
    path("monthly/", views.monthly, name="monthly"),
    path("quarterly/", views.quarterly, name="quarterly"),
    path("stats/", views.stats, name="stats"),
    path("calendar/", views.work_calendar, name="calendar"),
    path("calendar/days-off/", views.calendar_days_off, name="calendar_days_off"),
    path("calendar/workday/", views.calendar_workday, name="calendar_workday"),
    path("calendar/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/phone/", views.reveal_phone, name="reveal_phone"),
]
