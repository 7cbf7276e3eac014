"""Search, the grid profile, rules as data, the map and the expiring-permit list."""

import json

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from grid import selectors, services
from grid.models import GridProfile
from grid.tests.conftest import square

pytestmark = pytest.mark.django_db


def _names(c, q):
    return {r.name for r in c.get("/grid/residents/", {"q": q}).context["page"].object_list}


def test_search_by_name_initials_address_and_exact_id(personas, gdata, client_for):
    c = client_for(personas.secretary)
    assert _names(c, "张三") == {"张三"}
    assert _names(c, "zs") == {"张三"}
    assert _names(c, "ZHAO") == {"赵六"}
    assert _names(c, "阳光小区1号楼1单元201") == {"李四"}
    assert _names(c, gdata.id_numbers["王五"]) == {"王五"}
    # An ID number of someone outside the scope finds nothing.
    assert _names(c, gdata.id_numbers["孙八"]) == set()
    assert _names(c, "110101199001011234") == set()


def test_search_by_whole_mobile_number(personas, gdata, client_for):
    from grid.models import Resident

    wang = Resident.objects.get(pk=gdata.residents["g11"][1].pk)
    wang.phone = "13912345678"
    wang.save()
    c = client_for(personas.secretary)
    assert _names(c, "13912345678") == {wang.name}
    assert _names(c, "+86 139-1234-5678") == {wang.name}  # as people write it; full-width digits too
    assert _names(c, "１３９１２３４５６７８") == {wang.name}
    assert _names(c, "13912345679") == set()
    assert _names(c, "1391234") == set()  # part of a number is not a search by phone (no leak by prefix)
    # Outside the scope the same number finds nothing.
    assert _names(client_for(personas.other_grid_worker), "13912345678") == set()
    assert _names(client_for(personas.grid_worker), "13912345678") == {wang.name}


def test_filters_by_kind_and_care_tag(personas, gdata, client_for):
    c = client_for(personas.secretary)
    page = c.get("/grid/residents/", {"kind": "floating"}).context["page"]
    assert {r.name for r in page.object_list} == {"李四", "钱七"}
    page = c.get("/grid/residents/", {"care": "elderly_alone"}).context["page"]
    assert {r.name for r in page.object_list} == {"张三", "赵六"}


def test_resident_page_masks_and_reveals_with_purpose(personas, gdata, client_for):
    r = gdata.residents["g11"][0]
    full = gdata.id_numbers[r.name]
    worker = client_for(personas.grid_worker)
    body = worker.get(f"/grid/residents/{r.pk}/").content.decode()
    assert full not in body and "*" in body
    assert worker.post(f"/grid/residents/{r.pk}/", {"purpose": "核对"}).status_code == 403
    sec = client_for(personas.secretary)
    assert full not in sec.post(f"/grid/residents/{r.pk}/", {"purpose": ""}).content.decode()
    body = sec.post(f"/grid/residents/{r.pk}/", {"purpose": "办理低保核对身份"}).content.decode()
    assert full in body
    assert AuditEntry.objects.filter(action="view_pii", purpose="办理低保核对身份").count() == 1


def test_grid_profile_shows_people_places_things(personas, gdata, client_for, tree):
    c = client_for(personas.secretary)
    resp = c.get(f"/grid/{tree.east1_grid1.pk}/")
    body = resp.content.decode()
    assert resp.context["stats"]["residents"] == 3
    assert "一格一档" in body and "grid_worker" in body
    assert "出租房屋" in body and "设施" in body
    assert "修改档案" in body
    assert "修改档案" not in client_for(personas.grid_worker).get(f"/grid/{tree.east1_grid1.pk}/").content.decode()


def test_rules_as_data_list_breaches_on_the_community_page(personas, gdata, client_for, tree):
    c = client_for(personas.secretary)
    resp = c.get(f"/grid/?region={tree.east1.pk}")
    # No liaisons yet: 1:500 needs one per grid.
    assert any("联络员 0 名" in b.detail for b in resp.context["breaches"])
    services.liaison_add(actor=personas.secretary, grid=tree.east1_grid1, name="楼长甲")
    services.liaison_add(actor=personas.secretary, grid=tree.east1_grid2, name="楼长乙")
    assert c.get(f"/grid/?region={tree.east1.pk}").context["breaches"] == []
    services.rule_set(actor=personas.district_admin, key="residents_per_worker", value=2)
    breaches = c.get(f"/grid/?region={tree.east1.pk}").context["breaches"]
    assert [b.name for b in breaches] == ["网格1", "grid_worker"]
    assert "超过每人 2 人的上限" in breaches[0].detail
    with pytest.raises(ValidationError):
        services.rule_set(actor=personas.secretary, key="residents_per_worker", value=3)
    with pytest.raises(ValidationError):
        services.rule_set(actor=personas.district_admin, key="residents_per_worker", value=0)


