"""Data-scope cost at city size.

A tree of 10 districts × 15 streets × 10 communities × 20 grids (30,000 grids) and 1,000,000
rows scoped to grids (Party organizations attached to grid nodes). Measures, through the scope
mechanism (accounts.scope.scope_filter with the acting user's role assignments), the time of
  - counting the rows under one street (as that street's staff), and
  - the first page (50 rows, newest first) of the rows under one district (as its admin),
with the user's scope resolved once per request (as request.user caches it; timed separately),
and the same queries written by hand in SQL on the same database. A ratio is the hand-written
query's time over ours (above 1: we are faster; the target is above 0.67).

    .venv/bin/python bench/tree_scope.py [--scale 0.01] [--repeat 200]
"""

from __future__ import annotations

import argparse
import io
import json
import time

from _setup import setup_django, timed


def build(scale: float) -> dict:
    from django.db import connection

    from accounts.models import RoleAssignment, User
    from accounts.roles import Role
    from regions.models import Region

    districts = max(1, round(10 * min(scale, 1.0) ** 0.5))
    rows = int(1_000_000 * scale)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE orgs_partyorg, accounts_roleassignment, regions_region RESTART IDENTITY CASCADE")
    # Level by level: insert with placeholder paths, then set path = parent path + own segment in SQL.
    shape = [("district", districts), ("street", 15), ("community", 10), ("grid", 20)]
    parents: list[int | None] = [None]
    for depth, (kind, fanout) in enumerate(shape, start=1):
        objs = [
            Region(name=f"{kind}{i}", kind=kind, parent_id=p, path=f"tmp-{depth}-{n}", depth=depth)
            for n, (p, i) in enumerate((p, i) for p in parents for i in range(fanout))
        ]
        created = Region.objects.bulk_create(objs, batch_size=5000)
        parents = [r.pk for r in created]
        with connection.cursor() as cur:
            if depth == 1:
                cur.execute("UPDATE regions_region SET path = lpad(id::text, 8, '0') WHERE depth = 1")
            else:
                cur.execute(
                    "UPDATE regions_region c SET path = p.path || lpad(c.id::text, 8, '0') "
                    "FROM regions_region p WHERE c.parent_id = p.id AND c.depth = %s", [depth]
                )
    grids = parents
    # COPY the rows: spread evenly over the grids.
    buf = io.StringIO()
    for i in range(rows):
        buf.write(f"支部{i}\tgrid\tbranch\t{grids[i % len(grids)]}\t\t\t\\N\t\\N\tnow()\tnow()\n")
    with connection.cursor() as cur:
        with cur.connection.cursor().copy(
            "COPY orgs_partyorg (name, level, form, region_id, host_name, secretary_name, parent_id, secretary_id,"
            " created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write(buf.getvalue().replace("now()", "2026-01-01 00:00:00+08"))
        cur.execute("ANALYZE regions_region")
        cur.execute("ANALYZE orgs_partyorg")
    street = Region.objects.filter(kind="street").order_by("id")[len(grids) // 600 if scale >= 1 else 0]
    district = Region.objects.filter(kind="district").order_by("id").first()
    street_user, _ = User.objects.get_or_create(username="bench_street")
    district_user, _ = User.objects.get_or_create(username="bench_district")
    RoleAssignment.objects.create(user=street_user, role=Role.STREET_STAFF, region=street)
    RoleAssignment.objects.create(user=district_user, role=Role.DISTRICT_ADMIN, region=district)
    return {
        "street": street, "district": district, "street_user": street_user, "district_user": district_user,
        "nodes": Region.objects.count(), "grids": len(grids), "rows": rows, "build_s": time.perf_counter() - t0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    url = setup_django()

    from django.db import connection

    from accounts.roles import Perm
    from accounts.scope import clear_cache, scope_filter, scope_paths
    from core.treepaths import upper_bound
    from orgs.models import PartyOrg

    data = build(args.scale)
    street, district = data["street"], data["district"]
    print(f"database: {url.rsplit('@', 1)[-1]}")
    print(f"tree: {data['nodes']} nodes, {data['grids']} grids; rows: {data['rows']:,} "
          f"(built in {data['build_s']:.1f} s)")

    # A request resolves the user's role assignments once (cached on request.user) and then runs its
    # queries; the resolution is timed on its own below.
    def resolve_scope():
        user = data["district_user"]
        clear_cache(user)
        return scope_paths(user, Perm.TREE_VIEW)

    def ours_count():
        return scope_filter(PartyOrg.objects.all(), data["street_user"], Perm.TREE_VIEW).count()

    def hand_count():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM orgs_partyorg o JOIN regions_region r ON r.id = o.region_id "
                "WHERE r.path >= %s AND r.path < %s", [street.path, upper_bound(street.path)]
            )
            return cur.fetchone()[0]

    def ours_page():
        return list(scope_filter(PartyOrg.objects.all(), data["district_user"], Perm.TREE_VIEW).order_by("-id")[:50])

    def hand_page():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT o.* FROM orgs_partyorg o JOIN regions_region r ON r.id = o.region_id "
                "WHERE r.path >= %s AND r.path < %s ORDER BY o.id DESC LIMIT 50",
                [district.path, upper_bound(district.path)],
            )
            return cur.fetchall()

    assert ours_count() == hand_count(), "scope count differs from the hand-written query"
    assert [o.pk for o in ours_page()] == [r[0] for r in hand_page()], "scope page differs"
    count_ms, count_p95 = timed(ours_count, args.repeat)
    hand_count_ms, _ = timed(hand_count, args.repeat)
    page_ms, page_p95 = timed(ours_page, args.repeat)
    hand_page_ms, _ = timed(hand_page, args.repeat)
    resolve_ms, _ = timed(resolve_scope, args.repeat)
    figures = {
        "rows": data["rows"],
        "grids": data["grids"],
        "scope_count_ms_median": round(count_ms, 3),
        "scope_count_ms_p95": round(count_p95, 3),
        "hand_count_ms_median": round(hand_count_ms, 3),
        "scope_count_vs_hand_sql": round(hand_count_ms / count_ms, 3),
        "scope_page_ms_median": round(page_ms, 3),
        "scope_page_ms_p95": round(page_p95, 3),
        "hand_page_ms_median": round(hand_page_ms, 3),
        "scope_page_vs_hand_sql": round(hand_page_ms / page_ms, 3),
        "scope_resolve_ms_median": round(resolve_ms, 3),
    }
    print(f"count rows under one street ({hand_count():,} rows): ours {count_ms:.2f} ms, hand SQL "
          f"{hand_count_ms:.2f} ms, ratio {figures['scope_count_vs_hand_sql']}")
    print(f"first page under one district: ours {page_ms:.2f} ms, hand SQL {hand_page_ms:.2f} ms, "
          f"ratio {figures['scope_page_vs_hand_sql']}")
    print(f"resolving a user's scope (once per request): {resolve_ms:.2f} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
