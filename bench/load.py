"""Load through the production stack: gunicorn as deploy/gunicorn.conf.py runs it (WEB_CONCURRENCY workers
x 2 threads, Redis for the shared cache), PostgreSQL, the demo county as data (manage.py demo_load: 8
communities, 398 Party members, 26,620 residents, a year of demands), driven by a fixed number of
concurrent clients over HTTP on 127.0.0.1 with a mixed workload: the workbenches, staff lists (members,
residents, demands, with a search), statistics, the tree, the grid worker's phone page and the public
portal, each as its person (a session of the demo account).

Prints requests/s and p50/p95 per page and the errors (any answer but 200). No peer is driven here: the
figures are absolute (no `_vs_` ratio). The last line is one JSON object.

    .venv/bin/python bench/load.py [--scale 1] [--clients 20] [--workers 4]
    (--scale 1: 2,000 requests in all)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    url = setup_django(DEFAULT_URL)
    ensure_demo()
    cookies = session_cookies()
    total = max(len(PAGES) * 5, int(2000 * args.scale))
    proc, base = start_gunicorn(url, args.workers)
    try:
        samples, rps, errors = drive(base, cookies, total, args.clients)
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
    print(json.dumps(result))


if __name__ == "__main__":
    main()
