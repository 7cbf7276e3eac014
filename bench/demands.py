"""Benchmark of resident demands (issue 5).

Builds a city-size tree (10 districts x 15 streets x 10 communities x 20 grids + ancestors = 31,660 nodes) and
1,000,000 demands over a year (x --scale) with COPY on PostgreSQL (bulk inserts elsewhere), then
times (median and 95th percentile of repeated runs):
  - the overdue list of one street (first page + count, as the page shows it),
  - the three rates (response, resolution, satisfaction) of one district for one month,
  - a handler's own queue (first page + count);
and the intake throughput: form-encoded Open311 POSTs per second through gunicorn on 127.0.0.1
with a bounded load (a thread pool of clients), next to django-helpdesk's public ticket creation
(its own throwaway settings in bench/demands_helpdesk_peer/, its own database) in the same run.
The last line is one JSON object.

Usage: DATABASE_URL=postgres://... python bench/demands.py --scale 0.05 [--requests 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import _helpdesk  # noqa: E402  (bench/ is on the path when a bench script runs)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench_demands"  # a database of its own (see _setup.py)
TREE = (10, 15, 10, 20)
TAG = "诉求基准"


def ensure_database(url: str) -> None:
    u = urlparse(url)
    if not u.scheme.startswith("postgres"):
        return
    import psycopg

    name = u.path.lstrip("/")
    admin = urlunparse(u._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_tree():
    from core import treepaths as paths
    from regions.models import Region, RegionKind

    first = Region.objects.filter(parent__isnull=True, name=f"{TAG}区1").first()
    if first is not None and Region.objects.under(first.path).count() > 1:
        roots = list(Region.objects.filter(parent__isnull=True, name__startswith=TAG).order_by("id"))
        return roots
    kinds = [RegionKind.DISTRICT, RegionKind.STREET, RegionKind.COMMUNITY, RegionKind.GRID]
    names = ["区", "街道", "社区", "网格"]
    level = [None]
    made = []
    for depth, (fan, kind, label) in enumerate(zip(TREE, kinds, names, strict=True)):
        rows = []
        for parent in level:
            for i in range(1, fan + 1):
                name = f"{TAG}{label}{i}" if parent is None else f"{label}{i}"
                rows.append(Region(name=name, kind=kind, parent=parent, path=f"tmp-{depth}-{len(rows)}",
                                   depth=depth + 1, sort_order=i))
        rows = Region.objects.bulk_create(rows, batch_size=5000)
        for r in rows:
            r.path = paths.child_path(r.parent.path if r.parent else "", r.pk)
        Region.objects.bulk_update(rows, ["path"], batch_size=5000)
        made.append(rows)
        level = rows
    return made[0]


def build_people(district, street, community, grid):
    from accounts.models import RoleAssignment, User
    from accounts.roles import Role

    def user(name, role, region):
        u, _ = User.objects.get_or_create(username=name, defaults={"full_name": name})
        RoleAssignment.objects.get_or_create(user=u, role=role, region=region)
        return u

    return (user("bench_district", Role.DISTRICT_ADMIN, district), user("bench_street", Role.STREET_STAFF, street),
            user("bench_grid", Role.GRID_WORKER, grid))


ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
COLS = ["tracking_code", "channel", "category_id", "title", "description", "address", "lat", "lng", "region_id",
        "caller_name", "caller_phone", "anonymous", "state", "version", "escalation", "overdue",
        "assignee_user_id", "submitted_at", "response_due", "handling_due", "responded_at", "handled_at",
        "closed_at", "reopen_count", "satisfaction", "satisfaction_note", "updated_at",
        # NOT NULL without a database default: empty (no secret code, no original text).
        "secret_code", "description_full"]


def generate(n: int, grid_ids: list[int], worker_grids: set[int], worker_id: int, cats, now, rng):
    """Yield one tuple per demand, in COLS order."""
    channels = ["hotline"] * 60 + ["walk_in"] * 8 + ["mailbox"] * 5 + ["street"] * 12 + ["portal"] * 10 + \
        ["open311"] * 5
    for _ in range(n):
        cat = rng.choice(cats)
        at = now - timedelta(seconds=rng.random() * 365 * 86400)
        rdue = at + timedelta(minutes=cat.response_minutes)
        hdue = at + timedelta(minutes=cat.handling_minutes)
        grid = rng.choice(grid_ids)
        p = rng.random()
        responded = handled = closed = None
        sat, esc, overdue = "", 0, False
        age = (now - at).total_seconds() / 86400
        if age > 3 and p < 0.95:
            state = "closed"
            responded = at + timedelta(minutes=cat.response_minutes * (0.2 + rng.random()))
            handled = at + timedelta(minutes=cat.handling_minutes * (0.2 + 1.1 * rng.random()))
            closed = handled + timedelta(hours=12)
            q = rng.random()
            sat = "satisfied" if q < 0.8 else "basic" if q < 0.94 else "unsatisfied"
            overdue = handled > hdue
        elif age > 3 and p < 0.97:
            state = "handled"
            responded = at + timedelta(minutes=cat.response_minutes)
            handled = at + timedelta(minutes=cat.handling_minutes * 0.8)
        else:
            state = rng.choice(["submitted", "accepted", "dispatched", "on_site"])
            if hdue < now:
                overdue = True
                late = (now - hdue).days
                esc = 3 if late >= 30 else 2 if late >= 7 else 1
        yield (
            "".join(rng.choice(ALPHABET) for _ in range(12)), rng.choice(channels), cat.pk, "基准诉求",
            "基准测试生成的诉求内容", "", 30 + rng.random() * 10, 110 + rng.random() * 10, grid, "", "", False,
            state, 1, esc, overdue, worker_id if grid in worker_grids else None, at, rdue, hdue, responded,
            handled, closed, 0, sat, "", at, "", "",
        )


def load_demands(target: int, grid_ids, worker_grids, worker_id) -> float:
    from django.db import connection
    from django.utils import timezone

    from demands.models import Category, Demand

    have = Demand.objects.filter(title="基准诉求").count()
    if have == target:
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("VACUUM ANALYZE demands_demand")
        return 0.0
    t0 = time.perf_counter()
    cats = list(Category.objects.all())
    rng, now = random.Random(311), timezone.now()
    rows = generate(target, grid_ids, worker_grids, worker_id, cats, now, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("TRUNCATE demands_demand, demands_demandevent, demands_demandphoto CASCADE")
            with c.cursor.copy(f"COPY demands_demand ({', '.join(COLS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            c.execute("VACUUM ANALYZE demands_demand")
            c.execute("ANALYZE regions_region")
    else:
        Demand.objects.all().delete()
        batch = []
        for row in rows:
            d = dict(zip(COLS, row, strict=True))
            batch.append(Demand(**d))
            if len(batch) == 5000:
                Demand.objects.bulk_create(batch)
                batch = []
        Demand.objects.bulk_create(batch)
    return time.perf_counter() - t0


def timed(fn, runs: int = 30) -> tuple[float, float]:
    fn()  # warm up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app: str, env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), app, "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--log-level", "warning", "--chdir", str(ROOT)],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    import requests

    for _ in range(100):
        try:
            requests.get(base + "/", timeout=1)
            return proc, base
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"gunicorn for {app} did not start: {proc.stderr.read().decode()[-2000:]}")


def load_run(n: int, threads: int, make_session, post) -> tuple[float, int]:
    import threading

    local = threading.local()

    def one(i):
        if not hasattr(local, "s"):
            local.s = make_session()
        return post(local.s, i)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        ok = sum(1 for good in pool.map(one, range(n)) if good)
    return ok / (time.perf_counter() - t0), ok


def intake(url: str, api_key: str, n: int, threads: int, workers: int) -> tuple[float, int]:
    import requests

    env = {"DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": os.environ["SECRET_KEY"], "ALLOWED_HOSTS": "127.0.0.1",
           "CONN_MAX_AGE": "60", **{k: os.environ[k] for k in ("DANGJIAN_KEY_FILE", "DANGJIAN_FIELD_KEY",
                                                               "DANGJIAN_HASH_KEY") if k in os.environ}}
    proc, base = start_gunicorn("config.wsgi:application", env, workers)
    try:
        def post(s, i):
            r = s.post(base + "/open311/v2/requests.json", data={
                "api_key": api_key, "service_code": "convenience", "lat": f"{30 + (i % 100) / 1000:.4f}",
                "long": "110.5", "address_string": f"基准路{i}号", "description": f"吞吐量测试 {i}",
            }, timeout=30)
            return r.status_code == 201
        return load_run(n, threads, requests.Session, post)
    finally:
        proc.terminate()
        proc.wait(10)


def helpdesk_peer(url: str, n: int, threads: int, workers: int) -> tuple[float, int]:
    import requests

    hd_url, queue_id = _helpdesk.prepare(url)
    port = free_port()
    proc = _helpdesk.start(hd_url, port, workers)
    form_url = f"http://127.0.0.1:{port}/helpdesk/tickets/submit/"
    try:
        def session():
            s = requests.Session()
            s.token = _helpdesk.csrf_token(s.get(form_url, timeout=30).text)
            return s

        def post(s, i):
            r = s.post(form_url, data={
                "csrfmiddlewaretoken": s.token, "queue": queue_id, "title": f"吞吐量测试 {i}",
                "body": f"吞吐量测试 {i}", "submitter_email": f"u{i}@example.com", "priority": 3,
            }, headers={"Referer": form_url}, allow_redirects=False, timeout=30)
            return r.status_code == 302
        return load_run(n, threads, session, post)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--requests", type=int, default=2000, help="intake POSTs per system")
    ap.add_argument("--threads", type=int, default=8, help="concurrent clients (bounded load)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    ensure_database(url)
    setup_django(url)

    from django.utils import timezone

    from demands import selectors
    from demands.models import ApiKey, Demand
    from regions.models import Region, RegionKind

    t0 = time.perf_counter()
    roots = build_tree()
    district = roots[0]
    street = Region.objects.filter(parent=district, kind=RegionKind.STREET).order_by("id").first()
    community = Region.objects.filter(parent=street).order_by("id").first()
    grid = Region.objects.filter(parent=community).order_by("id").first()
    tree_s = time.perf_counter() - t0
    nodes = sum(Region.objects.under(r.path).count() for r in roots)
    people = build_people(district, street, community, grid)
    grid_ids = []
    for r in roots:
        grid_ids += list(Region.objects.under(r.path).filter(kind=RegionKind.GRID).values_list("pk", flat=True))
    worker_grids = set(Region.objects.filter(parent=community).values_list("pk", flat=True))
    target = max(1000, int(1_000_000 * args.scale))
    load_s = load_demands(target, grid_ids, worker_grids, people[2].pk)
    print(f"tree: {nodes} nodes ({tree_s:.1f} s); demands: {target} (loaded in {load_s:.1f} s)")

    admin, street_staff, worker = people
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    m_start, m_end, _ = selectors.period_bounds(last_month)

    def overdue():
        from django.core.paginator import Paginator

        page = Paginator(selectors.overdue_list(street_staff, street), 30).get_page(1)
        return list(page), page.paginator.count

    def rates():
        return selectors.three_rates(admin, district, m_start, m_end)

    def queue():
        qs = selectors.handler_queue(worker)
        return list(qs[:30]), qs.count()

    results = {}
    for key, fn in (("overdue_list", overdue), ("three_rates", rates), ("handler_queue", queue)):
        med, p95 = timed(fn, args.runs)
        results[f"{key}_ms_median"], results[f"{key}_ms_p95"] = round(med, 2), round(p95, 2)
        print(f"{key}: median {med:.1f} ms, p95 {p95:.1f} ms")
    print(f"  overdue in the street: {overdue()[1]}, queue: {queue()[1]}, rates: "
          f"{ {k: rates()[k] for k in ('total', 'response_rate', 'resolution_rate', 'satisfaction_rate')} }")

    key, _ = ApiKey.objects.get_or_create(key="bench-open311", defaults={"name": "bench", "region": district})
    ours, ok1 = intake(url, key.key, args.requests, args.threads, args.workers)
    print(f"intake (Open311 POST through gunicorn, {args.workers} workers, {args.threads} clients): "
          f"{ours:.1f}/s ({ok1}/{args.requests} created)")
    try:
        theirs, ok2 = helpdesk_peer(url, args.requests, args.threads, args.workers)
        print(f"django-helpdesk public ticket creation, same load: {theirs:.1f}/s ({ok2}/{args.requests} created)")
    except Exception as exc:  # noqa: BLE001 - report why the peer could not run
        theirs, ok2 = None, 0
        print(f"django-helpdesk could not run: {exc!r}")
    Demand.objects.filter(channel="open311", title__startswith="吞吐量测试").delete()
    ratio = round(ours / theirs, 2) if theirs else None
    print(f"intake vs django-helpdesk: {ratio}x")
    out = {
        "scale": args.scale, "demands": target, "nodes": nodes, **results,
        "intake_per_s": round(ours, 1), "django_helpdesk_per_s": round(theirs, 1) if theirs else None,
        "intake_vs_django_helpdesk": ratio, "intake_requests": args.requests, "intake_threads": args.threads,
        "gunicorn_workers": args.workers, "database": connection_vendor(),
    }
    print(json.dumps(out, ensure_ascii=False))


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    main()
