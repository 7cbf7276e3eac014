"""数据驾驶舱: the stored rollup agrees with counting live, the incremental refresh picks up a day's
changes, figures open their lists, the date range is checked, and the role matrix."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from dashboards.models import DayFigures, NodeFigures, RollupRun
from dashboards.rollup import rollup_refresh
from dashboards.selectors.leader import dashboard, dashboard_live, previous_range
from demands import services
from demands.models import Category, Channel, Demand, Satisfaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(db):
    from demands.defaults import DEFAULT_CATEGORIES

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))
    return Category.objects.get(code="convenience")


def _at(d: date, hour=10):
    return datetime(d.year, d.month, d.day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def records(tree, personas, categories):
    """Demands in two months under three communities: some resolved and rated, one overdue."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)

    def make(region, day, **kw):
        d = services.demand_create(actor=personas.district_admin, region=region, channel=Channel.HOTLINE,
                                   category=categories, title="楼道灯不亮", description="三单元楼道灯坏了",
                                   submitted_at=_at(day))
        if kw:
            Demand.objects.filter(pk=d.pk).update(**kw)
        return d

    made = []
    for _ in range(3):
        made.append(make(tree.east1_grid1, this_month, handled_at=_at(this_month, 12),
                         satisfaction=Satisfaction.SATISFIED))
    made.append(make(tree.east1_grid1, this_month))
    made.append(make(tree.east2, this_month))
    made.append(make(tree.west1, this_month, overdue=True, handling_due=_at(this_month, 11)))
    made.append(make(tree.east1_grid2, last_month, handled_at=_at(last_month, 12)))
    return made


def _nz(c) -> dict:
    return {k: v for k, v in c.items() if v}


def _tuple(board):
    return (_nz(board.days), _nz(board.prev), _nz(board.stock), board.series, board.categories,
            [(c.region.pk, _nz(c.days), _nz(c.stock)) for c in board.children])


def test_the_stored_county_and_street_boards_match_counting_live(tree, records):
    rollup_refresh(full=True)
    today = timezone.localdate()
    start = today.replace(day=1)
    for node in (tree.district, tree.east):
        stored, live = dashboard(node, start, today), dashboard_live(node, start, today)
        assert not stored.live and live.live
        assert _tuple(stored) == _tuple(live)
    county = dashboard(tree.district, start, today)
    assert county.days["demands"] == 6
    last_end = start - timedelta(days=1)
    last_month = dashboard(tree.district, last_end.replace(day=1), last_end)
    assert last_month.days["demands"] == 1 and last_month.days["resolved"] == 1
    assert county.rates["now"]["resolution"] == pytest.approx(0.5)
    assert county.rates["now"]["satisfaction"] == 1.0
    east = {c.region.pk: c for c in dashboard(tree.east, start, today).children}
    assert east[tree.east1.pk].days["demands"] == 4      # the grid's four
    assert east[tree.east2.pk].days["demands"] == 1
    assert NodeFigures.objects.get(region=tree.west1).overdue_open == 1
    # A community's board counts live, its children are the grids.
    community = dashboard(tree.east1, start, today)
    assert community.live
    assert {c.region.pk: c.days["demands"] for c in community.children} == {
        tree.east1_grid1.pk: 4, tree.east1_grid2.pk: 0}


def test_the_incremental_refresh_recounts_the_changed_days_only(tree, records, personas, categories):
    rollup_refresh(full=True)
    today = timezone.localdate()
    old_day = today - timedelta(days=200)
    services.demand_create(actor=personas.district_admin, region=tree.east2, channel=Channel.HOTLINE,
                           category=categories, title="路灯不亮", description="路灯", submitted_at=_at(old_day))
    run = rollup_refresh()
    assert not run.full and run.days >= 31
    row = DayFigures.objects.get(region=tree.east2, day=old_day)
    assert row.demands == 1 and row.parent_id == tree.east.pk
    assert DayFigures.objects.get(region=tree.district, day=old_day).demands == 1
    assert RollupRun.objects.count() == 2


