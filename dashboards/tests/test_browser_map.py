"""一张图 in the browser: the district admin and a community secretary look at the map at county, street and
grid zoom, on a desktop and on a 390×844 phone. In the page: no two visible labels overlap, grid labels
name their community, facilities of different states differ in colour, demands are drawn, points cluster
below grid zoom, the legend lists only the classes present, a click opens the card with its actions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser_fixtures import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = 0.004  # a grid cell, in degrees (some 300 × 450 m here)


def _square(x0: float, y0: float) -> str:
    return (f'{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x0 + D},{y0}],[{x0 + D},{y0 + D}],'
            f'[{x0},{y0 + D}],[{x0},{y0}]]]}}')


@pytest.fixture
def county(tree, personas):
    """Three communities of many small grids (labels that would pile up), each grid with a working hydrant,
    a camera (every third broken), an AED (one switched off); a Party position per community; open demands,
    some overdue."""
    from demands import services as demand_services
    from demands.defaults import DEFAULT_CATEGORIES
    from demands.models import Category, Channel
    from grid import services as grid_services
    from grid.models import Facility, FacilityKind, FacilityState
    from regions.models import Region, RegionKind

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))
    cat = Category.objects.get(code="convenience")
    layout = [(tree.east1, 89.500, 47.000, 12), (tree.east2, 89.516, 47.000, 9), (tree.west1, 89.420, 46.960, 6)]
    now = timezone.now()
    n = 0
    for comm, x, y, count in layout:
        grids = list(comm.children.filter(kind=RegionKind.GRID).order_by("id"))
        while len(grids) < count:
            grids.append(Region.objects.create(name=f"网格{len(grids) + 1}", kind=RegionKind.GRID, parent=comm))
        for i, grid in enumerate(grids):
            gx, gy = x + (i % 4) * D, y + (i // 4) * D
            grid_services.grid_profile_update(actor=None, grid=grid, code=f"T{grid.pk}", boundary=_square(gx, gy))
            n += 1
            Facility.objects.create(grid=grid, kind=FacilityKind.HYDRANT, name=f"{grid.name}消防栓",
                                    lat=gy + D * .7, lng=gx + D * .7)
            Facility.objects.create(grid=grid, kind=FacilityKind.CAMERA, name=f"{comm.name}{grid.name}摄像头",
                                    lat=gy + D * .3, lng=gx + D * .7,
                                    state=FacilityState.FAULT if n % 3 == 0 else FacilityState.NORMAL)
            if i == 1:
                Facility.objects.create(grid=grid, kind=FacilityKind.AED, name=f"{comm.name}除颤仪",
                                        lat=gy + D * .5, lng=gx + D * .25, state=FacilityState.OFFLINE)
            if i == 0:
                Facility.objects.create(grid=grid, kind=FacilityKind.PARTY_CENTER, name=f"{comm.name}党群服务中心",
                                        lat=gy + D * .5, lng=gx + D * .5)
            if i % 2 == 0:
                demand_services.demand_create(
                    actor=personas.district_admin, region=grid, channel=Channel.HOTLINE, category=cat,
                    title=f"{comm.name}{grid.name}路灯不亮", description="路灯坏了",
                    lat=gy + D * .3, lng=gx + D * .3,
                    submitted_at=now - (timedelta(days=30) if i % 4 == 0 else timedelta(hours=1)))
    return tree


NO_OVERLAP = """() => {
  const els = [...document.querySelectorAll('#grid-map .map-label:not(.lb-hidden)')];
  const r = els.map(e => e.getBoundingClientRect());
  const bad = [];
  for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++) {
    const a = r[i], b = r[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
      bad.push(els[i].textContent + ' / ' + els[j].textContent);
  }
  return {texts: els.map(e => e.textContent), kinds: [...new Set(els.map(e => e.dataset.kind))], bad};
}"""

COLOURS = """(layer) => Object.fromEntries([...document.querySelectorAll('#grid-map .mk-' + layer)].map(
  e => [[...e.classList].find(c => c.startsWith('mk-c-')).slice(5), getComputedStyle(e.firstChild).backgroundColor]))"""


def _zoom_to(page, tier: str, lat: float = 47.006, lng: float = 89.512):
    zooms = page.eval_on_selector("#grid-map", "e => e.dataset.zooms").split(",")
    comm, grid = int(zooms[0]), int(zooms[1])
    z = {"county": comm - 1, "street": comm, "grid": grid}[tier]
    page.evaluate(f"() => dangjianMap.setView([{lat}, {lng}], {z}, {{animate: false}})")
    want = {"county": "street", "street": "community", "grid": "grid"}[tier]
    page.wait_for_function(f"() => document.getElementById('grid-map').dataset.tier === '{want}'")
    page.wait_for_timeout(400)  # the clusters settle after the zoom
    labels = page.evaluate(NO_OVERLAP)
    assert labels["bad"] == [], labels["bad"]
    assert labels["texts"], f"no label at {tier} zoom"
    assert labels["kinds"] == [want], labels
    return labels


@pytest.mark.parametrize("who, viewport", [
    ("district_admin", (1280, 860)), ("district_admin", (390, 844)),
    ("secretary", (1280, 860)), ("secretary", (390, 844)),
])
def test_the_map_at_county_street_and_grid_zoom(page_for, personas, county, who, viewport):
    page = page_for(viewport=viewport)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, who, PASSWORD)
    page.goto("/grid/map/")
    page.wait_for_selector("#grid-map[data-loaded]", state="attached")
    phone = "phone" if viewport[0] < 500 else "desktop"
    assert page.locator("#map-base-note").inner_text().startswith("底图：按网格边界绘制")
    assert page.evaluate("dangjianMap.getMaxZoom()") == 18

    # County zoom: street names only, the points clustered.
    labels = _zoom_to(page, "county")
    assert set(labels["texts"]) <= {"东街道", "西镇"}
    assert page.locator("#grid-map .mk-cluster").count() > 0
    screenshot(page, f"map_{who}_{phone}_county")

    # Street zoom: community names, none on top of another.
    labels = _zoom_to(page, "street")
    assert set(labels["texts"]) <= {"东一社区", "东二社区", "西一社区"}
    screenshot(page, f"map_{who}_{phone}_street")

    # Grid zoom: 社区·网格 names; facilities in their state's colour, demands drawn one by one.
    labels = _zoom_to(page, "grid", lat=47.004, lng=89.508)
    assert all("社区·网格" in t for t in labels["texts"]), labels["texts"]
    colours = page.evaluate(COLOURS, "facilities")
    assert {"normal", "fault"} <= set(colours), colours
    assert colours["normal"] != colours["fault"]
    assert page.locator("#grid-map .mk-demands").count() > 0
    demand_colours = page.evaluate(COLOURS, "demands")
    assert set(demand_colours) <= {"overdue", "soon", "open"} and demand_colours
    legend = page.locator(".map-legend").inner_text()
    assert "故障" in legend and "已超期" in legend and "居民人数" in legend
    assert "0–0" not in legend
    if who == "secretary":
        assert "西一社区" not in page.locator("body").inner_text()  # outside the secretary's scope
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
    screenshot(page, f"map_{who}_{phone}_grid")

    # A click on an overdue demand opens its card with the demand page and the actions the role has.
    inside = page.evaluate("""() => {
      const m = document.getElementById('grid-map').getBoundingClientRect();
      return [...document.querySelectorAll('#grid-map .mk-demands.mk-c-overdue')].findIndex(e => {
        const r = e.getBoundingClientRect();
        return r.left > m.left + 60 && r.right < m.right - 60 && r.top > m.top + 60 && r.bottom < m.bottom - 60;
      });
    }""")
    assert inside >= 0, "no overdue demand in view at grid zoom"
    page.locator("#grid-map .mk-demands.mk-c-overdue").nth(inside).click()
    popup = page.locator(".leaflet-popup .map-card")
    popup.wait_for()
    page.wait_for_timeout(300)  # the popup fades in
    assert popup.locator("a.card-open").inner_text() == "查看诉求"
    actions = popup.locator("a.card-action").all_inner_texts()
    assert "派单" in actions, actions
    screenshot(page, f"map_{who}_{phone}_card")
    href = popup.locator("a.card-action", has_text="派单").get_attribute("href")
    page.goto(href)
    assert page.evaluate("document.activeElement.dataset.action") == "dispatch"
    assert errors == []


def test_a_grid_worker_sees_no_actions_outside_their_right_to_handle(page_for, personas, county):
    # The grid worker sees their grid's points; a facility's card offers the state change (their grid).
    page = page_for()
    login(page, "grid_worker", PASSWORD)
    page.goto("/grid/map/")
    page.wait_for_selector("#grid-map[data-loaded]", state="attached")
    page.wait_for_selector("#grid-map .mk-facilities")
    page.locator("#grid-map .mk-facilities.mk-c-normal").first.click()
    popup = page.locator(".leaflet-popup .map-card")
    popup.wait_for()
    assert popup.locator("a.card-action").all_inner_texts() == ["报告故障"]
    assert page.locator("#grid-map .mk-facilities").count() == 2  # one grid: a hydrant and a camera
