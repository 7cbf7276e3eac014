"""Pages to add and edit places and people by hand (compounds' houses, households, residents, leases)."""

from django.urls import path

from . import views_people as v

urlpatterns: list = [
    path("buildings/<int:pk>/", v.building_detail, name="building"),
    path("buildings/<int:building_pk>/houses/new/", v.house_new, name="house_new"),
    path("houses/<int:pk>/", v.house_detail, name="house"),
    path("houses/<int:pk>/edit/", v.house_edit, name="house_edit"),
    path("houses/<int:house_pk>/households/new/", v.household_new, name="household_new"),
    path("houses/<int:house_pk>/leases/new/", v.lease_new, name="lease_new"),
    path("households/<int:pk>/edit/", v.household_edit, name="household_edit"),
    path("households/<int:pk>/move-out/", v.household_move_out, name="household_move_out"),
    path("households/<int:household_pk>/residents/new/", v.resident_new, name="resident_new"),
    path("residents/<int:pk>/edit/", v.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/leave/", v.resident_leave, name="resident_leave"),
    path("residents/<int:pk>/restore/", v.resident_restore, name="resident_restore"),
    path("residents/<int:pk>/transfer/", v.resident_transfer, name="resident_transfer"),
    path("leases/<int:pk>/edit/", v.lease_edit, name="lease_edit"),
    path("leases/<int:pk>/end/", v.lease_end, name="lease_end"),
]
