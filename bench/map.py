"""一张图 at county size: 1,000 grids with their boundaries and 100,000 facilities (--scale 1), then:

- the facilities layer of the whole county as a user whose scope is the county (full HTTP response through
  the Django test client: scope, query, GeoJSON) — ``layer_100k_ms_median``;
- the same points serialised the naive way (model instances, the choice labels and the detail URL
  looked up per row, JsonResponse) — ``naive_100k_ms_median``; ``layer_vs_naive`` = naive / ours;
- the offline base drawn from the grids (community and street outlines, labels): the first request
  computes it (``base_first_ms``), later ones read the cache (``base_ms_median``).

    .venv/bin/python bench/map.py [--scale 0.1] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import time

from _setup import setup_django, signed_in, timed

STREETS = 10
COMMUNITIES = 10   # per street
GRIDS = 10         # per community
FACILITIES = 100   # per grid


def _square(x0: float, y0: float, d: float) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d],
                                                           [x0, y0]]]})


def build(scale: float) -> dict:
    from django.db import connection, transaction

    from accounts.models import RoleAssignment, User
    from accounts.roles import Role
    from grid.models import Facility, FacilityKind, FacilityState, GridProfile
    from regions.models import Region, RegionKind

    rng = random.Random(19)
    n_streets = max(1, int(round(STREETS * scale)))
    with connection.cursor() as cur:
        cur.execute("TRUNCATE grid_facility, grid_gridprofile, accounts_roleassignment, regions_region "
                    "RESTART IDENTITY CASCADE")
    d = 0.004
    with transaction.atomic():
        district = Region.objects.create(name="一张图基准县", kind=RegionKind.DISTRICT)
        profiles, facilities = [], []
        kinds = [FacilityKind.CAMERA, FacilityKind.HYDRANT, FacilityKind.AED, FacilityKind.NOTICE_BOARD]
        for s in range(n_streets):
            street = Region.objects.create(name=f"第{s + 1}街道", kind=RegionKind.STREET, parent=district)
            for c in range(COMMUNITIES):
                comm = Region.objects.create(name=f"第{s + 1}-{c + 1}社区", kind=RegionKind.COMMUNITY, parent=street)
                for g in range(GRIDS):
                    grid = Region.objects.create(name=f"网格{g + 1}", kind=RegionKind.GRID, parent=comm)
                    x0 = 89.0 + (s * COMMUNITIES + c) % 20 * 5 * d + g % 5 * d
                    y0 = 46.5 + (s * COMMUNITIES + c) // 20 * 2 * d + g // 5 * d
                    profiles.append(GridProfile(region=grid, code=f"B{grid.pk}", boundary=_square(x0, y0, d),
                                                center_lat=y0 + d / 2, center_lng=x0 + d / 2))
                    for k in range(FACILITIES):
                        facilities.append(Facility(
                            grid=grid, kind=kinds[k % 4], name=f"{comm.name}{grid.name}设施{k + 1}",
                            lat=y0 + d * rng.random(), lng=x0 + d * rng.random(),
                            state=rng.choices([FacilityState.NORMAL, FacilityState.FAULT, FacilityState.OFFLINE],
                                              [88, 8, 4])[0]))
        GridProfile.objects.bulk_create(profiles, batch_size=1000)
        Facility.objects.bulk_create(facilities, batch_size=5000)
        admin = User.objects.create(username="map_bench_admin", full_name="基准管理员")
        # Street staff placed at the county: the whole county in scope, no two-factor step (the district
        # admin's) in front of the pages.
        RoleAssignment.objects.create(user=admin, role=Role.STREET_STAFF, region=district)
    with connection.cursor() as cur:
        cur.execute("ANALYZE grid_facility")
        cur.execute("ANALYZE grid_gridprofile")
        cur.execute("ANALYZE regions_region")
    return {"admin": admin, "district": district, "grids": len(profiles), "facilities": len(facilities)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.http import JsonResponse
    from django.urls import reverse

    if connection.vendor != "postgresql":
        raise SystemExit(f"PostgreSQL required (DATABASE_URL={url})")
    from grid.models import Facility, FacilityKind
    from grid.selectors import visible_grids

    t0 = time.perf_counter()
    world = build(args.scale)
    admin, district = world["admin"], world["district"]
    n = world["facilities"]
    print(f"county of {world['grids']:,} grids and {n:,} facilities built in {time.perf_counter() - t0:.0f} s")
    client = signed_in(admin)

    def layer():
        r = client.get("/grid/map/layer/facilities/", {"region": district.pk})
        assert r.status_code == 200
        return r

    def naive():
        features = []
        for f in Facility.objects.filter(grid__in=visible_grids(admin)).exclude(kind=FacilityKind.PARTY_CENTER):
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [f.lng, f.lat]},
                             "properties": {"id": f.pk, "name": f.name, "kind": f.get_kind_display(),
                                            "state": f.get_state_display(), "c": f.state,
                                            "url": reverse("grid:facility", args=[f.pk])}})
        return JsonResponse({"type": "FeatureCollection", "features": features})

    got = json.loads(layer().content)
    assert got["count"] == n, (got["count"], n)
    assert len(json.loads(naive().content)["features"]) == n
    layer_ms = timed(layer, args.repeat)
    naive_ms = timed(naive, args.repeat)
    size_kb = len(layer().content) / 1024

    def base():
        r = client.get("/grid/map/layer/base/", {"region": district.pk})
        assert r.status_code == 200
        return r

    cache.clear()
    t0 = time.perf_counter()
    base()
    base_first = (time.perf_counter() - t0) * 1000
    base_ms = timed(base, args.repeat)
    k = f"{n // 1000}k"
    print(f"facilities layer of the county ({n:,} points, {size_kb:,.0f} KB): median {layer_ms[0]:.0f} ms, "
          f"p95 {layer_ms[1]:.0f} ms; naive serialisation: median {naive_ms[0]:.0f} ms "
          f"({naive_ms[0] / layer_ms[0]:.1f}× ours)")
    print(f"base from {world['grids']:,} grid boundaries: first {base_first:.0f} ms (outlines computed), "
          f"then median {base_ms[0]:.1f} ms (cached)")
    print(json.dumps({
        "grids": world["grids"], "facilities": n, "layer_kb": round(size_kb),
        f"layer_{k}_ms_median": round(layer_ms[0], 1), f"layer_{k}_ms_p95": round(layer_ms[1], 1),
        f"naive_{k}_ms_median": round(naive_ms[0], 1),
        "layer_vs_naive": round(naive_ms[0] / layer_ms[0], 2),
        "base_first_ms": round(base_first, 1), "base_ms_median": round(base_ms[0], 1),
    }))


if __name__ == "__main__":
    main()
