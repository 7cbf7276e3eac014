"""全局搜索 at 1,000,000 demands (x --scale): a containment search of demand titles and addresses
through the trigram indexes (the query the search box runs: `contains`, GIN gin_trgm_ops) next to
the list's old `icontains` (UPPER(...) LIKE, which no index answers). 1% of the demands get an
address from a vocabulary of 2,000 places; each run searches one place (a few hundred rows of a
million), first 10 hits as the search page shows them.

It uses the city of bench/dashboards.py (same database by default; built here if missing).
The last line is one JSON object with `search_1m_ms_median`, `icontains_1m_ms_median` and
`search_vs_icontains` (icontains time / ours).

    .venv/bin/python bench/search.py [--scale 1] [--repeat 30]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
from pathlib import Path

from _setup import DEFAULT_URL, setup_django, timed

HERE = Path(__file__).resolve().parent
PLACES = 2000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    setup_django(DEFAULT_URL.format(script="dashboards"))

    from django.db import connection
    from django.db.models import Q

    from demands.models import Demand

    assert connection.vendor == "postgresql", "the bench runs on PostgreSQL"
    target = max(1000, int(1_000_000 * args.scale))
    if Demand.objects.filter(title__startswith="基准").count() < target:
        spec = importlib.util.spec_from_file_location("bench_dashboards_city", HERE / "dashboards.py")
        city = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(city)
        bd = city._bench_demands()
        bd.build_tree()
        from regions.models import Region, RegionKind

        grid_ids = list(Region.objects.filter(kind=RegionKind.GRID).values_list("pk", flat=True))
        bd.load_demands(target, grid_ids, set(), None)
    with connection.cursor() as c:
        # 1% of the demands (every 100th id) at one of PLACES places, each place on about as many demands.
        c.execute(f"""UPDATE demands_demand SET address = '城关镇幸福里' || ((id / 100) % {PLACES}) || '号楼'
                      WHERE id % 100 = 0""")
        c.execute("ANALYZE demands_demand")
    total = Demand.objects.count()
    rng = random.Random(5)
    words = [f"幸福里{rng.randrange(PLACES)}号楼" for _ in range(args.repeat + 1)]

    def runner(make_q):
        it = iter(words * 2)

        def fn():
            w = next(it)
            rows = list(Demand.objects.filter(make_q(w)).order_by("-submitted_at", "-id")
                        .values_list("id", "title")[:10])
            assert rows, w
        return fn

    ours = timed(runner(lambda w: Q(title__contains=w) | Q(address__contains=w)), args.repeat)
    peer = timed(runner(lambda w: Q(title__icontains=w) | Q(address__icontains=w)), args.repeat)
    size = f"{total // 1000}k" if total < 1_000_000 else f"{total // 1_000_000}m"
    print(json.dumps({
        "demands": total, f"search_{size}_ms_median": round(ours[0], 2), f"search_{size}_ms_p95": round(ours[1], 2),
        f"icontains_{size}_ms_median": round(peer[0], 1), "search_vs_icontains": round(peer[0] / ours[0], 1),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
