"""Addresses of the pages of dashboards/.

The home page is `/`. The other pages kept the address and the name they had when they lived in a
domain app (no link breaks): config/urls.py mounts each list below in that app's namespace, next to
the app's own patterns, e.g. `regions:detail` is /regions/<pk>/ whichever app serves it."""

from django.urls import path

from .views import briefings, cobuild, home, leader, map, orgs, search, tree

urlpatterns = [
    path("", home.home, name="home"),
    path("dashboard/", leader.board, name="dashboard"),
    path("dashboard/<int:pk>/", leader.board, name="dashboard_node"),
    path("search/", search.search_page, name="search"),
    path("briefings/", briefings.briefing_list, name="briefings"),
    path("briefings/<int:pk>/", briefings.briefing_detail, name="briefing"),
    path("briefings/<int:pk>/issue/", briefings.briefing_issue, name="briefing_issue"),
    path("briefings/<int:pk>/read/", briefings.briefing_read, name="briefing_read"),
    path("briefings/<int:pk>/file/<str:fmt>/", briefings.briefing_file, name="briefing_file"),
]

# /regions/ (namespace "regions"): the tree browser; the edit actions are regions.urls.
regions_urlpatterns = [
    path("", tree.tree, name="tree"),
    path("<int:pk>/", tree.detail, name="detail"),
    path("<int:pk>/children/", tree.children, name="children"),
]

# /orgs/ (namespace "orgs"): the organization's page with its record of awards and criticisms.
orgs_urlpatterns = [
    path("<int:pk>/", orgs.org_detail, name="detail"),
]

# /grid/ (namespace "grid"): the map.
grid_urlpatterns = [
    path("map/", map.grid_map, name="map"),
    path("map/geojson/", map.grid_geojson, name="geojson"),
    path("map/layer/<str:layer>/", map.map_layer, name="map_layer"),
    path("map/base.pmtiles", map.pmtiles, name="pmtiles"),
]

# /cobuild/ (namespace "cobuild"): the star board and the chronicle.
cobuild_urlpatterns = [
    path("chronicle/", cobuild.chronicle, name="chronicle"),
    path("stars/", cobuild.stars, name="stars"),
]
