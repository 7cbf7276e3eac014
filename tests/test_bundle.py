"""`make bundle` builds the offline bundle, and a machine with no registry installs from it: the checksums
hold, the runtime packages install with `--no-index` (no test tools among them), and the installed copy
starts as production (DEBUG=0) with the bundle's built static files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile

import pytest

from tests.test_deploy_settings import ROOT, base_env, fresh_keys


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs the git checkout")
def test_the_bundle_builds_and_installs_with_no_registry(tmp_path):
    bundle = tmp_path / "bundle"
    built = subprocess.run(["bash", "scripts/bundle.sh"], cwd=ROOT, env={**base_env(), "BUNDLE_DIR": str(bundle)},
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=bundle).returncode == 0
    wheels = {p.name.split("-")[0].lower() for p in (bundle / "wheels").glob("*.whl")}
    assert {"django", "gunicorn", "whitenoise", "psycopg", "redis"} <= wheels
    assert not wheels & {"pytest", "playwright", "ruff"}

    server = tmp_path / "srv"
    server.mkdir()
    for name in ("dangjian-src.tar.gz", "static.tar.gz"):
        with tarfile.open(bundle / name) as tar:
            tar.extractall(server, filter="data")
    venv = server / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-index", "--find-links",
                              str(bundle / "wheels"), "-r", "requirements.txt"],
                             cwd=server, capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    keys = tmp_path / "keys.env"
    keys.write_text("".join(f"{k}={v}\n" for k, v in fresh_keys().items()))
    env = {**base_env(), "DEBUG": "0", "DANGJIAN_KEY_FILE": str(keys), "DANGJIAN_ENV_FILE": "",
           "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3", "STATIC_ROOT": str(server / "staticfiles")}
    probe = ("from django.templatetags.static import static; print(static('js/app.js'))")
    result = subprocess.run([str(venv / "bin" / "python"), "manage.py", "shell", "-v", "0", "-c", probe],
                            cwd=server, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    hashed = result.stdout.strip().splitlines()[-1]
    assert hashed.startswith("/static/js/app.") and hashed != "/static/js/app.js"
    assert (server / "staticfiles" / (hashed.removeprefix("/static/") + ".gz")).exists()