def test_profile_update_validates_boundary_and_workers(personas, gdata, tree):
    g = tree.east1_grid1
    with pytest.raises(ValidationError) as e:
        services.grid_profile_update(actor=personas.secretary, grid=g, boundary="{bad")
    assert "GeoJSON" in str(e.value)
    with pytest.raises(ValidationError) as e:
        services.grid_profile_update(actor=personas.secretary, grid=g, boundary=square(200, 47))
    assert "WGS-84" in str(e.value)
    with pytest.raises(ValidationError) as e:
        services.grid_profile_update(actor=personas.secretary, grid=g, primary_worker=personas.member)
    assert "没有网格员" in str(e.value)
    with pytest.raises(ValidationError):
        services.grid_profile_update(actor=personas.grid_worker, grid=g, code="X")
    with pytest.raises(ValidationError) as e:
        services.grid_profile_update(actor=personas.secretary, grid=g, code="Tg12")
    assert "已被其他网格使用" in str(e.value)
    p = services.grid_profile_update(actor=personas.secretary, grid=g, code="N1", boundary=square(89.5, 47.0),
                                     primary_worker=personas.grid_worker, assistants=[personas.community_staff])
    assert p.center_lat == pytest.approx(47.004, abs=1e-3)
    assert list(GridProfile.objects.get(region=g).assistants.all()) == [personas.community_staff]


def test_edit_page_saves_profile(personas, gdata, client_for, tree):
    c = client_for(personas.secretary)
    resp = c.post(f"/grid/{tree.east1_grid1.pk}/edit/", {
        "code": "E-1", "boundary": square(89.6, 47.1), "primary_worker": personas.grid_worker.pk})
    assert resp.status_code == 302
    assert GridProfile.objects.get(region=tree.east1_grid1).code == "E-1"
    assert client_for(personas.grid_worker).get(f"/grid/{tree.east1_grid1.pk}/edit/").status_code == 403
    resp = c.post(f"/grid/{tree.east1_grid1.pk}/edit/", {"boundary": "[1,2]"})
    assert "Polygon" in resp.content.decode()


def test_map_geojson_colours_by_metric_and_converts_crs(personas, gdata, client_for, tree, settings):
    c = client_for(personas.secretary)
    data = c.get(f"/grid/map/geojson/?region={tree.east1.pk}&metric=coverage").json()
    grids = [f for f in data["features"] if f["properties"]["layer"] == "grid"]
    assert {f["properties"]["value"] for f in grids} == {0.0}
    assert data["metric_label"] == "本月走访覆盖率"
    assert any(f["properties"]["layer"] == "facility" for f in data["features"]) is False
    wgs = grids[0]["geometry"]["coordinates"][0][0]
    gcj = c.get(f"/grid/map/geojson/?region={tree.east1.pk}&crs=gcj02").json()
    moved = [f for f in gcj["features"] if f["properties"]["id"] == grids[0]["properties"]["id"]][0]
    assert moved["geometry"]["coordinates"][0][0] != wgs
    assert c.get("/grid/map/geojson/?crs=mars").status_code == 400
    # A configured tile layer declares its system; the map page passes it to the GeoJSON request.
    settings.GRID_MAP_TILES = {"url": "http://tiles.intranet/{z}/{x}/{y}.png", "crs": "bd09"}
    assert '"crs": "bd09"' in c.get("/grid/map/").content.decode()
    assert c.get(f"/grid/map/geojson/?region={tree.west1.pk}").status_code == 404


def test_map_colours_grids_by_any_metric_it_is_given(personas, gdata):
    extra = selectors.MapMetric("plugged", "测试指标", lambda ids: dict.fromkeys(ids, 7), "件")
    data = selectors.map_geojson(personas.secretary, region=None, metric=extra)
    assert data["features"] and {f["properties"]["value"] for f in data["features"]} == {7}
    assert (data["metric"], data["metric_label"], data["unit"]) == ("plugged", "测试指标", "件")


def test_expiring_permits_list(personas, gdata, client_for):
    page = client_for(personas.secretary).get("/grid/floating/expiring/").context["page"]
    assert {r.name for r in page.object_list} == {"李四", "钱七"}


def test_boundary_is_stored_compact_wgs84(personas, gdata, tree):
    p = GridProfile.objects.get(region=tree.east1_grid1)
    assert json.loads(p.boundary)["type"] == "Polygon"


def test_resident_counter_feeds_the_tree(personas, gdata, tree):
    counts = selectors.resident_counter([tree.east1, tree.east1_grid1, tree.east])
    assert counts[tree.east1.pk] == ("居民", 5)
    assert counts[tree.east1_grid1.pk] == ("居民", 3)
    assert tree.east.pk not in counts


def test_report_button_hidden_without_demands_route(personas, gdata, client_for, tree):
    body = client_for(personas.grid_worker).get("/grid/m/").content.decode()
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("demands:street_report")
    except NoReverseMatch:
        assert "上报事件" not in body
    else:
        assert "上报事件" in body


def test_unit_party_counter(personas, gdata, tree):
    from grid.models import GridUnit

    GridUnit.objects.create(grid=tree.east1_grid1, kind="firm", name="甲公司", has_party_org=True)
    GridUnit.objects.create(grid=tree.east1_grid2, kind="shop", name="乙商店")
    counts = selectors.unit_party_counter([tree.east1, tree.east1_grid2, tree.west1])
    assert counts[tree.east1.pk] == ("网格内单位已建党组织（共 2 家）", 1)
    assert counts[tree.east1_grid2.pk][1] == 0
    assert tree.west1.pk not in counts
