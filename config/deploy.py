"""Reading the deployment's environment: keys, proxy/HTTPS settings and the content security policy.

Kept apart from settings.py so the rules (what a production process refuses to start without) can be
read and tested in one place. Nothing here imports an app: settings are being built.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_NAMES = ("SECRET_KEY", "DANGJIAN_FIELD_KEY", "DANGJIAN_HASH_KEY")
# Optional: field keys being rotated out (comma-separated), still readable until rotate_field_keys is done.
OLD_KEY_NAMES = ("DANGJIAN_FIELD_KEYS_OLD",)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected 1 or 0")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def read_env_file(path: Path) -> None:
    """KEY=value lines into os.environ, without overriding what the environment already says."""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]  # KEY="value" as a shell would read it
            os.environ.setdefault(key.strip(), value)


def load_keys(*, debug: bool, demo: bool, dev_key_file: Path) -> None:
    """Put the keys into os.environ, or refuse to start.

    - DANGJIAN_KEY_FILE names a KEY=value file (e.g. a secret mounted by the service manager): read it.
    - Otherwise only a development (DEBUG=1) or demo (DANGJIAN_DEMO=1) process falls back to the
      generated development keys in var/dev-keys.env.
    - With DEBUG=0 every key must then be set and well formed: a production process never runs on
      the development keys by accident, nor on an empty key.
    """
    named = os.environ.get("DANGJIAN_KEY_FILE", "").strip()
    if named:
        path = Path(named)
        if not path.is_file():
            raise ImproperlyConfigured(f"DANGJIAN_KEY_FILE={named}: no such file")
        read_env_file(path)
    elif (debug or demo) and dev_key_file.is_file():
        read_env_file(dev_key_file)
    if debug:
        return
    missing = [name for name in KEY_NAMES if not os.environ.get(name, "").strip()]
    if missing:
        raise ImproperlyConfigured(
            f"DEBUG=0 and {', '.join(missing)} not set: a production process needs its own keys from the "
            "environment or from the file named by DANGJIAN_KEY_FILE (see docs/security.md). "
            "The development keys in var/dev-keys.env are used only with DEBUG=1 or DANGJIAN_DEMO=1."
        )
    if len(os.environ["SECRET_KEY"]) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")
    for name in ("DANGJIAN_FIELD_KEY", "DANGJIAN_HASH_KEY"):
        check_key(name, os.environ[name])
    for name in OLD_KEY_NAMES:
        for value in env_list(name):
            check_key(name, value)
    if os.environ.get("DANGJIAN_CRYPTO", "aes").strip().lower() not in ("aes", "sm", ""):
        raise ImproperlyConfigured("DANGJIAN_CRYPTO must be aes or sm (国密: SM4-GCM + HMAC-SM3)")
    if os.environ["DANGJIAN_FIELD_KEY"].strip() == os.environ["DANGJIAN_HASH_KEY"].strip():
        raise ImproperlyConfigured("DANGJIAN_FIELD_KEY and DANGJIAN_HASH_KEY must be different keys")


def check_key(name: str, value: str) -> None:
    raw = value.strip().encode("ascii", "replace")
    try:
        key = base64.b64decode(raw + b"=" * (-len(raw) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} is not urlsafe base64 (python -m core.crypto prints a key)") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must decode to 32 bytes, not {len(key)} (python -m core.crypto)")


def proxy_ssl_header() -> tuple[str, str] | None:
    """SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https" (or the META form HTTP_X_FORWARDED_PROTO=https)."""
    value = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
    if not value:
        return None
    sep = ":" if ":" in value else "="
    if sep not in value:
        raise ImproperlyConfigured('SECURE_PROXY_SSL_HEADER: expected "X-Forwarded-Proto: https"')
    header, expected = (part.strip() for part in value.split(sep, 1))
    if not header.upper().startswith("HTTP_"):
        header = "HTTP_" + header.upper().replace("-", "_")
    return header, expected


def trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """TRUSTED_PROXIES: addresses or networks (CIDR) of the reverse proxies in front of the application."""
    return networks("TRUSTED_PROXIES")


