"""Grid pages at city size: the grid profile (一格一档), a community's grid list with visit
coverage, and the map GeoJSON of one street, measured as full HTTP responses (Django test
client: middleware, session, scope, queries, template or JSON) for a district administrator.

The city grows in two steps inside one PostgreSQL database: first to a tenth of the target
(100,000 residents, 3,000 grids at --scale 1), measure; then to the full size (1,000,000
residents, 30,000 grids), measure the very same grid, community and street again. The cost
follows what is shown (one grid, 10 grids, 100 grids), not the city: the two sets of medians
should be close. Shape: 100 grids per street, 10 per community, about 33 residents per grid in
about 12 households, one compound with two buildings per grid, facilities, visits this month and
last month. Rows go in with COPY; ID numbers are real AES-GCM tokens (a pool of 1,000 reused,
with unique blind-index values) so column widths are realistic.

    .venv/bin/python bench/grid_pages.py [--scale 0.1] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import timedelta

from _setup import setup_django, signed_in, timed

GRIDS_PER_COMMUNITY = 10
COMMUNITIES_PER_STREET = 10
RESIDENTS_PER_GRID = 33  # 1,000,000 / 30,000
HOUSEHOLDS_PER_GRID = 12


def _label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1000:
        return f"{n // 1000}k"
    return str(n)


class Builder:
    def __init__(self):
        from django.db import connection

        self.conn = connection
        self.rng = random.Random(30000)
        self.streets_built = 0
        self.ids: dict[str, int] = {}
        self.district = None
        self.token_pool: list[str] = []

    def _next_ids(self, table: str, n: int) -> list[int]:
        with self.conn.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cur.fetchall()]

    def _copy(self, table: str, cols: list[str], rows: list[tuple]) -> None:
        with self.conn.cursor() as cur:
            with cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def reset(self) -> None:
        from django.db import transaction

        from accounts.models import RoleAssignment, User
        from accounts.roles import Role
        from core.crypto import encrypt_text
        from regions.models import Region, RegionKind

        with self.conn.cursor() as cur:
            cur.execute("TRUNCATE grid_visitphoto, grid_visit, grid_rentallease_tenants, grid_rentallease, "
                        "grid_resident, grid_household, grid_house, grid_facility, grid_gridunit, grid_gridliaison, "
                        "grid_buildinginfo, grid_gridprofile_assistants, grid_gridprofile RESTART IDENTITY CASCADE")
        old = Region.objects.filter(name="网格基准市", kind=RegionKind.DISTRICT).first()
        if old is not None:
            with transaction.atomic(), self.conn.cursor() as cur:
                from core.treepaths import upper_bound

                cur.execute("DELETE FROM accounts_roleassignment WHERE region_id IN (SELECT id FROM regions_region "
                            "WHERE path >= %s AND path < %s)", [old.path, upper_bound(old.path)])
                cur.execute("DELETE FROM orgs_partyorg WHERE region_id IN (SELECT id FROM regions_region "
                            "WHERE path >= %s AND path < %s)", [old.path, upper_bound(old.path)])
                # One statement: foreign keys are checked at its end (Django's are deferred anyway).
                cur.execute("DELETE FROM regions_region WHERE path >= %s AND path < %s",
                            [old.path, upper_bound(old.path)])
        self.district = Region.objects.create(name="网格基准市", kind=RegionKind.DISTRICT)
        self.user = User.objects.filter(username="bench_grid_admin").first()
        if self.user is None:
            self.user = User.objects.create_user("bench_grid_admin", password="x-Bench-2026", full_name="网格基准")
        RoleAssignment.objects.filter(user=self.user).delete()
        RoleAssignment.objects.create(user=self.user, role=Role.DISTRICT_ADMIN, region=self.district)
        self.token_pool = [encrypt_text(f"65432219{i:010d}") for i in range(1000)]

    def grow_to(self, streets: int) -> None:
        """Add streets (each 100 grids) until there are `streets`; one transaction per 10 streets."""
        from django.db import transaction

        while self.streets_built < streets:
            n = min(10, streets - self.streets_built)
            with transaction.atomic():
                self._add_streets(self.streets_built, n)
            self.streets_built += n

    def _add_streets(self, first: int, n: int) -> None:
        from django.utils import timezone

        from core.treepaths import child_path

        rng = self.rng
        now = timezone.now()
        month0 = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        last_month = (month0 - timedelta(days=1)).replace(day=1)
        grids_n = n * COMMUNITIES_PER_STREET * GRIDS_PER_COMMUNITY
        region_ids = iter(self._next_ids("regions_region", n * (1 + COMMUNITIES_PER_STREET) + grids_n * 4))
        regions, profiles, binfo, facilities = [], [], [], []
        grids = []  # (grid id, grid path, [building ids], lng, lat)
        stamp = now
        for s in range(first, first + n):
            sid = next(region_ids)
            spath = child_path(self.district.path, sid)
            regions.append((sid, f"基准街道{s}", "street", False, "", self.district.pk, spath, 2, s, stamp, stamp))
            for c in range(COMMUNITIES_PER_STREET):
                cid = next(region_ids)
                cpath = child_path(spath, cid)
                regions.append((cid, f"基准社区{s}-{c}", "community", False, "", sid, cpath, 3, c, stamp, stamp))
                for g in range(GRIDS_PER_COMMUNITY):
                    gid = next(region_ids)
                    gpath = child_path(cpath, gid)
                    regions.append((gid, f"第{g + 1}网格", "grid", False, "", cid, gpath, 4, g, stamp, stamp))
                    kid = next(region_ids)
                    kpath = child_path(gpath, kid)
                    regions.append((kid, f"基准{s}-{c}-{g}小区", "compound", False, "", gid, kpath, 5, 0, stamp, stamp))
                    blds = []
                    x0 = 100 + (s % 100) * 0.1 + c * 0.01 + (g % 5) * 0.002
                    y0 = 30 + (s // 100) * 0.1 + (g // 5) * 0.002
                    for b in range(2):
                        bid = next(region_ids)
                        regions.append((bid, f"{b + 1}号楼", "building", False, "", kid, child_path(kpath, bid), 6, b,
                                        stamp, stamp))
                        blds.append(bid)
                        binfo.append((bid, y0 + 0.001, x0 + 0.0005 + b * 0.001, 6))
                    ring = [[x0, y0], [x0 + 0.002, y0], [x0 + 0.002, y0 + 0.002], [x0, y0 + 0.002], [x0, y0]]
                    boundary = json.dumps({"type": "Polygon", "coordinates": [[[round(a, 6), round(b, 6)]
                                                                               for a, b in ring]]},
                                          separators=(",", ":"))
                    profiles.append((gid, f"G{gid}", boundary, y0 + 0.001, x0 + 0.001, stamp))
                    for k in range(3):
                        facilities.append((gid, ["camera", "hydrant", "notice_board"][k], f"设施{k}",
                                           y0 + 0.0005 * k, x0 + 0.0005, "normal"))
                    grids.append((gid, blds))
        self._copy("regions_region", ["id", "name", "kind", "town", "division_code", "parent_id", "path", "depth",
                                      "sort_order", "created_at", "updated_at"], regions)
        self._copy("grid_gridprofile", ["region_id", "code", "boundary", "center_lat", "center_lng", "updated_at"],
                   profiles)
        self._copy("grid_buildinginfo", ["region_id", "lat", "lng", "floors"], binfo)
        self._copy("grid_facility", ["grid_id", "kind", "name", "lat", "lng", "state"], facilities)

        house_ids = iter(self._next_ids("grid_house", grids_n * HOUSEHOLDS_PER_GRID))
        hh_ids = iter(self._next_ids("grid_household", grids_n * HOUSEHOLDS_PER_GRID))
        houses, households, residents, visits = [], [], [], []
        worker = self.user.pk
        for gid, blds in grids:
            left = RESIDENTS_PER_GRID
            for h in range(HOUSEHOLDS_PER_GRID):
                hid, hhid = next(house_ids), next(hh_ids)
                bid = blds[h % 2]
                houses.append((hid, gid, bid, "1", f"{h + 1}01", f"{gid}-{bid}-{h + 1}01", "self"))
                size = left if h == HOUSEHOLDS_PER_GRID - 1 else min(left, rng.choice([2, 3, 3, 4]))
                left -= size
                visited = None
                if rng.random() < 0.9:
                    at = last_month + timedelta(hours=rng.randint(9, 600))
                    visits.append((gid, hhid, worker, at, "正常", now))
                    visited = at
                if rng.random() < 0.6:
                    at = month0 + timedelta(minutes=rng.randint(0, max(1, int((now - month0).total_seconds() // 60))))
                    visits.append((gid, hhid, worker, at, "正常", now))
                    visited = at
                care = rng.random() < 0.08
                households.append((hhid, gid, hid, "", f"户主{hhid}", visited, care, size))
                for m in range(size):
                    self.ids["res"] = self.ids.get("res", 0) + 1
                    rid = self.ids["res"]
                    residents.append((gid, hhid, f"居民{rid}", "jm", "jumin", "M", None,
                                      self.token_pool[rid % 1000], f"{rid:064x}", "", None,
                                      "registered", "head" if m == 0 else "child", 1 if care and m == 0 else 0,
                                      None, None, now))
        self._copy("grid_house", ["id", "grid_id", "building_id", "unit", "number", "address", "use"], houses)
        self._copy("grid_household", ["id", "grid_id", "house_id", "number", "head_name", "last_visited_at",
                                      "is_care", "members"], households)
        self._copy("grid_resident", ["grid_id", "household_id", "name", "name_initials", "name_pinyin", "gender",
                                     "birth_date", "id_number", "id_number_hash", "phone", "phone_hash", "kind",
                                     "relation", "care_flags", "arrival_date", "permit_expiry", "created_at"],
                   residents)
        self._copy("grid_visit", ["grid_id", "household_id", "worker_id", "visited_at", "findings", "created_at"],
                   visits)

    def analyze(self) -> None:
        with self.conn.cursor() as cur:
            for t in ["regions_region", "grid_gridprofile", "grid_house", "grid_household", "grid_resident",
                      "grid_visit", "grid_facility", "grid_buildinginfo"]:
                cur.execute(f"ANALYZE {t}")

    def counts(self) -> dict:
        with self.conn.cursor() as cur:
            out = {}
            for t in ["grid_resident", "grid_household", "grid_visit"]:
                cur.execute(f"SELECT count(*) FROM {t}")
                out[t] = cur.fetchone()[0]
            from core.treepaths import upper_bound

            cur.execute("SELECT count(*) FROM regions_region WHERE kind = 'grid' AND path >= %s AND path < %s",
                        [self.district.path, upper_bound(self.district.path)])
            out["grids"] = cur.fetchone()[0]
            cur.execute("SELECT pg_size_pretty(pg_total_relation_size('grid_resident'))")
            out["resident_table"] = cur.fetchone()[0]
        return out


def measure(builder: Builder, repeat: int) -> dict[str, tuple[float, float]]:

    from regions.models import Region, RegionKind

    street = Region.objects.get(parent=builder.district, name="基准街道0")
    community = Region.objects.get(parent=street, name="基准社区0-0")
    grid = Region.objects.filter(parent=community, kind=RegionKind.GRID).order_by("sort_order").first()
    c = signed_in(builder.user)

    def get(url, expect=b""):
        def fn():
            resp = c.get(url)
            assert resp.status_code == 200, (url, resp.status_code)
            if expect:
                assert expect in resp.content, url
        return fn

    geo = c.get(f"/grid/map/geojson/?region={street.pk}&metric=coverage").json()
    assert len([f for f in geo["features"] if f["properties"]["layer"] == "grid"]) == 100
    return {
        "grid_profile": timed(get(f"/grid/{grid.pk}/", "一格一档".encode()), repeat),
        "community_grid_list": timed(get(f"/grid/?region={community.pk}", "覆盖率".encode()), repeat),
        "street_map_geojson": timed(get(f"/grid/map/geojson/?region={street.pk}&metric=coverage"), repeat),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the city (1: 1,000,000 residents)")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    url = setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"PostgreSQL required (DATABASE_URL={url})")
    big_streets = max(2, round(300 * args.scale))
    small_streets = max(1, big_streets // 10)
    b = Builder()
    b.reset()
    result: dict = {}
    medians: dict[str, dict[str, float]] = {}
    target = int(round(1_000_000 * args.scale))
    for streets, nominal in ((small_streets, target // 10), (big_streets, target)):
        t0 = time.perf_counter()
        b.grow_to(streets)
        b.analyze()
        counts = b.counts()
        label = _label(nominal)  # the nominal size (streets hold 3,300 residents each)
        print(f"city with {counts['grid_resident']:,} residents, {counts['grid_household']:,} households, "
              f"{counts['grids']:,} grids, {counts['grid_visit']:,} visits (resident table "
              f"{counts['resident_table']}); built in {time.perf_counter() - t0:.0f} s")
        figures = measure(b, args.repeat)
        medians[label] = {}
        for name, (median, p95) in figures.items():
            print(f"  {name} ({label}): median {median:.1f} ms, p95 {p95:.1f} ms")
            result[f"{name}_{label}_ms_median"] = round(median, 2)
            medians[label][name] = median
        result[f"residents_{label}"] = counts["grid_resident"]
    small, big = list(medians)
    for name in medians[big]:
        ratio = medians[big][name] / medians[small][name]
        print(f"{name}: {big} / {small} = {ratio:.2f} (a flat cost stays near 1); under 200 ms: "
              f"{'yes' if medians[big][name] < 200 else 'NO'}")
        result[f"{name}_growth_ratio"] = round(ratio, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
