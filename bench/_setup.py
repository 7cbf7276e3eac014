"""Shared set-up of the bench scripts: a PostgreSQL database (DATABASE_URL, created if missing),
Django configured against it and migrated.

Without DATABASE_URL each script gets a database of its own (``dangjian_bench_<script>``): what one
bench leaves behind (the city-size dataset of grid_pages, say) must not slow another one's queries
or its peer's."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench_{script}"


def default_url() -> str:
    return DEFAULT_URL.format(script=Path(sys.argv[0]).stem or "bench")


def setup_django(default: str | None = None) -> str:
    url = os.environ.get("DATABASE_URL") or default or default_url()
    os.environ["DATABASE_URL"] = url
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        dbname = parsed.path.lstrip("/")
        with psycopg.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
                             password=parsed.password, dbname="postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
                conn.execute(f'CREATE DATABASE "{dbname}"')
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Measure as production runs: no DEBUG query log.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
    # With DEBUG=0 the process needs its keys explicitly (no development fallback): the bench uses the
    # development key file, named as a deployment would name its own.
    if not os.environ.get("DANGJIAN_FIELD_KEY"):
        os.environ.setdefault("DANGJIAN_KEY_FILE", str(ROOT / "var" / "dev-keys.env"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return url


def signed_in(user):
    """A test client signed in as `user` the whole way: password (force_login) and, for the roles that must
    have it (district admins and the three admins), the second factor of a confirmed authenticator, as
    the sign-in's second step records it. Without it such a role's every page answers 302."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="基准", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds of `repeat` calls (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def time_copy(tables: list[str], clear, count_table: str) -> tuple[float, int]:
    """The practical limit of an import: dump ``tables`` with COPY TO, ``clear()``, then time the
    COPY FROM of those rows (one transaction). Returns (seconds, rows now in ``count_table``)."""
    import io

    from django.db import connection, transaction

    dumps = []
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"SELECT * FROM {table} LIMIT 0")
            cols = ", ".join(f'"{d.name}"' for d in cur.description)
            buf = io.BytesIO()
            with cur.cursor.copy(f"COPY {table} ({cols}) TO STDOUT") as copy:
                for chunk in copy:
                    buf.write(chunk)
            dumps.append((table, cols, buf.getvalue()))
    clear()
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        for table, cols, data in dumps:
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                copy.write(data)
    elapsed = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {count_table}")
        return elapsed, cur.fetchone()[0]


def import_bench(rows: int, *, ours, copy, peer, clear, ours_label: str, copy_label: str, peer_label: str,
                 repeat: int = 3, extra: dict | None = None) -> None:
    """Run ours (``repeat`` times: the median counts), the raw COPY and the peer on ``rows`` rows
    (each a callable returning (seconds, rows saved), the tables cleared between them), print each
    figure with the ratios against the issue's targets (>= 10,000 rows/s, >= 10x the peer), and
    last the JSON line (with ``extra`` figures added)."""
    import json

    runs = []
    for _ in range(max(1, repeat)):
        clear()
        seconds, n = ours()
        assert n == rows, (n, rows)
        runs.append(seconds)
    ours_s = statistics.median(runs)
    ours_rate = rows / ours_s
    print(f"{ours_label}: {ours_s:.2f} s, {ours_rate:,.0f} rows/s (median of {len(runs)}: "
          f"{', '.join(f'{r:.2f}' for r in runs)} s)")
    copy_s, n = copy()
    assert n == rows, (n, rows)
    copy_rate = rows / copy_s
    print(f"{copy_label}: {copy_s:.2f} s, {copy_rate:,.0f} rows/s")
    clear()
    peer_s, n = peer()
    assert n == rows, (n, rows)
    peer_rate = rows / peer_s
    print(f"{peer_label}: {peer_s:.2f} s, {peer_rate:,.0f} rows/s")
    clear()
    vs_peer, vs_copy = ours_rate / peer_rate, ours_rate / copy_rate
    print(f"ours / django-import-export: {vs_peer:.1f}x (target >= 10x); ours / COPY: {vs_copy:.2f}; "
          f"rows/s target >= 10,000: {'met' if ours_rate >= 10_000 else 'NOT met'}")
    print(json.dumps({
        "rows": rows, "rows_per_s": round(ours_rate), "seconds": round(ours_s, 3),
        "peer_rows_per_s": round(peer_rate), "copy_rows_per_s": round(copy_rate),
        "import_vs_django_import_export": round(vs_peer, 2), "import_vs_copy": round(vs_copy, 3),
        **(extra or {}),
    }))