def test_previous_period_is_the_same_length_or_the_months_before():
    assert previous_range(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert previous_range(date(2026, 1, 1), date(2026, 3, 31)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert previous_range(date(2026, 3, 1), date(2026, 3, 10)) == (date(2026, 2, 19), date(2026, 2, 28))


def test_the_page_shows_figures_with_links_and_freshness(tree, personas, client_for, records):
    rollup_refresh(full=True)
    r = client_for(personas.district_admin).get("/dashboard/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "汇总数据更新于" in html and "较上期" in html and "data-print" in html
    assert f"/demands/?region={tree.district.pk}&amp;overdue=1" in html
    assert f'href="/dashboard/{tree.east.pk}/?start=' in html
    assert "东街道" in html and "西镇" in html
    r = client_for(personas.district_admin).get(f"/dashboard/{tree.east1.pk}/")
    assert "数据为实时统计" in r.content.decode()


def test_a_figure_opens_the_filtered_list_behind_it(tree, personas, client_for, records):
    c = client_for(personas.district_admin)
    today = timezone.localdate()
    start = today.replace(day=1)
    r = c.get(f"/demands/?region={tree.east1.pk}&since={start}&until={today}")
    assert r.status_code == 200 and len(r.context["page"].object_list) == 4
    r = c.get(f"/demands/?region={tree.west1.pk}&overdue=1")
    assert len(r.context["page"].object_list) == 1
    r = c.get(f"/demands/?region={tree.district.pk}&since=2026-13-01")
    assert r.status_code == 200 and "起始日期" in r.content.decode()
    # Someone else's region is not found, as everywhere.
    r = client_for(personas.street_staff).get(f"/demands/?region={tree.west1.pk}")
    assert r.status_code == 404


@pytest.mark.parametrize("query, message", [
    ("start=2026-05-10&end=2026-05-01", "起始日期不能晚于截止日期"),
    ("start=2026-02-30&end=2026-03-01", "起始日期应为"),
    ("start=2020-01-01&end=2026-01-01", "日期范围最长三年"),
    ("start=2026-01-01%00&end=2026-01-02", ""),
])
def test_a_bad_range_is_refused_with_the_reason(tree, personas, client_for, query, message):
    r = client_for(personas.district_admin).get(f"/dashboard/?{query}")
    assert r.status_code == 400
    assert message in r.content.decode()


@pytest.mark.parametrize("who, node, status", [
    ("district_admin", "district", 200), ("district_admin", "east1_grid1", 200),
    ("street_staff", "east", 200), ("street_staff", "east1", 200), ("street_staff", "west", 404),
    ("street_staff", "district", 404),
    ("secretary", "east1", 200), ("secretary", "east", 404), ("west_secretary", "east1", 404),
    ("community_staff", "east1", 200), ("community_staff", "west1", 404),
    ("grid_worker", "east1_grid1", 403), ("member", "east1", 403), ("liaison", "east1", 403),
    ("sysadmin", "district", 403), ("secadmin", "district", 403), ("auditor", "district", 403),
    ("nobody", "district", 403), ("superuser", "west", 200),
])
def test_role_matrix(tree, personas, client_for, who, node, status):
    r = client_for(getattr(personas, who)).get(f"/dashboard/{getattr(tree, node).pk}/")
    assert r.status_code == status
    r = client_for(getattr(personas, who)).get("/dashboard/")
    assert r.status_code == (403 if status == 403 else 200)


def test_anonymous_is_sent_to_sign_in(client):
    r = client.get("/dashboard/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_the_menu_offers_the_dashboard_to_leaders_only(personas, client_for):
    assert "数据驾驶舱" in client_for(personas.secretary).get("/").content.decode()
    assert "数据驾驶舱" not in client_for(personas.grid_worker).get("/").content.decode()
