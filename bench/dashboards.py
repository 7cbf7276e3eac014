"""数据驾驶舱 at city size: the county (district) and street dashboards from the rollup tables next to
counting the very same figures live from the records, and the time of a rollup refresh after one
day's changes.

The city is the one of bench/demands.py (10 districts x 15 streets x 10 communities x 20 grids =
30,000 grids; 1,000,000 demands over a year x --scale, loaded with COPY) plus a year of visits
(1,000,000 x --scale, spread over one household in the first grid of every community). Each figure is
measured for this month and for the whole last year:
  - `county_month_ms_median` / `county_year_ms_median`: the district's dashboard page (HTTP through
    the Django test client as the district administrator: middleware, scope, queries, template);
  - `street_month_ms_median`: a street's page;
  - `map_demands_county_ms_median` / `map_demands_street_ms_median`: 一张图's layer of open demands by
    urgency (GeoJSON, /grid/map/layer/demands/) for the county and for a street;
  - `county_live_month_ms_median` / `county_live_year_ms_median`: the same board counted live
    (dashboards.selectors.leader.dashboard_live), the peer;
  - `dashboard_vs_live` (month) and `dashboard_year_vs_live`: live time / rollup time (selector only);
  - `refresh_full_s`, `refresh_one_day_s`: a full refresh, and an incremental one after a day's work
    (1/365 of the demands new, as many changed, a day of visits).
The last line is one JSON object.

    DATABASE_URL=postgres://... .venv/bin/python bench/dashboards.py [--scale 0.1] [--repeat 15]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import time
from datetime import timedelta
from pathlib import Path

from _setup import setup_django, signed_in, timed

HERE = Path(__file__).resolve().parent


def _bench_demands():
    spec = importlib.util.spec_from_file_location("bench_demands_city", HERE / "demands.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    # Columns the demand gained after bench/demands.py was written (NOT NULL without a default).
    extra = {"secret_code": "", "description_full": "基准测试生成的诉求内容"}
    missing = [c for c in extra if c not in mod.COLS]
    if missing:
        generate = mod.generate
        mod.COLS = mod.COLS + missing

        def generate_full(*args, **kwargs):
            for row in generate(*args, **kwargs):
                yield row + tuple(extra[c] for c in missing)

        mod.generate = generate_full
    return mod


def load_visits(target: int, worker_id: int) -> int:
    from django.db import connection
    from django.utils import timezone

    from grid.models import House, Household, Visit
    from regions.models import Region, RegionKind

    if Visit.objects.filter(findings="基准走访").count() == target:
        return target
    Visit.objects.filter(findings="基准走访").delete()
    grids = []
    for c in Region.objects.filter(kind=RegionKind.COMMUNITY).values_list("pk", flat=True).iterator():
        grids.append(c)
    first_grid = {}
    for pk, parent in Region.objects.filter(kind=RegionKind.GRID, parent_id__in=grids).order_by("id").values_list(
            "pk", "parent_id").iterator():
        first_grid.setdefault(parent, pk)
    have = set(Household.objects.filter(head_name="基准户主").values_list("grid_id", flat=True))
    houses = House.objects.bulk_create(
        [House(grid_id=g, building_id=g, number="1", address="基准地址") for g in first_grid.values() if g not in have],
        batch_size=5000)
    Household.objects.bulk_create([Household(grid_id=h.grid_id, house=h, head_name="基准户主") for h in houses],
                                  batch_size=5000)
    hh = list(Household.objects.filter(head_name="基准户主").values_list("pk", "grid_id"))
    rng, now = random.Random(7), timezone.now()
    with connection.cursor() as c:
        with c.cursor.copy("COPY grid_visit (grid_id, household_id, worker_id, visited_at, findings, created_at) "
                           "FROM STDIN") as copy:
            for _ in range(target):
                h, g = rng.choice(hh)
                at = now - timedelta(seconds=rng.random() * 365 * 86400)
                copy.write_row((g, h, worker_id, at, "基准走访", at))
        c.execute("VACUUM ANALYZE grid_visit")
    return target


def one_days_work(n_new: int, n_changed: int, n_visits: int, worker_id: int) -> None:
    """What a day brings: new demands, older ones handled, visits."""
    from django.db import connection
    from django.utils import timezone

    from demands.models import Demand

    now = timezone.now()
    with connection.cursor() as c:
        # The demands handled today are today's work: open ones submitted in the last two weeks (the
        # handling deadlines are days, not months), so the refresh recounts those days, not the year.
        c.execute("""UPDATE demands_demand SET handled_at = %s, state = 'handled', updated_at = %s
                     WHERE id IN (SELECT id FROM demands_demand WHERE state <> 'closed' AND title = '基准诉求'
                                  AND submitted_at >= %s ORDER BY submitted_at DESC LIMIT %s)""",
                  [now, now, now - timedelta(days=14), n_changed])
        c.execute("""INSERT INTO demands_demand (tracking_code, channel, category_id, title, description, address,
                       region_id, caller_name, caller_phone, anonymous, state, version, escalation, overdue,
                       submitted_at, response_due, handling_due, reopen_count, satisfaction, satisfaction_note,
                       updated_at, secret_code, description_full)
                     SELECT 'D' || substr(md5(random()::text), 1, 11), channel, category_id, '基准新诉求', description,
                       address, region_id, '', '', false, 'submitted', 1, 0, false, %s, %s, %s, 0, '', '', %s,
                       secret_code, description_full
                     FROM demands_demand WHERE title = '基准诉求' ORDER BY id DESC LIMIT %s""",
                  [now, now + timedelta(hours=1), now + timedelta(days=3), now, n_new])
        c.execute("""INSERT INTO grid_visit (grid_id, household_id, worker_id, visited_at, findings, created_at)
                     SELECT grid_id, household_id, worker_id, %s, '基准走访', %s FROM grid_visit
                     WHERE findings = '基准走访' LIMIT %s""", [now, now, n_visits])
    assert Demand.objects.filter(title="基准新诉求").count() >= n_new


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--only-map", action="store_true",
                    help="only 一张图's demands layer, on the city an earlier run built (no rebuild, no refresh)")
    args = ap.parse_args()
    setup_django()

    from django.db import connection
    from django.utils import timezone

    from dashboards.rollup import rollup_refresh
    from dashboards.selectors.leader import dashboard, dashboard_live
    from regions.models import Region, RegionKind

    assert connection.vendor == "postgresql", "the bench runs on PostgreSQL"
    bd = _bench_demands()
    t0 = time.perf_counter()
    roots = bd.build_tree()
    district = roots[0]
    street = Region.objects.filter(parent=district, kind=RegionKind.STREET).order_by("id").first()
    community = Region.objects.filter(parent=street).order_by("id").first()
    grid = Region.objects.filter(parent=community).order_by("id").first()
    admin, street_staff, worker = bd.build_people(district, street, community, grid)
    grid_ids = list(Region.objects.filter(kind=RegionKind.GRID).values_list("pk", flat=True))
    target = max(1000, int(1_000_000 * args.scale))
    if args.only_map:
        from demands.models import OPEN_STATES, Demand

        size = f"{target // 1000}k" if target < 1_000_000 else f"{target // 1_000_000}m"
        points = Demand.objects.filter(state__in=OPEN_STATES, lat__isnull=False).count()
        out = {"demands": Demand.objects.count(), "open_points": points}
        for name, user, node in (("county", admin, district), ("street", street_staff, street)):
            c = signed_in(user)

            def fn(c=c, node=node):
                r = c.get("/grid/map/layer/demands/", {"region": node.pk})
                assert r.status_code == 200 and b'"features"' in r.content
            med, p95 = timed(fn, args.repeat)
            out[f"map_demands_{name}_{size}_ms_median"] = round(med, 1)
            out[f"map_demands_{name}_{size}_ms_p95"] = round(p95, 1)
        print(json.dumps(out, ensure_ascii=False))
        return
    bd.load_demands(target, grid_ids, set(), worker.pk)
    visits = load_visits(max(1000, int(1_000_000 * args.scale)), worker.pk)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rollup_refresh(full=True)
    refresh_full_s = time.perf_counter() - t0
    with connection.cursor() as c:
        c.execute("ANALYZE dashboards_dayfigures; ANALYZE dashboards_categoryday; ANALYZE dashboards_nodefigures")
    print(f"city: {len(grid_ids)} grids, {target} demands, {visits} visits (built in {build_s:.0f} s); "
          f"full refresh {refresh_full_s:.1f} s")

    today = timezone.localdate()
    month = (today.replace(day=1), today)
    year = (today - timedelta(days=364), today)
    client = signed_in(admin)
    client_street = signed_in(street_staff)

    def page(c, node, rng):
        def fn():
            r = c.get(f"/dashboard/{node.pk}/?start={rng[0]}&end={rng[1]}")
            assert r.status_code == 200 and "汇总数据更新于".encode() in r.content
        return fn

    res = {}
    res["county_month"] = timed(page(client, district, month), args.repeat)
    res["county_year"] = timed(page(client, district, year), args.repeat)
    res["street_month"] = timed(page(client_street, street, month), args.repeat)

    def layer(c, node, name):
        def fn():
            r = c.get(f"/grid/map/layer/{name}/", {"region": node.pk})
            assert r.status_code == 200 and b'"features"' in r.content
        return fn

    # 一张图's open demands by urgency (GeoJSON) over the 1M demands: the county's and a street's.
    res["map_demands_county"] = timed(layer(client, district, "demands"), args.repeat)
    res["map_demands_street"] = timed(layer(client_street, street, "demands"), args.repeat)
    sel_month = timed(lambda: dashboard(district, *month), args.repeat)
    sel_year = timed(lambda: dashboard(district, *year), args.repeat)
    live_repeat = max(3, args.repeat // 3)
    res["county_live_month"] = timed(lambda: dashboard_live(district, *month), live_repeat)
    res["county_live_year"] = timed(lambda: dashboard_live(district, *year), live_repeat)

    per_day = max(1, target // 365)
    one_days_work(per_day, per_day, max(1, visits // 365), worker.pk)
    t0 = time.perf_counter()
    run = rollup_refresh()
    refresh_day_s = time.perf_counter() - t0
    size = f"{target // 1000}k" if target < 1_000_000 else f"{target // 1_000_000}m"
    out = {"scale": args.scale, "grids": len(grid_ids), "demands": target, "visits": visits, "size": size}
    for k, (med, p95) in res.items():
        out[f"{k}_{size}_ms_median"] = round(med, 1)
        out[f"{k}_{size}_ms_p95"] = round(p95, 1)
    out["county_selector_month_ms_median"] = round(sel_month[0], 1)
    out["county_selector_year_ms_median"] = round(sel_year[0], 1)
    out["dashboard_vs_live"] = round(res["county_live_month"][0] / sel_month[0], 1)
    out["dashboard_year_vs_live"] = round(res["county_live_year"][0] / sel_year[0], 1)
    out["refresh_full_s"] = round(refresh_full_s, 1)
    out["refresh_one_day_s"] = round(refresh_day_s, 2)
    out["refresh_one_day_days"] = run.days
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
