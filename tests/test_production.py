"""Production: health probes, the one environment file every process reads (cron included), the refusals
of a production process (no database named, several processes on a per-process cache), gzip static files,
and rate limits shared by two processes through the real Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from tests.test_deploy_settings import ROOT, base_env, fresh_keys, load_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in fresh_keys().items()), encoding="utf-8")
    return path


def run(args: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env={**base_env(), **env}, capture_output=True,
                          text=True, timeout=180, **kw)


# --- /healthz and /readyz ----------------------------------------------------------------------------------


def test_healthz_answers_without_login_host_check_or_https_redirect(db):
    with override_settings(ALLOWED_HOSTS=["dangjian.example.gov.cn"], SECURE_SSL_REDIRECT=True):
        resp = Client().get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}
    assert resp["Cache-Control"] == "no-store"


def test_readyz_checks_database_cache_task_queue_and_storage(db):
    with override_settings(ALLOWED_HOSTS=["dangjian.example.gov.cn"], SECURE_SSL_REDIRECT=True):
        resp = Client().get("/readyz", HTTP_HOST="10.0.0.5")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "task_queue", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["task_queue"]["backend"] == "database" and body["checks"]["task_queue"]["waiting"] == 0


def test_readyz_answers_503_naming_the_failing_part_without_its_message(db, tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with override_settings(PRIVATE_MEDIA_ROOT=not_a_dir / "private"):
        resp = Client().get("/readyz")
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "unavailable" and body["checks"]["storage"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert str(tmp_path) not in resp.content.decode()  # no path, host or message leaks to the probe


def test_readyz_fails_when_the_shared_cache_is_down(db):
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": "redis://127.0.0.1:1/0"}}):
        resp = Client().get("/readyz")
    assert resp.status_code == 503 and resp.json()["checks"]["cache"]["ok"] is False


def test_health_probes_are_the_same_for_every_role_and_carry_no_personal_data(personas, client_for):
    """Role matrix: anonymous and every role get the same answer (no login needed, nothing scoped)."""
    users = [None, *vars(personas).values()]
    for user in users:
        client = client_for(user) if user else Client()
        for path in ("/healthz", "/readyz"):
            resp = client.get(path)
            assert resp.status_code == 200, (user, path)
            text = resp.content.decode()
            assert "secretary" not in text and "王书记" not in text
            assert "sessionid" not in resp.cookies


# --- one environment file --------------------------------------------------------------------------------


def _print_settings() -> list[str]:
    return ["manage.py", "shell", "-v", "0", "-c",
            "from django.conf import settings as s; print(s.DEBUG, s.DATABASES['default']['NAME'])"]


def test_a_cron_command_reads_the_environment_file_and_gets_the_services_database(tmp_path):
    db_file = tmp_path / "prod.sqlite3"
    env_file = tmp_path / "env"
    env_file.write_text(textwrap.dedent(f"""\
        # the deployment's environment (docs/deployment.md)
        DEBUG=0
        DATABASE_URL=sqlite:///{db_file}
        DANGJIAN_KEY_FILE="{key_file(tmp_path)}"
        """), encoding="utf-8")
    # As cron runs it: nothing in the environment but the file's name.
    result = run(_print_settings(), {"DANGJIAN_ENV_FILE": str(env_file)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["False", str(db_file)]
    # What the process's own environment says wins over the file.
    result = run(_print_settings(), {"DANGJIAN_ENV_FILE": str(env_file), "DEBUG": "1"})
    assert result.stdout.split()[0] == "True"


def test_debug0_without_a_database_refuses_instead_of_creating_an_empty_sqlite_file(tmp_path):
    sqlite_default = ROOT / "var" / "dangjian.sqlite3"
    existed = sqlite_default.exists()
    result = run(["manage.py", "escalate_demands"],
                 {"DEBUG": "0", "DANGJIAN_KEY_FILE": str(key_file(tmp_path)), "DANGJIAN_ENV_FILE": ""})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "DANGJIAN_ENV_FILE" in result.stderr
    assert sqlite_default.exists() == existed


def test_a_named_environment_file_that_is_missing_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DANGJIAN_ENV_FILE"):
        load_settings({"DANGJIAN_ENV_FILE": str(tmp_path / "nope")}, monkeypatch)


# --- Redis required for more than one process --------------------------------------------------------------


def test_several_processes_on_the_memory_cache_are_refused(tmp_path, monkeypatch):
    env = {"DEBUG": "0", "DANGJIAN_KEY_FILE": str(key_file(tmp_path)), "DATABASE_URL": "postgres://x@h/db",
           "WEB_CONCURRENCY": "4"}
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        load_settings(env, monkeypatch)
    s = load_settings({**env, "REDIS_URL": "redis://127.0.0.1:6379/0"}, monkeypatch)
    assert s.CACHES["default"]["BACKEND"].endswith("RedisCache")
    # and with it sessions come from the cache, the badge's count too
    assert s.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db" and s.NOTIFICATIONS_CACHE_UNREAD
    monkeypatch.delenv("REDIS_URL")
    s = load_settings({**env, "WEB_CONCURRENCY": "1"}, monkeypatch)  # one process: its memory is the truth
    assert s.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


RATE_PROBE = """
import os, sys, django
django.setup()
from django.test import RequestFactory
from demands import ratelimit
request = RequestFactory().post("/portal/", REMOTE_ADDR=sys.argv[1])
sys.stdin.readline()  # both processes start counting together
passed = sum(not ratelimit.hit(request, "lookup") for _ in range(int(sys.argv[2])))
print(passed)
"""


def test_two_processes_behind_one_redis_share_a_rate_limit_exactly():
    if not _redis_up():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} and CI=true")
        pytest.skip(f"no Redis at {REDIS_URL}")
    client_ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    limit = 120  # the portal's lookup bucket: 120 an hour per client
    env = {**base_env(), "DEBUG": "1", "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "config.settings",
           "DANGJIAN_ENV_FILE": ""}
    procs = [subprocess.Popen([sys.executable, "-c", RATE_PROBE, client_ip, "130"], cwd=ROOT, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate("go\n", timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _out, err in outputs]
    passed = [int(out.strip()) for out, _err in outputs]
    assert sum(passed) == limit, passed  # 260 requests from one client, 120 let through in all


# --- static files compressed ----------------------------------------------------------------------------------


def test_collectstatic_writes_gzip_copies_and_whitenoise_sends_them(tmp_path, settings):
    static_root = tmp_path / "static"
    env = {"DEBUG": "0", "DANGJIAN_KEY_FILE": str(key_file(tmp_path)), "DATABASE_URL": "postgres://x@h/db",
           "STATIC_ROOT": str(static_root), "DANGJIAN_ENV_FILE": ""}
    result = run(["manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["js/app.js"]
    assert hashed != "js/app.js" and (static_root / f"{hashed}.gz").exists()

    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.STATIC_ROOT = static_root
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "core.staticstorage.StaticStorage"}}
    from django.test import RequestFactory

    middleware = WhiteNoiseMiddleware(lambda request: pytest.fail("not served by WhiteNoise"))
    plain_size = (static_root / hashed).stat().st_size
    resp = middleware(RequestFactory().get(f"/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip, br"))
    assert resp.status_code == 200 and resp["Content-Encoding"] == "gzip"
    assert int(resp["Content-Length"]) < plain_size
    assert "immutable" in resp["Cache-Control"]  # a hashed name is cached for good
    resp = middleware(RequestFactory().get(f"/static/{hashed}"))
    assert "Content-Encoding" not in resp and int(resp["Content-Length"]) == plain_size
