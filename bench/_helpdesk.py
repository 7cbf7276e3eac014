"""django-helpdesk as the peer of the bench scripts: its own throwaway settings (bench/demands_helpdesk_peer/),
its own database next to the bench's (`<bench db>_helpdesk_peer`), a public queue, a staff account and, when
asked, a number of tickets to list. Installed by `make bench` (requirements-bench.txt).

Used by bench/demands.py (intake throughput) and bench/load.py (the ticket list and the public submission
under the same load as ours)."""

from __future__ import annotations

import os
import re
import subprocess
import time
from urllib.parse import urlparse, urlunparse

from _setup import ROOT

SETTINGS = "bench.demands_helpdesk_peer.settings"
STAFF = ("hd_staff", "Bench-pass-2026")


def database_url(url: str) -> str:
    u = urlparse(url)
    if u.scheme.startswith("postgres"):
        return urlunparse(u._replace(path=u.path + "_helpdesk_peer"))
    return "sqlite:///" + str(ROOT / "var" / "bench_helpdesk_peer.sqlite3")


def ensure_database(url: str) -> None:
    u = urlparse(url)
    if not u.scheme.startswith("postgres"):
        return
    import psycopg

    name = u.path.lstrip("/")
    with psycopg.connect(urlunparse(u._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


def env(hd_url: str) -> dict[str, str]:
    return {**os.environ, "HELPDESK_DATABASE_URL": hd_url, "DJANGO_SETTINGS_MODULE": SETTINGS,
            "PYTHONPATH": str(ROOT)}


_SEED = """
import django, sys
django.setup()
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from helpdesk.models import Queue, Ticket
queue, _ = Queue.objects.get_or_create(slug="intake", defaults=dict(title="Intake", allow_public_submission=True))
User = get_user_model()
if not User.objects.filter(username=sys.argv[1]).exists():
    User.objects.create_user(sys.argv[1], "staff@example.com", sys.argv[2], is_staff=True)
want = int(sys.argv[3])
have = Ticket.objects.filter(queue=queue).count()
now = timezone.now()
batch = [Ticket(queue=queue, title=f"诉求 {i}", description=f"基准工单 {i}", submitter_email=f"u{i}@example.com",
                status=1 + i % 4, priority=1 + i % 5, created=now - timedelta(minutes=i),
                modified=now - timedelta(minutes=i)) for i in range(have, want)]
Ticket.objects.bulk_create(batch, batch_size=2000)
print(queue.pk)
"""


def prepare(url: str, tickets: int = 0) -> tuple[str, str]:
    """Migrate the peer's database, make its public queue and staff account and top its tickets up to
    `tickets`. Returns (its database URL, the queue's id)."""
    hd_url = database_url(url)
    ensure_database(hd_url)
    py = str(ROOT / ".venv/bin/python")
    subprocess.run([py, "-m", "django", "migrate", "-v0"], env=env(hd_url), check=True, cwd=ROOT)
    out = subprocess.run([py, "-c", _SEED, *STAFF, str(tickets)], env=env(hd_url), check=True, cwd=ROOT,
                         capture_output=True, text=True).stdout.strip()
    return hd_url, out.splitlines()[-1]


def start(hd_url: str, port: int, workers: int, threads: int = 1) -> subprocess.Popen:
    """The peer under gunicorn with the same worker and thread counts as ours; returns once it answers."""
    import requests

    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "django.core.wsgi:get_wsgi_application()", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--threads", str(threads), "--log-level", "warning", "--chdir", str(ROOT)],
        env=env(hd_url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/login/", timeout=1)
            return proc
        except requests.RequestException:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("django-helpdesk did not start under gunicorn: " + proc.stderr.read().decode()[-2000:])


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def staff_session(base: str):
    """A requests session signed in as the peer's staff account through its login form."""
    import requests

    s = requests.Session()
    token = csrf_token(s.get(base + "/login/", timeout=30).text)
    r = s.post(base + "/login/", data={"csrfmiddlewaretoken": token, "username": STAFF[0], "password": STAFF[1]},
               headers={"Referer": base + "/login/"}, allow_redirects=False, timeout=30)
    if r.status_code != 302:
        raise RuntimeError(f"django-helpdesk login failed: HTTP {r.status_code}")
    return s
