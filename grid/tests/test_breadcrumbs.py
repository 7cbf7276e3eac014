"""Breadcrumbs of the grid pages: one way for all (grid/crumbs.py trail() → grid/_crumbs.html through
grid/base.html), and every page under a grid shows the path to its grid (网格列表 › community › grid …).
A grid worker sees their community named but not linked (its list is outside their scope)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from grid import services

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "grid"


def crumbs_of(body: str) -> list[tuple[str, str | None]]:
    """The page's breadcrumb items as (text, link or None); exactly one trail per page."""
    trails = re.findall(r'<ol class="breadcrumb[^"]*"[^>]*>(.*?)</ol>', body, re.S)
    assert len(trails) == 1, f"{len(trails)} breadcrumb trails"
    out = []
    for item in re.findall(r'<li class="breadcrumb-item[^"]*">(.*?)</li>', trails[0], re.S):
        link = re.fullmatch(r'\s*<a href="([^"]*)">(.*?)</a>\s*', item, re.S)
        out.append((html.unescape(link.group(2)), html.unescape(link.group(1))) if link
                   else (html.unescape(item.strip()), None))
    return out


@pytest.fixture
def pages(gdata, tree):
    """Every page under 网格1 of 东一社区 (grid id, URL), with one of each thing in it."""
    g = tree.east1_grid1
    hh, rental = gdata.households["g11"][0], gdata.households["g11"][1]
    r = gdata.residents["g11"][0]
    today = timezone.localdate()
    lease = services.lease_create(actor=None, house=rental.house, landlord_name="房东甲", start_date=today,
                                  end_date=today + timedelta(days=365))
    facility = services.facility_create(actor=None, grid=g, kind="camera", name="1号门摄像头", lat=47.005,
                                        lng=89.505)
    unit = services.unit_create(actor=None, grid=g, kind="shop", name="便民超市")
    liaison = services.liaison_add(actor=None, grid=g, name="联络员甲", duty="楼栋长")
    b = tree.building.pk
    everyone = [
        f"/grid/{g.pk}/liaisons/",
        f"/grid/buildings/{b}/", f"/grid/buildings/{b}/houses/new/",
        f"/grid/houses/{hh.house_id}/", f"/grid/houses/{hh.house_id}/edit/",
        f"/grid/houses/{hh.house_id}/households/new/", f"/grid/houses/{rental.house_id}/leases/new/",
        f"/grid/households/{hh.pk}/", f"/grid/households/{hh.pk}/edit/", f"/grid/households/{hh.pk}/move-out/",
        f"/grid/households/{hh.pk}/residents/new/",
        f"/grid/residents/{r.pk}/", f"/grid/residents/{r.pk}/edit/", f"/grid/residents/{r.pk}/leave/",
        f"/grid/residents/{r.pk}/transfer/",
        f"/grid/leases/{lease.pk}/edit/", f"/grid/leases/{lease.pk}/end/",
        f"/grid/m/visit/?household={hh.pk}",
        f"/grid/facilities/{facility.pk}/", f"/grid/facilities/{facility.pk}/edit/", f"/grid/units/{unit.pk}/edit/",
        f"/grid/facilities/?region={g.pk}", f"/grid/facilities/broken/?region={g.pk}",
        f"/grid/units/?region={g.pk}", f"/grid/facilities/new/?region={g.pk}&grid={g.pk}",
        f"/grid/units/new/?region={g.pk}&grid={g.pk}",
    ]
    editors = [f"/grid/{g.pk}/edit/", f"/grid/liaisons/{liaison.pk}/edit/"]
    return {"grid": g, "everyone": everyone, "editors": editors}


@pytest.mark.parametrize("who", ["secretary", "grid_worker"])
def test_every_page_under_a_grid_shows_the_path_to_its_grid(who, pages, tree, personas, client_for):
    g, community = pages["grid"], tree.east1
    c = client_for(getattr(personas, who))
    community_link = f"/grid/?region={community.pk}" if who == "secretary" else None   # outside a worker's scope
    urls = pages["everyone"] + (pages["editors"] if who == "secretary" else [])
    for url in urls:
        resp = c.get(url)
        assert resp.status_code == 200, url
        crumbs = crumbs_of(resp.content.decode())
        assert crumbs[:3] == [("网格列表", "/grid/"), ("东一社区", community_link), ("网格1", f"/grid/{g.pk}/")], \
            (url, crumbs)
    # The grid's own page: the path to it (its name is the title).
    body = c.get(f"/grid/{g.pk}/").content.decode()
    assert crumbs_of(body) == [("网格列表", "/grid/"), ("东一社区", community_link)]
    assert "网格1 · 一格一档" in body


def test_household_page_has_the_full_path_to_its_house(gdata, tree, personas, client_for):
    hh = gdata.households["g11"][0]
    body = client_for(personas.secretary).get(f"/grid/households/{hh.pk}/").content.decode()
    assert crumbs_of(body) == [
        ("网格列表", "/grid/"), ("东一社区", f"/grid/?region={tree.east1.pk}"),
        ("网格1", f"/grid/{tree.east1_grid1.pk}/"), ("阳光小区", None),
        ("1号楼", f"/grid/buildings/{tree.building.pk}/"), ("1单元101", f"/grid/houses/{hh.house_id}/"),
    ]
    assert "住户 · 阳光小区1号楼1单元101" in body     # the title is kept
    # A form page's trail ends at what it changes: here the resident, after their household.
    r = gdata.residents["g11"][0]
    body = client_for(personas.grid_worker).get(f"/grid/residents/{r.pk}/edit/").content.decode()
    assert crumbs_of(body)[-2:] == [("户主 张三", f"/grid/households/{hh.pk}/"), ("张三", f"/grid/residents/{r.pk}/")]


def test_pages_above_the_grids_start_at_the_grid_list(tree, personas, client_for):
    c = client_for(personas.secretary)
    assert crumbs_of(c.get(f"/grid/facilities/?region={tree.east1.pk}").content.decode()) == [
        ("网格列表", "/grid/"), ("东一社区", f"/grid/?region={tree.east1.pk}")]
    assert crumbs_of(c.get(f"/grid/?region={tree.east1.pk}").content.decode()) == [("网格列表", "/grid/")]
    assert 'class="breadcrumb' not in c.get("/grid/").content.decode()


def test_one_way_for_every_grid_template():
    """Every grid page extends grid/base.html, whose breadcrumbs are the view's trail; none writes its own."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text()
        if name in ("base.html", "_crumbs.html"):
            continue
        assert '{% extends "base.html" %}' not in text, f"{name}: extend grid/base.html"
        assert "{% block breadcrumbs %}" not in text and 'class="breadcrumb' not in text, \
            f"{name}: breadcrumbs come from grid/crumbs.py trail()"
