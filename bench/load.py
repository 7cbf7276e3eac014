"""Load through the production stack: gunicorn as deploy/gunicorn.conf.py runs it (WEB_CONCURRENCY workers
x 2 threads, Redis for the shared cache), PostgreSQL, the demo county as data (manage.py demo_load: 8
communities, 398 Party members, 26,620 residents, a year of demands), driven by a fixed number of
concurrent clients over HTTP on 127.0.0.1 with a mixed workload: the workbenches, staff lists (members,
residents, demands, with a search), statistics, the tree, the grid worker's phone page and the public
portal, each as its person (a session of the demo account).

Prints requests/s and p50/p95 per page and the errors (any answer but 200).

Then the peer, django-helpdesk (bench/_helpdesk.py), under the same gunicorn workers x threads and the same
number of clients, in two phases each system runs in turn:
- the staff list: ours is the community secretary's 接诉即办 list (/demands/, 30 rows a page); theirs is its
  staff ticket list with as many tickets as the secretary's scope holds demands: the page and the
  datatables request for its first 30 rows (what its page needs before a row shows);
- the public submission: ours is the portal's form (/portal/ for the form, POST /portal/submit/), each
  submission from its own address as a proxy forwards it (TRUSTED_PROXIES=127.0.0.1, so the per-network
  limit of 10 an hour is not what is measured); theirs is its public ticket form.
`load_list_vs_helpdesk` and `load_intake_vs_helpdesk` are their wall time for the phase over ours (above 1:
we are faster). The last line is one JSON object.

    .venv/bin/python bench/load.py [--scale 1] [--clients 20] [--workers 4] [--no-peer]
    (--scale 1: 2,000 requests of the mix, 400 list loads and 400 submissions per system)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import _helpdesk
from _setup import ROOT, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench_load"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

# (page, account or None for the public, path)
PAGES = [
    ("workbench_secretary", "sq_shuji", "/"),
    ("members_list", "sq_shuji", "/members/list/"),
    ("members_search", "sq_shuji", "/members/list/?q=wang"),
    ("residents_list", "sq_staff", "/grid/residents/"),
    ("demands_list", "sq_shuji", "/demands/"),
    ("demands_stats", "jd_staff", "/demands/stats/"),
    ("workbench_district", "qw_zzb", "/"),
    ("tree", "qw_zzb", "/regions/"),
    ("grid_worker_phone", "wgy", "/grid/m/"),
    ("portal", None, "/portal/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_demo() -> None:
    from django.core.management import call_command

    from regions.models import Region

    if not Region.objects.exists():
        print("loading the demo county (once per bench database)…", file=sys.stderr)
        call_command("demo_load", verbosity=0)
        call_command("demo_accounts", verbosity=0)


def session_cookies() -> dict[str, str]:
    """A signed-in session per account, made the way login makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    cookies = {}
    for account in {a for _p, a, _u in PAGES if a}:
        user = get_user_model().objects.get(username=account)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies[account] = store.session_key
    return cookies


def start_gunicorn(url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DANGJIAN_DEMO": "0", "DANGJIAN_ENV_FILE": "",
           "ALLOWED_HOSTS": "127.0.0.1", "CONN_MAX_AGE": "60", "REDIS_URL": REDIS_URL,
           "TRUSTED_PROXIES": "127.0.0.1/32",
           "WEB_CONCURRENCY": str(workers), "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESS_LOG": "0"}
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py",
                             "config.wsgi:application"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    import requests

    for _ in range(200):
        try:
            if requests.get(base + "/readyz", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise SystemExit("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not become ready")


def drive(base: str, cookies: dict[str, str], total: int, clients: int) -> tuple[dict, float, dict]:
    import requests

    local = threading.local()
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    def one(i: int) -> None:
        if not hasattr(local, "sessions"):
            local.sessions = {}
        page, account, path = PAGES[i % len(PAGES)]
        session = local.sessions.get(account)
        if session is None:
            session = local.sessions[account] = requests.Session()
            if account:
                session.cookies.set("sessionid", cookies[account])
        t0 = time.perf_counter()
        try:
            status = session.get(base + path, timeout=60, allow_redirects=False).status_code
        except requests.RequestException:
            status = 0
        elapsed = (time.perf_counter() - t0) * 1000
        with lock:
            samples[page].append(elapsed)
            if status != 200:
                errors[page] += 1

    # warm-up: every page once per worker process (imports, template caches, connections)
    for i in range(len(PAGES) * 4):
        one(i)
    samples.clear()
    errors.clear()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(total)))
    return samples, total / (time.perf_counter() - t0), dict(errors)


def phase(n: int, clients: int, make_session, one) -> tuple[float, int, list[float]]:
    """n calls of one(session, i) from `clients` threads, each with its own session: (wall seconds, failures,
    latencies in ms)."""
    local = threading.local()
    times: list[float] = []
    failed = 0
    lock = threading.Lock()

    def run(i: int) -> None:
        nonlocal failed
        if not hasattr(local, "s"):
            local.s = make_session()
        t0 = time.perf_counter()
        try:
            good = one(local.s, i)
        except Exception:  # noqa: BLE001  (a refused connection or a bad page counts as a failure)
            good = False
        with lock:
            times.append((time.perf_counter() - t0) * 1000)
            failed += 0 if good else 1

    for i in range(clients):  # warm-up: every worker imports, compiles templates, opens its connection
        run(-1 - i)
    times.clear()
    failed = 0
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(run, range(n)))
    return time.perf_counter() - t0, failed, sorted(times)


