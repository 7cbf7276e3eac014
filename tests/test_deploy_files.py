"""The files of deploy/: the nginx configuration runs for real in front of the application (TLS with a
self-signed certificate, health probe, precompressed static files, a private photo sent by nginx only
after the scoped view allowed it, nothing under /media/), the gunicorn settings load, and every systemd
unit starts a command that exists."""

from __future__ import annotations

import configparser
import gzip
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import get_commands

from tests.test_deploy_settings import ROOT

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_systemd_unit_runs_an_existing_command():
    commands = get_commands()
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert {u.name for u in units} >= {"dangjian-web.service", "dangjian-worker.service",
                                        "dangjian-scheduler.service"}
    for unit in units:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(unit)
        start = parser["Service"]["ExecStart"].split()
        assert start[0].startswith("/srv/dangjian/.venv/bin/"), unit.name
        if "manage.py" in start:
            assert start[start.index("manage.py") + 1] in commands, unit.name
        assert parser["Service"].get("User") == "dangjian", unit.name


def test_gunicorn_settings_load_and_follow_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    namespace: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["workers"] == 3 and namespace["bind"] == "127.0.0.1:8000"
    assert "%(q)s" not in namespace["access_log_format"]  # no query strings (search boxes) in the log


# --- nginx in front of the application ------------------------------------------------------------------


def nginx_config(tmp: Path, *, https: int, http: int, upstream: int, static_root: Path, private_root: Path) -> Path:
    site = (DEPLOY / "nginx" / "dangjian.conf").read_text()
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = re.sub(r"\s*listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("/etc/dangjian/tls/", f"{tmp}/")
    site = site.replace("/srv/dangjian/staticfiles/", f"{static_root}/")
    site = site.replace("/srv/dangjian/var/private/", f"{private_root}/")
    site = site.replace("/var/log/nginx/", f"{tmp}/")
    upstream_conf = (DEPLOY / "nginx" / "dangjian-upstream.conf").read_text().replace(
        "127.0.0.1:8000", f"127.0.0.1:{upstream}")
    main = tmp / "nginx.conf"
    # Run as root (the test's files are in root's private temp folder), the workers must read them too.
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(f"""
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    access_log {tmp}/access.log;
    {upstream_conf}
    {site}
}}
""")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=dangjian.example.gov.cn", "-keyout", str(tmp / "privkey.pem"), "-out",
                    str(tmp / "fullchain.pem")], check=True, capture_output=True)
    return main


def fetch(url: str, headers: dict | None = None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        resp = opener.open(urllib.request.Request(url, headers=headers or {}), timeout=20)
        return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.fixture
def visit_photo(personas, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from grid import services
    from grid.models import House, Household
    from grid.tests.conftest import png_bytes

    house = House.objects.create(grid=tree.east1_grid1, building=tree.building, number="101",
                                 address="阳光小区1号楼101")
    household = Household.objects.create(house=house, grid=tree.east1_grid1, head_name="张三")
    visit = services.visit_log(actor=personas.grid_worker, household=household, visited_at=timezone.now(),
                               findings="正常", photos=[SimpleUploadedFile("a.png", png_bytes(), "image/png")])
    return visit.photos.get()


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")
def test_nginx_serves_tls_health_gzip_static_and_private_files_only_through_the_scoped_view(
        transactional_db, live_server, tmp_path, settings, personas, visit_photo, client):
    settings.PRIVATE_MEDIA_SERVE = "x-accel-redirect"
    static_root = tmp_path / "static"
    (static_root / "js").mkdir(parents=True)
    script = b"// app\n" + b"console.log('dangjian');\n" * 400
    (static_root / "js" / "app.0123456789ab.js").write_bytes(script)
    (static_root / "js" / "app.0123456789ab.js.gz").write_bytes(gzip.compress(script))
    https, http = free_port(), free_port()
    upstream = int(live_server.url.rsplit(":", 1)[1])
    conf = nginx_config(tmp_path, https=https, http=http, upstream=upstream, static_root=static_root,
                        private_root=Path(settings.PRIVATE_MEDIA_ROOT))
    check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                            stderr=subprocess.PIPE)
    try:
        base = f"https://127.0.0.1:{https}"
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", https), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        status, _h, body = fetch(f"{base}/readyz")
        assert status == 200 and b'"status": "ok"' in body
        # plain HTTP is only a redirect
        status, headers, _b = fetch(f"http://127.0.0.1:{http}/accounts/login/")
        assert status == 301 and headers["Location"].startswith("https://")
        # static: the precompressed copy to who accepts gzip, cached for good
        status, headers, body = fetch(f"{base}/static/js/app.0123456789ab.js", {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == script
        assert "immutable" in headers["Cache-Control"]
        # nothing under /media/, and the internal location is not reachable from outside
        assert fetch(f"{base}/media/{visit_photo.image.name}")[0] == 404
        assert fetch(f"{base}/_private/{visit_photo.image.name}")[0] == 404
        # the photo: the view checks the scope, nginx sends the bytes
        client.force_login(personas.grid_worker)
        cookie = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
        status, headers, body = fetch(f"{base}/grid/photos/{visit_photo.pk}/", cookie)
        assert status == 200 and body[:3] == b"\xff\xd8\xff"
        assert body == Path(visit_photo.image.path).read_bytes()
        assert "no-store" in headers["Cache-Control"]
        client.force_login(personas.west_secretary)
        other = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
        status, _h, body = fetch(f"{base}/grid/photos/{visit_photo.pk}/", other)
        assert status == 404 and b"\xff\xd8\xff" not in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
