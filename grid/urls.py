from django.urls import path

from bulkimport import import_urls

from . import urls_people, urls_things, views
from .imports import ResidentImporter
from .imports_update import ResidentUpdateImporter

app_name = "grid"
urlpatterns = [
    path("", views.grid_list, name="list"),
    path("<int:pk>/", views.grid_detail, name="detail"),
    path("<int:pk>/edit/", views.grid_edit, name="edit"),
    path("residents/", views.resident_list, name="residents"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("floating/expiring/", views.expiring, name="expiring"),
    path("visits/", views.visit_stats, name="visits"),
    path("m/", views.mobile, name="mobile"),
    path("m/visit/", views.visit_new, name="visit_new"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
urlpatterns += import_urls(ResidentImporter, prefix="import/", name="import", back_url_name="grid:residents")
urlpatterns += import_urls(ResidentUpdateImporter, prefix="import/update/", name="import_update",
                           back_url_name="grid:residents")
urlpatterns += urls_people.urlpatterns + urls_things.urlpatterns
