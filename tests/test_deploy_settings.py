"""Keys and deployment settings: a production process refuses to start unsafe, the documented production
environment passes `check --deploy`, a login behind an HTTPS proxy works, and the pages carry a content
security policy they obey."""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[1]
SECURITY_DOC = ROOT / "docs" / "security.md"


def documented_env() -> dict[str, str]:
    """The ```env block of docs/security.md "Production environment"."""
    text = SECURITY_DOC.read_text(encoding="utf-8")
    block = re.search(r"## Production environment.*?```env\n(.*?)```", text, re.S)
    assert block, "docs/security.md has no ```env block under Production environment"
    env = {}
    for line in block.group(1).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            assert " " not in value, f"{name}: a value with a space breaks `. /etc/dangjian.env`"
            env[name] = value
    return env


def fresh_keys() -> dict[str, str]:
    def key():
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    return {"SECRET_KEY": secrets.token_urlsafe(50), "DANGJIAN_FIELD_KEY": key(), "DANGJIAN_HASH_KEY": key()}


def base_env() -> dict[str, str]:
    """A clean environment: nothing of the developer's own keys or settings leaks into the child."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {k: os.environ[k] for k in keep if k in os.environ}


def manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def load_settings(env: dict[str, str], monkeypatch):
    """Evaluate config/settings.py afresh under `env` (as a process started with it would)."""
    for name in list(os.environ):
        if name in documented_env() or name in fresh_keys() or name.startswith(("DANGJIAN_", "SECURE_", "CSP_")):
            monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_probe", ROOT / "config" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- refusing to start ------------------------------------------------------------------------------


def test_debug0_refuses_to_start_without_its_keys_even_with_dev_keys_on_disk(tmp_path):
    dev_keys = ROOT / "var" / "dev-keys.env"
    if not dev_keys.exists():
        pytest.skip("no var/dev-keys.env (make keys)")
    result = manage(["check"], {**base_env(), "DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "DANGJIAN_FIELD_KEY" in result.stderr
    assert "DANGJIAN_KEY_FILE" in result.stderr


@pytest.mark.parametrize("broken, reason", [
    ({"DANGJIAN_FIELD_KEY": "not-a-key"}, "DANGJIAN_FIELD_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"DANGJIAN_HASH_KEY": "same"}, "different"),
])
def test_debug0_refuses_malformed_keys(broken, reason, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    keys = fresh_keys()
    if broken.get("DANGJIAN_HASH_KEY") == "same":
        broken = {"DANGJIAN_HASH_KEY": keys["DANGJIAN_FIELD_KEY"]}
    with pytest.raises(ImproperlyConfigured, match=reason):
        load_settings({"DEBUG": "0", **keys, **broken}, monkeypatch)


def test_debug0_starts_with_a_key_file(tmp_path, monkeypatch):
    keys = fresh_keys()
    key_file = tmp_path / "keys.env"
    key_file.write_text("".join(f"{k}={v}\n" for k, v in keys.items()), encoding="utf-8")
    s = load_settings({"DEBUG": "0", "DANGJIAN_KEY_FILE": str(key_file),
                       "DATABASE_URL": "postgres://dangjian_app@db.internal/dangjian"}, monkeypatch)
    assert s.SECRET_KEY == keys["SECRET_KEY"] and s.DANGJIAN_FIELD_KEY == keys["DANGJIAN_FIELD_KEY"]


def test_a_named_key_file_that_is_missing_is_refused(tmp_path, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="DANGJIAN_KEY_FILE"):
        load_settings({"DEBUG": "0", "DANGJIAN_KEY_FILE": str(tmp_path / "nope.env")}, monkeypatch)


def test_the_demo_runs_with_debug0_on_the_dev_keys_and_serves_static_itself(monkeypatch):
    if not (ROOT / "var" / "dev-keys.env").exists():
        pytest.skip("no var/dev-keys.env (make keys)")
    s = load_settings({"DEBUG": "0", "DANGJIAN_DEMO": "1"}, monkeypatch)
    assert s.DEBUG is False and s.DEMO_MODE is True
    assert s.SECRET_KEY != "insecure-dev-only" and s.DANGJIAN_FIELD_KEY
    assert s.WHITENOISE_USE_FINDERS is True  # no collectstatic needed for `make run`
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "DEBUG=$(DEBUG) DANGJIAN_DEMO=1" in makefile and re.search(r"^DEBUG\s*\?=\s*0$", makefile, re.M)


def test_gunicorn_defaults_to_debug0():
    assert 'os.environ.setdefault("DEBUG", "0")' in (ROOT / "config" / "wsgi.py").read_text(encoding="utf-8")


# --- the documented production environment ------------------------------------------------------------


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    env = documented_env()
    key_file = tmp_path / "keys.env"
    key_file.write_text("".join(f"{k}={v}\n" for k, v in fresh_keys().items()), encoding="utf-8")
    env["DANGJIAN_KEY_FILE"] = str(key_file)
    result = manage(["check", "--deploy", "--fail-level", "WARNING"], {**base_env(), **env})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_login_behind_an_https_proxy_succeeds_with_the_documented_environment(personas, tmp_path, monkeypatch):
    from conftest import PASSWORD

    env = documented_env()
    key_file = tmp_path / "keys.env"
    key_file.write_text("".join(f"{k}={v}\n" for k, v in fresh_keys().items()), encoding="utf-8")
    env["DANGJIAN_KEY_FILE"] = str(key_file)
    s = load_settings(env, monkeypatch)
    names = ["SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT",
             "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "TRUSTED_PROXIES"]
    host = env["ALLOWED_HOSTS"].split(",")[0]
    proxy = env["TRUSTED_PROXIES"].split(",")[0]
    over_proxy = {"HTTP_HOST": host, "HTTP_X_FORWARDED_PROTO": "https", "REMOTE_ADDR": proxy,
                  "HTTP_X_FORWARDED_FOR": "172.16.5.9"}
    with override_settings(**{n: getattr(s, n) for n in names}):
        client = Client(enforce_csrf_checks=True)
        # Plain HTTP straight to the application is sent to HTTPS.
        plain = client.get("/accounts/login/", HTTP_HOST=host)
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        page = client.get("/accounts/login/", **over_proxy)
        assert page.status_code == 200
        assert "max-age=31536000" in page["Strict-Transport-Security"]
        assert page.cookies["csrftoken"]["secure"]
        token = page.cookies["csrftoken"].value
        resp = client.post("/accounts/login/", {"username": "secretary", "password": PASSWORD,
                                                "csrfmiddlewaretoken": token},
                           HTTP_ORIGIN=f"https://{host}", **over_proxy)
        assert resp.status_code == 302 and "/accounts/login/" not in resp["Location"]
        assert resp.cookies["sessionid"]["secure"]
        from audit.models import AuditEntry
        assert AuditEntry.objects.filter(action="login", actor_name="secretary").latest("id").ip == "172.16.5.9"
    # Without the proxy settings (all that could be configured before) the same login answers 403.
    with override_settings(CSRF_TRUSTED_ORIGINS=[], SECURE_PROXY_SSL_HEADER=None, SECURE_SSL_REDIRECT=False,
                           ALLOWED_HOSTS=[host]):
        client = Client(enforce_csrf_checks=True)
        token = client.get("/accounts/login/", **over_proxy).cookies["csrftoken"].value
        resp = client.post("/accounts/login/", {"username": "secretary", "password": PASSWORD,
                                                "csrfmiddlewaretoken": token},
                           HTTP_ORIGIN=f"https://{host}", **over_proxy)
        assert resp.status_code == 403


# --- content security policy ------------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_and_inline_scripts_its_nonce(personas, client):
    from conftest import PASSWORD

    client.login(username="secretary", password=PASSWORD)
    resp = client.get("/demands/stats/")  # a chart page: an inline script block
    assert resp.status_code == 200
    policy = resp["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    script_src = policy.split("script-src", 1)[1].split(";")[0]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", resp.content.decode()) if "src=" not in tag
              and "application/json" not in tag]
    assert inline and all(f'nonce="{nonce}"' in tag for tag in inline), inline


TEMPLATE_DIRS = [p for p in ROOT.glob("*/templates") if p.parent.name not in {"static", "frontend"}] + [
    ROOT / "templates"]


def test_no_template_has_an_inline_event_handler_or_a_script_without_nonce():
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
    bad = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if handler.search(text):
                bad.append(f"{path.relative_to(ROOT)}: inline event handler (use data-confirm/data-autosubmit)")
            for tag in re.findall(r"<script\b[^>]*>", text):
                if "src=" not in tag and "CSP_NONCE" not in tag:
                    bad.append(f"{path.relative_to(ROOT)}: {tag} without nonce")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("extra, reason", [
    ({"DANGJIAN_S3_URL_SECONDS": "604800"}, "1 to 3600 seconds"),
    ({"DANGJIAN_S3_URL_SECONDS": "0"}, "1 to 3600 seconds"),
    ({"DANGJIAN_S3_URL_SECONDS": "一分钟"}, "expected a whole number"),
    ({"DANGJIAN_S3_ENDPOINT_URL": "https://minio.internal:9000", "DANGJIAN_S3_VERIFY": "0"}, "CA"),
    ({"DANGJIAN_S3_VERIFY": "/etc/no-such-ca.pem"}, "no such CA bundle"),
])
def test_debug0_refuses_an_unsafe_object_store(extra, reason, tmp_path, monkeypatch):
    """Presigned URLs that live for days, or the object store's certificate left unchecked: refused at start."""
    from django.core.exceptions import ImproperlyConfigured

    env = {"DEBUG": "0", **fresh_keys(), "DATABASE_URL": "postgres://dangjian_app@db.internal/dangjian",
           "DANGJIAN_S3_BUCKET": "dangjian-private", **extra}
    with pytest.raises(ImproperlyConfigured, match=reason):
        load_settings(env, monkeypatch)


def test_debug0_accepts_the_documented_object_store(tmp_path, monkeypatch):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    s = load_settings({"DEBUG": "0", **fresh_keys(), "DATABASE_URL": "postgres://dangjian_app@db.internal/dangjian",
                       "DANGJIAN_S3_BUCKET": "dangjian-private", "DANGJIAN_S3_ENDPOINT_URL": "https://minio.internal",
                       "DANGJIAN_S3_VERIFY": str(ca), "DANGJIAN_S3_URL_SECONDS": "120"}, monkeypatch)
    assert s.PRIVATE_S3["verify"] == str(ca) and s.PRIVATE_S3["url_seconds"] == 120
    # A test server over plain HTTP on the machine itself may skip verification (nothing to verify).
    s = load_settings({"DEBUG": "0", **fresh_keys(), "DATABASE_URL": "postgres://dangjian_app@db.internal/dangjian",
                       "DANGJIAN_S3_BUCKET": "b", "DANGJIAN_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
                       "DANGJIAN_S3_VERIFY": "0"}, monkeypatch)
    assert s.PRIVATE_S3["verify"] is False
