from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("bodies/new/", views.body_new, name="body_new"),
    path("bodies/<int:pk>/", views.body_detail, name="body"),
    path("bodies/<int:pk>/members/", views.member_add, name="member_add"),
    path("bodies/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("bodies/<int:pk>/chairs/", views.chair_generate, name="chair_generate"),
    path("bodies/<int:pk>/meetings/", views.meeting_new, name="meeting_new"),
    path("calendar/", views.calendar, name="calendar"),
    path("rules/", views.rules, name="rules"),
    path("check/", views.check, name="check"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/resolutions/", views.resolution_new, name="resolution_new"),
    path("resolutions/<int:pk>/done/", views.resolution_done, name="resolution_done"),
    # A resident unit's liaison (我单位的会议).
    path("unit/", views.unit_meetings, name="unit_meetings"),
    path("unit/<int:pk>/", views.unit_meeting, name="unit_meeting"),
    path("unit/<int:pk>/reply/", views.attendance_reply, name="attendance_reply"),
]
