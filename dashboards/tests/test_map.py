"""一张图: the offline base drawn from the grids, the point layers (facilities by state, Party positions,
open demands by urgency) and who sees which points (the role matrix; a node outside the scope is 404)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dashboards.selectors.map import outline
from demands import services as demand_services
from demands.models import Category, Channel
from grid import services as grid_services
from grid.models import Facility, FacilityKind, FacilityState

pytestmark = pytest.mark.django_db


def square(x0: float, y0: float, d: float = 0.01) -> str:
    return (f'{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x0 + d},{y0}],[{x0 + d},{y0 + d}],'
            f'[{x0},{y0 + d}],[{x0},{y0}]]]}}')


@pytest.fixture
def mapdata(tree, personas):
    from demands.defaults import DEFAULT_CATEGORIES

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))
    corners = {tree.east1_grid1: (89.50, 47.00), tree.east1_grid2: (89.51, 47.00),
               tree.east2_grid1: (89.50, 47.01), tree.west1_grid1: (89.20, 46.50)}
    for grid, (x, y) in corners.items():
        grid_services.grid_profile_update(actor=None, grid=grid, code=f"G{grid.pk}", boundary=square(x, y))
    facilities = {}
    for grid, (x, y) in corners.items():
        facilities[grid.pk] = [
            Facility.objects.create(grid=grid, kind=FacilityKind.CAMERA, name=f"{grid.name}摄像头",
                                    lat=y + 0.004, lng=x + 0.004, state=FacilityState.FAULT),
            Facility.objects.create(grid=grid, kind=FacilityKind.HYDRANT, name=f"{grid.name}消防栓",
                                    lat=y + 0.006, lng=x + 0.006),
            Facility.objects.create(grid=grid, kind=FacilityKind.PARTY_CENTER, name=f"{grid.parent.name}党群服务站",
                                    lat=y + 0.005, lng=x + 0.003),
        ]
    cat = Category.objects.get(code="convenience")
    now = timezone.now()
    demands = {}
    for grid, (x, y) in corners.items():
        demands[grid.pk] = demand_services.demand_create(
            actor=personas.district_admin, region=grid, channel=Channel.HOTLINE, category=cat,
            title=f"{grid.parent.name}{grid.name}路灯不亮", description="路灯坏了", lat=y + 0.002, lng=x + 0.002,
            submitted_at=now - timedelta(days=30))
    return {"facilities": facilities, "demands": demands}


def _layer(client, name, **params):
    return client.get(f"/grid/map/layer/{name}/", params)


def _ids(resp):
    assert resp.status_code == 200, resp.content
    return {f["properties"]["id"] for f in resp.json()["features"]}


def test_facilities_are_coloured_by_state_and_link_to_their_page(client_for, personas, tree, mapdata):
    data = _layer(client_for(personas.secretary), "facilities").json()
    by_name = {f["properties"]["name"]: f["properties"] for f in data["features"]}
    cam = by_name["网格1摄像头"]
    assert cam["c"] == "fault" and cam["state"] == "故障" and cam["kind"] == "雪亮工程摄像头"
    assert cam["url"].startswith("/grid/facilities/")
    assert client_for(personas.secretary).get(cam["url"]).status_code == 200
    # Party positions are their own layer, not facilities.
    assert not any("党群服务站" in n for n in by_name)
    # The legend lists only the states present: no 停用 here.
    assert [c["label"] for c in data["legend"]] == ["正常", "故障"]
    positions = _layer(client_for(personas.secretary), "positions").json()
    assert {f["properties"]["name"] for f in positions["features"]} == {"东一社区党群服务站"}


def test_open_demands_are_drawn_by_urgency(client_for, personas, tree, mapdata):
    data = _layer(client_for(personas.district_admin), "demands").json()
    assert len(data["features"]) == 4
    p = data["features"][0]["properties"]
    assert p["c"] == "overdue" and p["url"] == f"/demands/{p['id']}/"
    assert data["legend"] == [{"key": "overdue", "label": "已超期", "color": "#c62828", "count": 4}]
    assert client_for(personas.district_admin).get(p["url"]).status_code == 200


@pytest.mark.parametrize("who, grids_seen, status", [
    ("district_admin", {"east1_grid1", "east1_grid2", "east2_grid1", "west1_grid1"}, 200),
    ("street_staff", {"east1_grid1", "east1_grid2", "east2_grid1"}, 200),
    ("secretary", {"east1_grid1", "east1_grid2"}, 200),
    ("community_staff", {"east1_grid1", "east1_grid2"}, 200),
    ("grid_worker", {"east1_grid1"}, 200),
    ("west_secretary", {"west1_grid1"}, 200),
    ("member", set(), 403),
    ("liaison", set(), 403),
    ("sysadmin", set(), 403),
    ("secadmin", set(), 403),
    ("auditor", set(), 403),
])
def test_role_matrix_every_layer_in_scope_only(client_for, personas, tree, mapdata, who, grids_seen, status):
    c = client_for(getattr(personas, who))
    grids = [getattr(tree, g) for g in grids_seen]
    expect = {
        "facilities": {f.pk for g in grids for f in mapdata["facilities"][g.pk] if f.kind != "party_center"},
        "positions": {f.pk for g in grids for f in mapdata["facilities"][g.pk] if f.kind == "party_center"},
    }
    for layer in ("facilities", "positions", "demands", "base"):
        resp = _layer(c, layer)
        assert resp.status_code == status, (who, layer)
        if status != 200:
            continue
        if layer in expect:
            assert _ids(resp) == expect[layer], (who, layer)
    if status == 200 and who not in ("grid_worker",):
        # Demands: what the role's demand scope holds inside its map scope.
        seen = _ids(_layer(c, "demands"))
        assert seen <= {mapdata["demands"][g.pk].pk for g in grids}
    assert c.get("/grid/map/").status_code == status


@pytest.mark.parametrize("who, outside", [
    ("secretary", "west1"), ("secretary", "east2"), ("grid_worker", "east1"), ("grid_worker", "east1_grid2"),
    ("street_staff", "west"), ("west_secretary", "east1_grid1"),
])
def test_a_node_outside_the_scope_is_404_on_every_layer(client_for, personas, tree, mapdata, who, outside):
    c = client_for(getattr(personas, who))
    for layer in ("facilities", "positions", "demands", "base"):
        assert _layer(c, layer, region=getattr(tree, outside).pk).status_code == 404
    assert c.get("/grid/map/geojson/", {"region": getattr(tree, outside).pk}).status_code == 404
    assert c.get("/grid/map/", {"region": getattr(tree, outside).pk}).status_code == 404


def test_bad_parameters_are_named(client_for, personas, tree, mapdata):
    c = client_for(personas.secretary)
    assert _layer(c, "nothing").status_code == 404
    assert _layer(c, "facilities", region="1\x00").status_code == 400  # refused before the view
    assert _layer(c, "facilities", region="abc").status_code == 404
    resp = _layer(c, "facilities", crs="mars")
    assert resp.status_code == 400 and "坐标系" in resp.json()["detail"]
    gcj = _layer(c, "facilities", crs="gcj02").json()["features"][0]["geometry"]["coordinates"]
    wgs = _layer(c, "facilities").json()["features"][0]["geometry"]["coordinates"]
    assert gcj != wgs


def test_the_base_outlines_streets_and_communities_and_names_them(client_for, personas, tree, mapdata):
    data = _layer(client_for(personas.street_staff), "base").json()
    roles = [f["properties"]["role"] for f in data["features"]]
    assert roles.count("land") == 3
    labels = {f["properties"]["name"]: f["properties"]["kind"] for f in data["features"]
              if f["properties"]["role"] == "label"}
    assert labels == {"东街道": "street", "东一社区": "community", "东二社区": "community"}
    # 东一社区 is two squares side by side: its outline is the 2×1 rectangle (the shared edge is gone).
    comm = next(f for f in data["features"] if f["properties"]["role"] == "community-line"
                and f["properties"]["id"] == tree.east1.pk)
    pts = {tuple(p) for line in comm["geometry"]["coordinates"] for p in line}
    assert (89.51, 47.0) in pts and (89.51, 47.01) in pts  # the ends of the shared edge stay on the outline …
    xs_mid = [line for line in comm["geometry"]["coordinates"]
              if all(abs(p[0] - 89.51) < 1e-9 for p in line)]
    assert xs_mid == []  # … but no line runs along it


def test_outline_cuts_edges_at_a_neighbours_vertex():
    # One big cell (0..2 × 0..1) above two small ones (0..1, 1..2 × -1..0): the shared edge is cut at x=1.
    big = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 1], [0, 1], [0, 0]]]}
    a = {"type": "Polygon", "coordinates": [[[0, -1], [1, -1], [1, 0], [0, 0], [0, -1]]]}
    b = {"type": "Polygon", "coordinates": [[[1, -1], [2, -1], [2, 0], [1, 0], [1, -1]]]}
    lines = outline([big, a, b])
    segs = {tuple(sorted((tuple(p), tuple(q)))) for line in lines for p, q in zip(line, line[1:], strict=False)}
    assert ((0, 0), (1, 0)) not in segs and ((1, 0), (2, 0)) not in segs
    assert ((1, -1), (1, 0)) not in segs
    total = sum(abs(q[0] - p[0]) + abs(q[1] - p[1]) for p, q in segs)
    assert total == 8  # the perimeter of the 2 × 2 square
    assert len(lines) == 1  # chained into one closed line


def test_the_pmtiles_base_is_served_in_byte_ranges(client_for, personas, tree, settings, tmp_path):
    c = client_for(personas.secretary)
    assert c.get("/grid/map/base.pmtiles").status_code == 404
    f = tmp_path / "county.pmtiles"
    f.write_bytes(bytes(range(256)) * 4)
    settings.GRID_MAP_PMTILES = str(f)
    resp = c.get("/grid/map/base.pmtiles", HTTP_RANGE="bytes=0-15")
    assert resp.status_code == 206 and resp.content == bytes(range(16))
    assert resp["Content-Range"] == "bytes 0-15/1024"
    assert c.get("/grid/map/base.pmtiles", HTTP_RANGE="bytes=2000-").status_code == 416
    assert c.get("/grid/map/base.pmtiles", HTTP_RANGE="bytes=-4").content == bytes([252, 253, 254, 255])
    assert client_for(personas.auditor).get("/grid/map/base.pmtiles").status_code == 403


def test_the_map_is_one_tap_from_the_leaders_workbench_and_in_the_menu(client_for, personas):
    for who in ("district_admin", "street_staff", "secretary"):
        page = client_for(getattr(personas, who)).get("/").content.decode()
        assert 'id="home-map"' in page and 'href="/grid/map/"' in page
    assert 'id="home-map"' not in client_for(personas.member).get("/").content.decode()
    assert 'id="home-map"' not in client_for(personas.auditor).get("/").content.decode()


def test_the_demo_places_a_party_position_in_every_community(db):
    import json

    from dashboards import demo
    from grid.models import GridProfile
    from orgs import demo as foundation_demo
    from regions.models import Region, RegionKind

    foundation_demo.load()
    grids = list(Region.objects.filter(kind=RegionKind.GRID).order_by("id"))
    GridProfile.objects.bulk_create([GridProfile(region=g, boundary=square(89.0 + i * 0.01, 47.0))
                                     for i, g in enumerate(grids)])
    demo.load_positions()
    centres = Facility.objects.filter(kind=FacilityKind.PARTY_CENTER, name__endswith="党群服务中心")
    assert centres.count() == Region.objects.filter(kind=RegionKind.COMMUNITY, children__kind="grid").distinct().count()
    for f in Facility.objects.filter(kind=FacilityKind.PARTY_CENTER).select_related("grid__grid_profile"):
        ring = json.loads(f.grid.grid_profile.boundary)["coordinates"][0]
        assert min(p[0] for p in ring) < f.lng < max(p[0] for p in ring)
        assert min(p[1] for p in ring) < f.lat < max(p[1] for p in ring)


def _config(resp) -> dict:
    import json
    import re

    m = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', resp.content.decode(), re.S)
    assert m, "the page carries its map configuration"
    return json.loads(m.group(1))


def test_the_page_picks_its_base_tiles_then_pmtiles_then_drawn(client_for, personas, tree, settings, tmp_path):
    c = client_for(personas.secretary)
    settings.GRID_MAP_TILES = {}
    settings.GRID_MAP_PMTILES = ""
    cfg = _config(c.get("/grid/map/"))
    assert cfg["base"] == "drawn" and cfg["crs"] == "wgs84" and cfg["max_zoom"] == 18 and cfg["pmtiles"] == ""
    f = tmp_path / "county.pmtiles"
    f.write_bytes(b"PMTiles\x03" + bytes(120))
    settings.GRID_MAP_PMTILES = str(f)
    resp = c.get("/grid/map/")
    cfg = _config(resp)
    assert cfg["base"] == "pmtiles" and cfg["pmtiles"] == "/grid/map/base.pmtiles"
    assert "vendor/protomaps/protomaps-leaflet.js" in resp.content.decode()
    settings.GRID_MAP_TILES = {"url": "http://tiles.intranet/{z}/{x}/{y}.png", "crs": "gcj02",
                               "attribution": "内网天地图", "max_zoom": 17}
    resp = c.get("/grid/map/")
    cfg = _config(resp)
    assert cfg["base"] == "tiles" and cfg["crs"] == "gcj02" and cfg["max_zoom"] == 17
    assert cfg["tiles"]["url"] == "http://tiles.intranet/{z}/{x}/{y}.png"
    assert "GCJ-02 坐标，已换算" in resp.content.decode()
    assert "protomaps-leaflet.js" not in resp.content.decode()
    # Nothing from the internet: every script the page loads is the platform's own.
    import re

    assert all(src.startswith("/static/") for src in re.findall(r'<script[^>]* src="([^"]+)"', resp.content.decode()))


def test_the_tile_service_comes_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config import deploy

    for name in ("MAP_TILE_URL", "MAP_TILE_DATUM", "MAP_TILE_ATTRIBUTION", "MAP_TILE_MAXZOOM"):
        monkeypatch.delenv(name, raising=False)
    assert deploy.map_tiles() == {}
    monkeypatch.setenv("MAP_TILE_URL", "https://{s}.tiles.gov.local/vec/{z}/{x}/{y}.png")
    monkeypatch.setenv("MAP_TILE_DATUM", "GCJ02")
    monkeypatch.setenv("MAP_TILE_ATTRIBUTION", "天地图（内网）")
    assert deploy.map_tiles() == {"url": "https://{s}.tiles.gov.local/vec/{z}/{x}/{y}.png", "crs": "gcj02",
                                  "attribution": "天地图（内网）", "max_zoom": 18}
    assert deploy.tile_origin("https://{s}.tiles.gov.local/vec/{z}/{x}/{y}.png") == ["https://*.tiles.gov.local"]
    assert deploy.tile_origin("/tiles/{z}/{x}/{y}.png") == []
    monkeypatch.setenv("MAP_TILE_DATUM", "mars")
    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_DATUM"):
        deploy.map_tiles()
    monkeypatch.setenv("MAP_TILE_DATUM", "wgs84")
    monkeypatch.setenv("MAP_TILE_URL", "https://tiles.gov.local/vec.png")
    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_URL"):
        deploy.map_tiles()


def test_gcj02_layers_place_points_where_the_tiles_have_them(client_for, personas, tree, mapdata):
    from grid import coords

    c = client_for(personas.secretary)
    f = mapdata["facilities"][tree.east1_grid1.pk][0]
    feats = {x["properties"]["id"]: x for x in _layer(c, "facilities", crs="gcj02").json()["features"]}
    lng, lat = feats[f.pk]["geometry"]["coordinates"]
    assert (lng, lat) == pytest.approx(coords.wgs84_to_gcj02(f.lng, f.lat), abs=1e-6)
    assert lng - f.lng == pytest.approx(0.00280, abs=2e-4)  # ~200 m east in 富蕴县
    grid = next(x for x in c.get("/grid/map/geojson/", {"crs": "gcj02", "points": "0"}).json()["features"]
                if x["properties"]["id"] == tree.east1_grid1.pk)
    from grid.models import GridProfile

    profile = GridProfile.objects.get(region=tree.east1_grid1)
    assert grid["properties"]["center"] == pytest.approx(
        list(coords.wgs84_to_gcj02(profile.center_lng, profile.center_lat)), abs=1e-6)
    assert grid["properties"]["community"] == "东一社区" and grid["properties"]["community_id"] == tree.east1.pk


@pytest.mark.parametrize("who", ["district_admin", "street_staff", "secretary", "community_staff", "grid_worker"])
def test_cards_offer_the_actions_the_object_page_offers(client_for, personas, tree, mapdata, who):
    import re

    c = client_for(getattr(personas, who))
    facilities = _layer(c, "facilities").json()["features"]
    hydrant = next(f["properties"] for f in facilities if f["properties"]["name"].endswith("消防栓"))
    assert hydrant["actions"] == [["报告故障", hydrant["url"] + "#state"]]
    camera = next(f["properties"] for f in facilities if f["properties"]["name"].endswith("摄像头"))
    assert camera["actions"] == [["标记已修复", camera["url"] + "#state"]]
    assert 'id="state-form"' in c.get(camera["url"]).content.decode()  # the page has the form the card opens
    demands = _layer(c, "demands").json()["features"]
    assert demands
    for f in demands:
        p = f["properties"]
        page = c.get(p["url"]).content.decode()
        on_page = set(re.findall(r'data-action="(accept|dispatch|arrive|handle)"', page))
        offered = {a[1].rsplit("=", 1)[1] for a in p.get("actions", [])}
        assert offered == on_page, (who, p["name"])
        assert all(a[1].startswith(p["url"] + "?action=") for a in p.get("actions", []))
