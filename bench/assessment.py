"""The year's assessment at city size: 3,000 communities (--scale 1) with a year of records — 1,000,000
demands, 300,000 visits to 30,000 households, 36,000 joint meetings held — then:

- computing the year's scores of every community from those records (`scoring.scores_compute`: one
  grouped query per item over the communities' path prefix, a bulk insert of 15,000 scores with their
  formulas), against a hand-written SQL aggregate of the same scores (the same figures and formulas,
  summed per community in one statement, nothing written): ``assess_vs_hand_sql`` = hand SQL time /
  our time (below 1: ours costs more, as it also writes each score with its formula and evidence);
- the ranking page (first page, 50 of 3,000 rows, as a district administrator: full HTTP response
  through the Django test client) — median under 200 ms is the target;
- the totals of both agree (checked, not timed).

Rows go in with COPY.

    .venv/bin/python bench/assessment.py [--scale 0.05] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import datetime, timedelta
from decimal import Decimal

from _setup import setup_django, signed_in, timed

COMMUNITIES_PER_STREET = 10
HOUSEHOLDS = 10          # per community
VISITS = 100             # per community
MEETINGS = 12            # per community: monthly joint meetings
DEMANDS_PER_COMMUNITY = 333


def _copy(table: str, cols: list[str], rows) -> None:
    from django.db import connection

    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(scale: float, year: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import RoleAssignment, User
    from accounts.roles import Role
    from core.treepaths import child_path
    from demands.models import Category
    from regions.models import Region, RegionKind

    rng = random.Random(1818)
    n_comm = max(2, int(round(3000 * scale)))
    with connection.cursor() as cur:
        cur.execute("TRUNCATE assessment_score, assessment_schemeitem, assessment_scheme, grid_visit, grid_household, "
                    "grid_house, meetings_meeting, meetings_body, demands_demand, demands_demandevent, "
                    "accounts_roleassignment, regions_region RESTART IDENTITY CASCADE")
    now = timezone.now()
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        district = Region.objects.create(name="考核基准市", kind=RegionKind.DISTRICT)
        # Streets through the ORM; communities, grids, buildings with COPY (paths computed here).
        comms, grids, buildings = [], [], []
        next_id = 10
        streets = []
        for s in range((n_comm + COMMUNITIES_PER_STREET - 1) // COMMUNITIES_PER_STREET):
            streets.append(Region.objects.create(name=f"第{s + 1}街道", kind=RegionKind.STREET, parent=district))
        next_id = Region.objects.order_by("-pk").first().pk + 1
        rows = []
        for i in range(n_comm):
            st = streets[i // COMMUNITIES_PER_STREET]
            cid, gid, bid = next_id, next_id + 1, next_id + 2
            next_id += 3
            cpath = child_path(st.path, cid)
            gpath = child_path(cpath, gid)
            rows += [(cid, f"第{i + 1}社区", "community", False, "", st.pk, cpath, 3, i, now, now),
                     (gid, "第1网格", "grid", False, "", cid, gpath, 4, 0, now, now),
                     (bid, "1号楼", "building", False, "", gid, child_path(gpath, bid), 5, 0, now, now)]
            comms.append(cid)
            grids.append(gid)
            buildings.append(bid)
        _copy("regions_region", ["id", "name", "kind", "town", "division_code", "parent_id", "path", "depth",
                                 "sort_order", "created_at", "updated_at"], rows)
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('regions_region', 'id'), %s)", [next_id])
        admin = User.objects.filter(username="bench_assess_admin").first() or User.objects.create_user(
            "bench_assess_admin", password="x-Bench-2026", full_name="考核基准")
        RoleAssignment.objects.create(user=admin, role=Role.DISTRICT_ADMIN, region=district)
        # Households and visits.
        _copy("grid_house", ["id", "grid_id", "building_id", "unit", "number", "address", "use"],
              ((k * HOUSEHOLDS + h + 1, grids[k], buildings[k], "", str(h + 1), "基准地址", "self")
               for k in range(n_comm) for h in range(HOUSEHOLDS)))
        _copy("grid_household", ["id", "grid_id", "house_id", "number", "head_name", "is_care", "members", "status",
                                 "moved_out_reason"],
              ((k * HOUSEHOLDS + h + 1, grids[k], k * HOUSEHOLDS + h + 1, "", "户主", False, 3, "active", "")
               for k in range(n_comm) for h in range(HOUSEHOLDS)))
        start = datetime(year, 1, 1, tzinfo=tz)
        _copy("grid_visit", ["grid_id", "household_id", "worker_id", "visited_at", "findings", "created_at"],
              ((grids[k], k * HOUSEHOLDS + rng.randrange(HOUSEHOLDS) + 1, admin.pk,
                start + timedelta(days=rng.randrange(0, 330)), "走访", now)
               for k in range(n_comm) for _ in range(VISITS)))
        # One joint body per community, its meetings (a few missed).
        _copy("meetings_body", ["id", "name", "kind", "region_id", "rotating_chair", "since", "active",
                                "last_alert_period"],
              ((k + 1, "联席会", "joint", comms[k], False, start.date(), True, "") for k in range(n_comm)))
        _copy("meetings_meeting", ["body_id", "title", "date", "place", "ad_hoc", "agenda", "minutes", "status",
                                   "cancel_reason", "created_at"],
              ((k + 1, f"{m + 1}月联席会", start.date() + timedelta(days=30 * m + 10), "", False, "", "", "held", "",
                now) for k in range(n_comm) for m in range(MEETINGS) if rng.random() < 0.9))
        # A year of demands on the grids.
        cats = list(Category.objects.all()) or [Category.objects.create(code="bench", name="基准",
                                                                       response_minutes=60, handling_minutes=4320)]
        cols = ["tracking_code", "channel", "category_id", "title", "description", "address", "region_id",
                "caller_name", "caller_phone", "anonymous", "state", "version", "escalation", "overdue",
                "submitted_at", "response_due", "handling_due", "handled_at", "reopen_count", "satisfaction",
                "satisfaction_note", "updated_at", "secret_code", "description_full"]

        def demands():
            n = int(round(DEMANDS_PER_COMMUNITY * n_comm))
            for i in range(n):
                cat = cats[i % len(cats)]
                at = start + timedelta(seconds=rng.random() * 330 * 86400)
                hdue = at + timedelta(minutes=cat.handling_minutes)
                done = rng.random() < 0.93
                handled = at + timedelta(minutes=cat.handling_minutes * (0.2 + 1.1 * rng.random())) if done else None
                q = rng.random()
                sat = ("satisfied" if q < 0.8 else "basic" if q < 0.93 else "unsatisfied") if done else ""
                yield (f"B{i:011d}", "hotline", cat.pk, "基准诉求", "基准", "", grids[i % n_comm], "", "", False,
                       "closed" if done else "accepted", 1, 0, False, at, at + timedelta(minutes=cat.response_minutes),
                       hdue, handled, 0, sat, "", at, "", "")
        _copy("demands_demand", cols, demands())
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return {"admin": admin, "district": district, "communities": n_comm}


ITEMS = [  # (name, weight, method, source, target, co-building)
    ("召开党建联席会", 20, "count", "meetings_held", 12, True),
    ("入户走访覆盖率", 20, "rate", "visit_coverage", None, False),
    ("诉求解决率", 20, "rate", "demand_resolution", None, False),
    ("诉求满意率", 10, "rate", "demand_satisfaction", None, False),
    ("诉求按时办结率", 10, "rate", "demand_on_time", None, False),
    ("述职评议", 20, "committee", "", None, False),
]

HAND_SQL = """
WITH c AS (
  SELECT id, path FROM regions_region WHERE kind = 'community' AND path >= %(lo)s AND path < %(hi)s
), m AS (
  SELECT substr(r.path, 1, 24) AS p, count(*) AS n FROM meetings_meeting mt
  JOIN meetings_body b ON b.id = mt.body_id JOIN regions_region r ON r.id = b.region_id
  WHERE mt.status = 'held' AND mt.date >= %(d0)s AND mt.date < %(d1)s GROUP BY 1
), hh AS (
  SELECT substr(r.path, 1, 24) AS p, count(*) AS n FROM grid_household h JOIN regions_region r ON r.id = h.grid_id
  WHERE h.status = 'active' GROUP BY 1
), v AS (
  SELECT substr(r.path, 1, 24) AS p, count(DISTINCT v.household_id) AS n FROM grid_visit v
  JOIN regions_region r ON r.id = v.grid_id WHERE v.visited_at >= %(t0)s AND v.visited_at < %(t1)s GROUP BY 1
), d AS (
  SELECT substr(r.path, 1, 24) AS p, count(*) AS total, count(d.handled_at) AS resolved,
         count(*) FILTER (WHERE d.handled_at <= d.handling_due) AS on_time,
         count(*) FILTER (WHERE d.satisfaction <> '') AS rated,
         count(*) FILTER (WHERE d.satisfaction IN ('satisfied', 'basic')) AS satisfied
  FROM demands_demand d JOIN regions_region r ON r.id = d.region_id
  WHERE d.submitted_at >= %(t0)s AND d.submitted_at < %(t1)s GROUP BY 1
)
SELECT c.id,
  round(20 * least(coalesce(m.n, 0) / 12.0, 1), 2)
  + coalesce(round(20.0 * least(coalesce(v.n, 0), hh.n) / nullif(hh.n, 0), 2), 0)
  + coalesce(round(20.0 * d.resolved / nullif(d.total, 0), 2), 0)
  + coalesce(round(10.0 * d.satisfied / nullif(d.rated, 0), 2), 0)
  + coalesce(round(10.0 * d.on_time / nullif(d.resolved, 0), 2), 0) AS total
