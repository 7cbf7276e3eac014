"""Pages to add and edit things and organizations in a grid (facilities, units, liaisons)."""

from django.urls import path

from . import views_things as v

urlpatterns: list = [
    path("facilities/", v.facility_list, name="facilities"),
    path("facilities/broken/", v.facility_broken, name="facilities_broken"),
    path("facilities/new/", v.facility_new, name="facility_new"),
    path("facilities/<int:pk>/", v.facility_detail, name="facility"),
    path("facilities/<int:pk>/edit/", v.facility_edit, name="facility_edit"),
    path("facilities/<int:pk>/state/", v.facility_state, name="facility_state"),
    path("units/", v.unit_list, name="units"),
    path("units/new/", v.unit_new, name="unit_new"),
    path("units/<int:pk>/edit/", v.unit_edit, name="unit_edit"),
    path("<int:pk>/liaisons/", v.liaisons, name="liaisons"),
    path("liaisons/<int:pk>/edit/", v.liaison_edit, name="liaison_edit"),
    path("liaisons/<int:pk>/remove/", v.liaison_remove, name="liaison_remove"),
]
