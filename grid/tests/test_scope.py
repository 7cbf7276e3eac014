"""Role matrix: who sees which residents — pages, the map's GeoJSON and the API agree."""

import pytest

pytestmark = pytest.mark.django_db


def _page_names(client) -> set[str]:
    resp = client.get("/grid/residents/")
    if resp.status_code != 200:
        return set()
    return {r.name for r in resp.context["page"].object_list}


def _api_names(client) -> set[str] | None:
    resp = client.get("/api/grid/residents/?page_size=500")
    if resp.status_code != 200:
        return None
    return {r["name"] for r in resp.json()["results"]}


def _map_grids(client) -> set[int] | None:
    resp = client.get("/grid/map/geojson/?metric=residents")
    if resp.status_code != 200:
        return None
    return {f["properties"]["id"] for f in resp.json()["features"] if f["properties"]["layer"] == "grid"}


@pytest.mark.parametrize("who,expected", [
    ("grid_worker", {"g11"}),
    ("other_grid_worker", {"g12"}),
    ("secretary", {"g11", "g12"}),
    ("community_staff", {"g11", "g12"}),
    ("street_staff", {"g11", "g12"}),
    ("west_secretary", {"w11"}),
    ("district_admin", {"g11", "g12", "w11"}),
    ("superuser", {"g11", "g12", "w11"}),
])
def test_pages_map_and_api_agree(who, expected, personas, tree, gdata, client_for):
    c = client_for(getattr(personas, who))
    names = {r.name for k in expected for r in gdata.residents[k]}
    grid_ids = {gdata.residents[k][0].grid_id for k in expected}
    assert _page_names(c) == names
    assert _api_names(c) == names
    assert _map_grids(c) == grid_ids
    # Outside the scope every entry point answers 404, like a missing record.
    for key, rs in gdata.residents.items():
        status = 200 if key in expected else 404
        assert c.get(f"/grid/residents/{rs[0].pk}/").status_code == status
        assert c.get(f"/api/grid/residents/{rs[0].pk}/").status_code == status
        assert c.get(f"/grid/{rs[0].grid_id}/").status_code == status
        assert c.get(f"/grid/households/{rs[0].household_id}/").status_code == status


@pytest.mark.parametrize("who", ["member", "liaison", "sysadmin", "secadmin", "auditor", "nobody"])
def test_roles_without_grid_access_see_nothing(who, personas, gdata, client_for):
    c = client_for(getattr(personas, who))
    for url in ["/grid/", "/grid/residents/", "/grid/map/", "/grid/map/geojson/", "/grid/visits/", "/grid/m/"]:
        assert c.get(url).status_code == 403, url
    assert c.get("/api/grid/residents/").status_code == 403
    assert c.get(f"/grid/residents/{gdata.residents['g11'][0].pk}/").status_code == 403


def test_anonymous_is_sent_to_login(gdata, client):
    assert client.get("/grid/residents/").status_code == 302
    assert client.get("/api/grid/residents/").status_code == 401


def test_api_masks_personal_numbers(personas, gdata, client_for):
    row = client_for(personas.secretary).get("/api/grid/residents/").json()["results"][0]
    assert "*" in row["id_number"] and "*" in row["phone"]
    full = gdata.id_numbers[row["name"]]
    assert full not in client_for(personas.secretary).get("/api/grid/residents/").content.decode()


def test_visit_photo_is_scoped(personas, gdata, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from grid import services
    from grid.tests.conftest import png_bytes

    hh = gdata.households["g11"][0]
    visit = services.visit_log(actor=personas.grid_worker, household=hh, visited_at=timezone.now(), findings="正常",
                               photos=[SimpleUploadedFile("a.png", png_bytes(), "image/png")])
    photo = visit.photos.get()
    assert client_for(personas.grid_worker).get(f"/grid/photos/{photo.pk}/").status_code == 200
    assert client_for(personas.other_grid_worker).get(f"/grid/photos/{photo.pk}/").status_code == 404
