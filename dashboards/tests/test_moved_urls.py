"""The pages that moved up to dashboards/ answer at their old addresses exactly as before the move,
for every persona and for an anonymous visitor (the table was recorded on the code before the move)."""

import pytest

from cobuild.testing import units  # noqa: F401  (fixture)
from tests.moved_pages import Visit, differences, walk

pytestmark = pytest.mark.django_db

# Columns: tests.moved_pages.WHO (anonymous, district_admin, street_staff, secretary, community_staff,
# grid_worker, other_grid_worker, member, liaison, west_secretary, sysadmin, secadmin, auditor,
# superuser, nobody).
EXPECTED = {
    "/":
        "302 200 200 200 200 200 200 200 200 200 200 200 200 200 200",
    "/cobuild/chronicle/":
        "302 200 200 200 200 403 403 403 403 200 403 403 403 200 403",
    "/cobuild/stars/":
        "302 200 200 200 200 403 403 403 200 200 403 403 403 200 403",
    "/cobuild/stars/?year=2025&stars=5":
        "302 200 200 200 200 403 403 403 200 200 403 403 403 200 403",
    "/grid/map/":
        "302 200 200 200 200 200 200 403 403 200 403 403 403 200 403",
    "/grid/map/?region=<east1>&metric=open_events":
        "302 200 200 200 200 404 404 403 403 404 403 403 403 200 403",
    "/grid/map/?region=<west1>":
        "302 200 404 404 404 404 404 403 403 200 403 403 403 200 403",
    "/grid/map/geojson/":
        "302 200 200 200 200 200 200 403 403 200 403 403 403 200 403",
    "/grid/map/geojson/?crs=mars":
        "302 400 400 400 400 400 400 403 403 400 403 403 403 400 403",
    "/grid/map/geojson/?region=<east1>&metric=open_events":
        "302 200 200 200 200 404 404 403 403 404 403 403 403 200 403",
    "/grid/map/geojson/?region=<west1>":
        "302 200 404 404 404 404 404 403 403 200 403 403 403 200 403",
    "/regions/":
        "302 200 200 200 200 200 200 200 200 200 403 403 403 200 403",
    "/regions/999999/":
        "302 404 404 404 404 404 404 404 404 404 403 403 403 404 403",
    "/regions/<east1>/":
        "302 200 200 200 200 404 404 200 200 404 403 403 403 200 403",
    "/regions/<east1>/children/":
        "302 200 200 200 200 404 404 200 200 404 403 403 403 200 403",
    "/regions/<grid1>/":
        "302 200 200 200 200 200 404 200 200 404 403 403 403 200 403",
    "/regions/<west1>/":
        "302 200 404 404 404 404 404 404 404 200 403 403 403 200 403",
    "/regions/<west1>/children/":
        "302 200 404 404 404 404 404 404 404 200 403 403 403 200 403",
    "POST /cobuild/chronicle/ empty":
        "302 200 200 200 200 403 403 403 403 200 403 403 403 200 403",
    "POST /cobuild/chronicle/ generate":
        "302 302 302 302 302 403 403 403 403 302 403 403 403 302 403",
    "POST /cobuild/stars/":
        "302 302 302 302 302 403 403 403 302 302 403 403 403 302 403",
}


def visits(tree):
    east1, west1, grid1 = tree.east1.pk, tree.west1.pk, tree.east1_grid1.pk
    return [
        Visit("/", "/"),
        Visit("/regions/", "/regions/"),
        Visit("/regions/<east1>/", f"/regions/{east1}/"),
        Visit("/regions/<west1>/", f"/regions/{west1}/"),
        Visit("/regions/<grid1>/", f"/regions/{grid1}/"),
        Visit("/regions/<east1>/children/", f"/regions/{east1}/children/"),
        Visit("/regions/<west1>/children/", f"/regions/{west1}/children/"),
        Visit("/regions/999999/", "/regions/999999/"),
        Visit("/grid/map/", "/grid/map/"),
        Visit("/grid/map/?region=<east1>&metric=open_events", f"/grid/map/?region={east1}&metric=open_events"),
        Visit("/grid/map/?region=<west1>", f"/grid/map/?region={west1}"),
        Visit("/grid/map/geojson/", "/grid/map/geojson/"),
        Visit("/grid/map/geojson/?region=<east1>&metric=open_events",
              f"/grid/map/geojson/?region={east1}&metric=open_events"),
        Visit("/grid/map/geojson/?region=<west1>", f"/grid/map/geojson/?region={west1}"),
        Visit("/grid/map/geojson/?crs=mars", "/grid/map/geojson/?crs=mars"),
        Visit("/cobuild/stars/", "/cobuild/stars/"),
        Visit("/cobuild/stars/?year=2025&stars=5", "/cobuild/stars/?year=2025&stars=5"),
        Visit("POST /cobuild/stars/", "/cobuild/stars/", "post", {"year": "2025"}),
        Visit("/cobuild/chronicle/", "/cobuild/chronicle/"),
        Visit("POST /cobuild/chronicle/ generate", "/cobuild/chronicle/", "post",
              {"action": "generate", "year": "2025"}),
        Visit("POST /cobuild/chronicle/ empty", "/cobuild/chronicle/", "post", {}),
    ]


def test_moved_pages_answer_as_before(client_for, personas, tree, units):  # noqa: F811
    seen = walk(client_for, personas, visits(tree))
    assert not differences(EXPECTED, seen)