def networks(name: str, default: str = "") -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of addresses or CIDR networks."""
    found = []
    for part in env_list(name, default):
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {part!r} is not an address or network") from None
    return found


# --- one environment file for every process (issue 22) ---------------------------------------------

# A presigned URL is handed out after the scope check; it must not outlive the reason it was given.
S3_URL_SECONDS_MAX = 3600


def s3_settings(*, debug: bool, demo: bool) -> dict | None:
    """DANGJIAN_S3_*: the private bucket's settings (None without DANGJIAN_S3_BUCKET), or a refusal to start.

    Refused always: a presigned URL lifetime outside 1..S3_URL_SECONDS_MAX seconds. Refused with DEBUG=0
    (not the demo): DANGJIAN_S3_VERIFY=0 towards an https endpoint (the certificate unchecked: name the
    intranet CA's bundle instead)."""
    bucket = os.environ.get("DANGJIAN_S3_BUCKET", "").strip()
    if not bucket:
        return None
    endpoint = os.environ.get("DANGJIAN_S3_ENDPOINT_URL", "").strip()
    raw_verify = os.environ.get("DANGJIAN_S3_VERIFY", "").strip()
    # a CA bundle for an intranet certificate authority; "0" only for a test server over plain HTTP
    verify = {"0": False, "": None}.get(raw_verify, raw_verify)
    seconds = env_int("DANGJIAN_S3_URL_SECONDS", 60)
    if not 1 <= seconds <= S3_URL_SECONDS_MAX:
        raise ImproperlyConfigured(
            f"DANGJIAN_S3_URL_SECONDS={seconds}: a presigned URL must live 1 to {S3_URL_SECONDS_MAX} seconds "
            "(it is handed out after the scope check; 60 is enough to open a photo)")
    if verify is False and not (debug or demo) and not endpoint.lower().startswith("http://"):
        raise ImproperlyConfigured(
            "DEBUG=0 and DANGJIAN_S3_VERIFY=0: the object store's certificate would go unchecked; set "
            "DANGJIAN_S3_VERIFY to the path of the intranet CA's bundle (e.g. /etc/dangjian/ca.pem)")
    if verify and not Path(verify).is_file():
        raise ImproperlyConfigured(f"DANGJIAN_S3_VERIFY={raw_verify}: no such CA bundle file")
    return {
        "bucket": bucket, "endpoint_url": endpoint,
        "access_key": os.environ.get("DANGJIAN_S3_ACCESS_KEY", ""),
        "secret_key": os.environ.get("DANGJIAN_S3_SECRET_KEY", ""),
        "region": os.environ.get("DANGJIAN_S3_REGION", "us-east-1"),
        "prefix": os.environ.get("DANGJIAN_S3_PREFIX", ""),
        "verify": verify,
        "addressing_style": os.environ.get("DANGJIAN_S3_ADDRESSING_STYLE", "path"),
        "url_seconds": seconds,
    }


DEFAULT_ENV_FILE = "/etc/dangjian/env"


def load_env_file() -> Path | None:
    """Read the deployment's environment file into os.environ (what the environment says wins).

    DANGJIAN_ENV_FILE names it (default /etc/dangjian/env; empty turns it off). gunicorn, the worker,
    the scheduler and a `manage.py` typed by an operator or run from cron all read the same file, so a
    cron line needs no `set -a; . file` to reach the production database. A named file that is missing
    is refused; the default one may be absent (development, tests).
    """
    named = os.environ.get("DANGJIAN_ENV_FILE")
    if named is not None and not named.strip():
        return None
    path = Path(named.strip() if named else DEFAULT_ENV_FILE)
    if not path.is_file():
        if named:
            raise ImproperlyConfigured(f"DANGJIAN_ENV_FILE={named}: no such file")
        return None
    read_env_file(path)
    return path


def require_database(*, debug: bool, demo: bool) -> None:
    """With DEBUG=0 (not a demo) the database must be named: never an empty SQLite file by accident."""
    if debug or demo or os.environ.get("DATABASE_URL", "").strip():
        return
    raise ImproperlyConfigured(
        "DEBUG=0 and DATABASE_URL not set: a production process (gunicorn, the worker, a cron command) "
        f"reads its database from the environment file (DANGJIAN_ENV_FILE, default {DEFAULT_ENV_FILE}); "
        "refusing to create an embedded SQLite database instead (see docs/deployment.md)."
    )


def require_shared_cache(*, debug: bool, demo: bool) -> None:
    """More than one process (WEB_CONCURRENCY > 1) needs REDIS_URL: rate limits, the work calendar and
    locks kept in each process's own memory would be per process, not per deployment."""
    if debug or demo or os.environ.get("REDIS_URL", "").strip():
        return
    processes = env_int("WEB_CONCURRENCY", 1)
    if processes > 1:
        raise ImproperlyConfigured(
            f"DEBUG=0, WEB_CONCURRENCY={processes} and REDIS_URL not set: rate limits and locks must be "
            "shared by every process; set REDIS_URL (e.g. redis://127.0.0.1:6379/0) or run one process."
        )


MAP_DATUMS = ("wgs84", "gcj02", "bd09")


def map_tiles() -> dict:
    """一张图's base tile service from the environment (docs/dashboards.md):

    MAP_TILE_URL (an XYZ template, `{z}/{x}/{y}`, `{s}` allowed), MAP_TILE_ATTRIBUTION, MAP_TILE_DATUM
    (wgs84, the default, or gcj02 — most domestic services — or bd09) and MAP_TILE_MAXZOOM (18).
    No URL: no tile service ({}), the page uses the PMTiles file or draws the base from the grids."""
    url = os.environ.get("MAP_TILE_URL", "").strip()
    if not url:
        return {}
    if not url.startswith(("http://", "https://", "/")) or not all(k in url for k in ("{z}", "{x}", "{y}")):
        raise ImproperlyConfigured(f"MAP_TILE_URL={url!r}: expected an http(s) address with {{z}}, {{x}} and {{y}}")
    datum = os.environ.get("MAP_TILE_DATUM", "wgs84").strip().lower() or "wgs84"
    if datum not in MAP_DATUMS:
        raise ImproperlyConfigured(f"MAP_TILE_DATUM={datum!r}: expected one of {', '.join(MAP_DATUMS)}")
    max_zoom = env_int("MAP_TILE_MAXZOOM", 18)
    if not 1 <= max_zoom <= 22:
        raise ImproperlyConfigured(f"MAP_TILE_MAXZOOM={max_zoom}: expected 1 to 22")
    return {"url": url, "crs": datum, "attribution": os.environ.get("MAP_TILE_ATTRIBUTION", "").strip(),
            "max_zoom": max_zoom}


def tile_origin(url: str) -> list[str]:
    """The origin(s) the tile URL loads images from, for the content security policy's img-src."""
    if not url.startswith(("http://", "https://")):
        return []
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if "{s}" in host:  # subdomains a, b, c
        return [f"{scheme}://{host.replace('{s}', '*')}"]
    return [f"{scheme}://{host}"]