def our_phases(base: str, cookies: dict[str, str], n: int, clients: int) -> dict[str, tuple]:
    import requests

    from demands.selectors import active_categories
    from regions.models import Region, RegionKind

    community = Region.objects.filter(kind=RegionKind.COMMUNITY).order_by("path").first()
    category = active_categories()[0].code

    def list_session():
        s = requests.Session()
        s.cookies.set("sessionid", cookies["sq_shuji"])
        return s

    def list_one(s, i):
        r = s.get(base + "/demands/", timeout=60, allow_redirects=False)
        return r.status_code == 200 and "<table" in r.text

    def intake_session():
        s = requests.Session()
        s.get(base + "/portal/", timeout=60)
        return s

    def intake_one(s, i):
        page = s.get(base + "/portal/", timeout=60)
        r = s.post(base + "/portal/submit/", data={
            "csrfmiddlewaretoken": _helpdesk.csrf_token(page.text), "category": category,
            "community": community.pk, "title": f"负载测试 {i}", "description": f"楼道灯不亮，负载测试 {i}",
            "address": f"负载路{i % 500}号", "caller_name": "测试", "caller_phone": "13800000000",
        }, headers={"Referer": base + "/portal/", "X-Forwarded-For": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"},
            timeout=60, allow_redirects=False)
        return r.status_code == 200 and "查询码" in r.text

    return {"list": phase(n, clients, list_session, list_one), "intake": phase(n, clients, intake_session, intake_one)}


def secretary_demands() -> int:
    from django.contrib.auth import get_user_model

    from demands.selectors import demand_list

    return demand_list(get_user_model().objects.get(username="sq_shuji")).count()


def their_phases(url: str, tickets: int, n: int, clients: int, workers: int, threads: int) -> dict[str, tuple]:
    hd_url, queue_id = _helpdesk.prepare(url, tickets)
    port = free_port()
    proc = _helpdesk.start(hd_url, port, workers, threads)
    base = f"http://127.0.0.1:{port}"
    import re

    import requests

    try:
        page = _helpdesk.staff_session(base).get(base + "/helpdesk/tickets/", timeout=60).text
        rows_url = base + re.search(r'"url": "([^"]+datatables_ticket_list/[^"]+)"', page).group(1)

        def list_one(s, i):
            r = s.get(base + "/helpdesk/tickets/", timeout=60)
            rows = s.get(rows_url, params={"draw": 1, "start": 0, "length": 30}, timeout=60)
            return r.status_code == 200 and rows.status_code == 200 and len(rows.json()["data"]) == 30

        form_url = base + "/helpdesk/tickets/submit/"

        def intake_session():
            return requests.Session()

        def intake_one(s, i):
            token = _helpdesk.csrf_token(s.get(form_url, timeout=60).text)
            r = s.post(form_url, data={
                "csrfmiddlewaretoken": token, "queue": queue_id, "title": f"负载测试 {i}",
                "body": f"楼道灯不亮，负载测试 {i}", "submitter_email": f"u{i}@example.com", "priority": 3,
            }, headers={"Referer": form_url}, allow_redirects=False, timeout=60)
            return r.status_code == 302

        return {"list": phase(n, clients, lambda: _helpdesk.staff_session(base), list_one),
                "intake": phase(n, clients, intake_session, intake_one)}
    finally:
        proc.terminate()
        proc.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-peer", action="store_true", help="skip the django-helpdesk phases")
    args = parser.parse_args()
    url = setup_django(DEFAULT_URL)
    ensure_demo()
    cookies = session_cookies()
    total = max(len(PAGES) * 5, int(2000 * args.scale))
    proc, base = start_gunicorn(url, args.workers)
    peer_n = max(20, int(400 * args.scale))
    try:
        samples, rps, errors = drive(base, cookies, total, args.clients)
        ours = None if args.no_peer else our_phases(base, cookies, peer_n, args.clients)
    finally:
        proc.terminate()
        proc.wait(15)
    result = {"clients": args.clients, "workers": args.workers, "requests": total, "load_rps": round(rps, 1),
              "errors": sum(errors.values())}
    print(f"{'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for page, _a, _p in PAGES:
        times = sorted(samples[page])
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{page:<22}{p50:>9.0f}{p95:>9.0f}{errors.get(page, 0):>8}")
        result[f"p50_ms_{page}"] = round(p50)
        result[f"p95_ms_{page}"] = round(p95)
    print(f"{total} requests, {args.clients} clients, {args.workers} workers: {rps:.1f} requests/s, "
          f"{result['errors']} errors")
    if ours is not None:
        tickets = secretary_demands()
        threads = int(os.environ.get("GUNICORN_THREADS", "2"))
        theirs = their_phases(url, tickets, peer_n, args.clients, args.workers, threads)
        print(f"\nsame load against django-helpdesk ({tickets} tickets, the secretary's {tickets} demands; "
              f"{peer_n} per phase, {args.clients} clients, {args.workers} workers x {threads} threads)")
        print(f"{'phase':<10}{'system':<16}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'failed':>8}")
        for name in ("list", "intake"):
            for who, (wall, failed, times) in (("dangjian", ours[name]), ("django-helpdesk", theirs[name])):
                p50, p95 = statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]
                print(f"{name:<10}{who:<16}{peer_n / wall:>8.1f}{p50:>9.0f}{p95:>9.0f}{failed:>8}")
                key = "ours" if who == "dangjian" else "helpdesk"
                result[f"{name}_{key}_per_s"] = round(peer_n / wall, 1)
                result[f"{name}_{key}_p95_ms"] = round(p95)
                result[f"{name}_{key}_failed"] = failed
            result[f"load_{name}_vs_helpdesk"] = round(theirs[name][0] / ours[name][0], 2)
            print(f"load_{name}_vs_helpdesk: {result[f'load_{name}_vs_helpdesk']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