FROM c LEFT JOIN m ON m.p = c.path LEFT JOIN hh ON hh.p = c.path LEFT JOIN v ON v.p = c.path
LEFT JOIN d ON d.p = c.path ORDER BY total DESC, c.path
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the city (1: 3,000 communities)")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    url = setup_django()
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise SystemExit(f"PostgreSQL required (DATABASE_URL={url})")
    from assessment import scoring
    from assessment.models import SchemeItem, Score
    from core.treepaths import upper_bound
    from demands.models import Demand

    year = timezone.localdate().year
    t0 = time.perf_counter()
    world = build(args.scale, year)
    admin, district = world["admin"], world["district"]
    print(f"city of {world['communities']:,} communities with {Demand.objects.count():,} demands built in "
          f"{time.perf_counter() - t0:.0f} s")
    scheme = scoring.scheme_create(actor=admin, region=district, year=year, level="community",
                                   title=f"{year}年社区党建考核（基准）")
    SchemeItem.objects.bulk_create([SchemeItem(scheme=scheme, order=i, name=n, weight=w, method=m, source=s,
                                               target=t, cobuild=c) for i, (n, w, m, s, t, c) in enumerate(ITEMS, 1)])
    scheme = scoring.scheme_publish(actor=admin, scheme=scheme)

    t0 = time.perf_counter()
    written = scoring.scores_compute(actor=admin, scheme=scheme)
    compute_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE assessment_score")

    tz = timezone.get_current_timezone()
    params = {"lo": district.path, "hi": upper_bound(district.path), "d0": f"{year}-01-01", "d1": f"{year + 1}-01-01",
              "t0": datetime(year, 1, 1, tzinfo=tz), "t1": datetime(year + 1, 1, 1, tzinfo=tz)}

    def hand():
        with connection.cursor() as cur:
            cur.execute(HAND_SQL, params)
            return cur.fetchall()

    t0 = time.perf_counter()
    hand_rows = hand()
    hand_s = time.perf_counter() - t0
    # The same totals (checked, not timed).
    ours = {r.target.pk: r.total for r in scoring.ranking(scheme)}
    mismatches = sum(1 for pk, total in hand_rows if abs(Decimal(total) - ours.get(pk, 0)) > Decimal("0.011"))

    client = signed_in(admin)

    def ranking_page():
        r = client.get(f"/assessment/schemes/{scheme.pk}/ranking/")
        assert r.status_code == 200

    ranking_ms = timed(ranking_page, args.repeat)
    print(f"scores of the year computed for {world['communities']:,} communities ({written:,} scores written): "
          f"{compute_s:.1f} s (under 60 s: {'yes' if compute_s < 60 else 'NO'}); "
          f"hand-written SQL aggregate of the same totals: {hand_s:.1f} s; totals that differ: {mismatches}")
    print(f"ranking page (50 of {world['communities']:,}): median {ranking_ms[0]:.1f} ms, p95 {ranking_ms[1]:.1f} ms "
          f"(under 200 ms: {'yes' if ranking_ms[0] < 200 else 'NO'})")
    print(json.dumps({
        "communities": world["communities"], "demands": Demand.objects.count(), "scores": Score.objects.count(),
        "compute_s": round(compute_s, 2), "hand_sql_s": round(hand_s, 2), "totals_differ": mismatches,
        "ranking_ms_median": round(ranking_ms[0], 1), "ranking_ms_p95": round(ranking_ms[1], 1),
        "assess_vs_hand_sql": round(hand_s / compute_s, 3),
    }))


if __name__ == "__main__":
    main()
