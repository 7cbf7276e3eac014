"""Settings for dangjian. Everything that differs per deployment comes from the environment.

Environment variables (the full list with defaults: README "Configuration"; the production set:
docs/security.md "Production environment"):
- DATABASE_URL: e.g. postgres://user@host:5432/dangjian; default an embedded SQLite file.
- SECRET_KEY, DANGJIAN_FIELD_KEY, DANGJIAN_HASH_KEY (or a file of them named by DANGJIAN_KEY_FILE):
  with DEBUG=0 the process refuses to start without them (config/deploy.py). Only DEBUG=1 or the
  demo (DANGJIAN_DEMO=1) fall back to the development keys `make` writes to var/dev-keys.env.
- DEBUG (1/0), DANGJIAN_DEMO (1/0), ALLOWED_HOSTS, proxy/HTTPS/CSP settings (below),
  LOGIN_MAX_FAILURES, LOGIN_LOCK_MINUTES, REDIS_URL, TASKS_BACKEND, MEDIA_ROOT, PRIVATE_MEDIA_ROOT,
  PRIVATE_MEDIA_SERVE, PRIVATE_MEDIA_INTERNAL_URL, DANGJIAN_S3_* (object storage).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

from config import deploy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
# The deployment's environment file (DANGJIAN_ENV_FILE, default /etc/dangjian/env), read by every
# process, cron commands included, before any setting below (docs/deployment.md).
ENV_FILE = deploy.load_env_file()


DEBUG = deploy.env_bool("DEBUG", True)
# A demo deployment (`make run`): synthetic data, demo accounts, every page says 演示环境.
DEMO_MODE = deploy.env_bool("DANGJIAN_DEMO", False)
deploy.load_keys(debug=DEBUG, demo=DEMO_MODE, dev_key_file=VAR_DIR / "dev-keys.env")
SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-dev-only"  # load_keys refused an empty one unless DEBUG
DANGJIAN_FIELD_KEY = os.environ.get("DANGJIAN_FIELD_KEY", "")
DANGJIAN_HASH_KEY = os.environ.get("DANGJIAN_HASH_KEY", "")
# Keys being rotated out, still readable until `manage.py rotate_field_keys` is done (docs/security.md).
DANGJIAN_FIELD_KEYS_OLD = deploy.env_list("DANGJIAN_FIELD_KEYS_OLD")
# "aes" (AES-256-GCM + HMAC-SHA256) or "sm" (国密: SM4-GCM + HMAC-SM3); changing it needs rotate_field_keys.
DANGJIAN_CRYPTO = os.environ.get("DANGJIAN_CRYPTO", "aes").strip().lower() or "aes"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Floors, bottom to top (docs/architecture.md; `make lint` checks them with import-linter).
    # A module imports only from its own app and the floors below.
    # The foundation: helpers; the audit trail; users, roles and the data scope; messages; the
    # territory tree (above accounts: its pages are scoped and audited like any data); the Excel import.
    "core",
    "audit",
    "accounts",
    "notifications",
    "regions",
    "bulkimport",
    # The backbone: Party organizations, then members
    "orgs",
    "members",
    # The territory's facts
    "grid",
    # Domain workflows
    "demands",
    "cobuild",
    "meetings",
    "vanguard",
    "orglife",
    "stability",
    "services",
    "stewardship",
    "cadres",
    "network",
    # Reads facts of the domains (and members)
    "points",
    # The district's command system: task lists, inspections, assessment over every domain
    "assessment",
    # The top floor: pages that combine domains, the public portal, the API router
    "dashboards",
    "portal",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RefuseControlCharacters",  # NUL etc. in the path or parameters: 400, not a database error
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AccountControlsMiddleware",  # idle timeout, forced password change, 2FA step
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "core.replica.ReplicaMiddleware",  # reads of dashboards and search from the replica, when there is one
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "accounts.context_processors.deployment",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
# A PostgreSQL read replica (streaming replication of the primary) for the heavy reads: dashboards,
# search, the tree and the map (core/replica.py). The test runner does not create it (it mirrors default).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"],
                                                 conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DATABASE_REPLICA = "replica" in DATABASES
REPLICA_READ_PATHS = tuple(p for p in os.environ.get(
    "DATABASE_REPLICA_PATHS", "/dashboard/,/search/,/regions/,/grid/map/").split(",") if p)
# After a write, the browser reads the primary this long (the replica's lag, with a margin).
REPLICA_PIN_SECONDS = deploy.env_int("DATABASE_REPLICA_PIN_SECONDS", 10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a background task writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Tests get a database file of their own (one per xdist worker: pytest-django adds _gw0, _gw1 …),
    # not the shared in-memory database: a live server (browser and Open311 tests) then answers each
    # request on its own connection, as in production, instead of sharing the test thread's one.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", str(VAR_DIR / "test.sqlite3"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# 等保 level 3 (accounts/passwords.py): length, three character classes, not the account name, not a
# common password, not one of the last PASSWORD_HISTORY; changed every PASSWORD_EXPIRY_DAYS (0: never).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.passwords.CharacterClassesValidator"},
    {"NAME": "accounts.passwords.NotUsernameValidator"},
    {"NAME": "accounts.passwords.CommonPasswordsValidator"},
    {"NAME": "accounts.passwords.HistoryValidator"},
]
PASSWORD_HISTORY = deploy.env_int("PASSWORD_HISTORY", 5)
PASSWORD_EXPIRY_DAYS = deploy.env_int("PASSWORD_EXPIRY_DAYS", 90)
# Sessions: signed out after SESSION_IDLE_MINUTES without a request (background polling does not
# count) and SESSION_MAX_HOURS after signing in, whatever the activity.
SESSION_IDLE_MINUTES = deploy.env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = deploy.env_int("SESSION_MAX_HOURS", 8)

# Login lockout (等保): N failures lock the account for M minutes.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "30"))
# 三员分立: the Django superuser cannot sign in, except in a demo deployment (README's `admin`).
ALLOW_SUPERUSER_LOGIN = deploy.env_bool("ALLOW_SUPERUSER_LOGIN", DEMO_MODE)
# Two-factor sign-in (TOTP, django-otp): these roles must enrol an authenticator (others may).
OTP_REQUIRED_ROLES = deploy.env_list("OTP_REQUIRED_ROLES") or [
    "system_admin", "security_admin", "audit_admin", "district_admin"]
OTP_TOTP_ISSUER = "党建平台"
# API tokens (POST /api/auth/token/) expire this many hours after they were issued.
API_TOKEN_HOURS = deploy.env_int("API_TOKEN_HOURS", 24)
# Per client address, whatever account is named: after LOGIN_SLOWDOWN_AFTER failures within the window
# each further attempt must wait 2, 4, 8 … seconds (at most LOGIN_SLOWDOWN_MAX_SECONDS).
LOGIN_SLOWDOWN_AFTER = deploy.env_int("LOGIN_SLOWDOWN_AFTER", 10)
LOGIN_SLOWDOWN_WINDOW_MINUTES = deploy.env_int("LOGIN_SLOWDOWN_WINDOW_MINUTES", 15)
LOGIN_SLOWDOWN_MAX_SECONDS = deploy.env_int("LOGIN_SLOWDOWN_MAX_SECONDS", 60)
# Audit entries are kept at least this long; `manage.py audit_archive` refuses less than 180 days.
AUDIT_RETENTION_DAYS = deploy.env_int("AUDIT_RETENTION_DAYS", 180)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"  # a Chinese page with a way back

# Behind an HTTPS reverse proxy (docs/security.md "Production environment" has the full set).
SECURE_PROXY_SSL_HEADER = deploy.proxy_ssl_header()  # e.g. "X-Forwarded-Proto: https"
CSRF_TRUSTED_ORIGINS = deploy.env_list("CSRF_TRUSTED_ORIGINS")  # e.g. https://dangjian.example.gov.cn
SECURE_SSL_REDIRECT = deploy.env_bool("SECURE_SSL_REDIRECT")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = deploy.env_bool("SECURE_COOKIES")
SECURE_HSTS_SECONDS = deploy.env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = deploy.env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = deploy.env_bool("SECURE_HSTS_PRELOAD")
if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
    # An intranet host name is never on the browsers' public preload list; HSTS itself is on.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# The client address (audit log, rate limits, lockout) is read from X-Forwarded-For only when the
# request comes from one of these proxies (addresses or CIDR networks); otherwise REMOTE_ADDR.
TRUSTED_PROXIES = deploy.trusted_proxies()

# Content security policy (django-csp): scripts only from this server, inline ones only with the
# per-response nonce; no inline event handlers (static/js/app.js wires data-confirm and
# data-autosubmit). Inline style attributes stay allowed: ECharts, Leaflet and the templates set them.
# 一张图's base: an intranet XYZ tile service (MAP_TILE_URL, MAP_TILE_DATUM, MAP_TILE_ATTRIBUTION), else the
# deployment's PMTiles file (MAP_PMTILES), else the base drawn from the grids (docs/dashboards.md).
GRID_MAP_TILES = deploy.map_tiles()
GRID_MAP_PMTILES = os.environ.get("MAP_PMTILES", "") or os.environ.get("GRID_MAP_PMTILES", "")
_CSP_IMG = ["'self'", "data:", "blob:", *deploy.env_list("CSP_IMG_SRC"),  # + a map tile server's origin
            *deploy.tile_origin(GRID_MAP_TILES.get("url", ""))]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": _CSP_IMG,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"report-uri": deploy.env_list("CSP_REPORT_URI")} if deploy.env_list("CSP_REPORT_URI") else {}),
    },
}
if deploy.env_bool("CSP_REPORT_ONLY"):
    CONTENT_SECURITY_POLICY_REPORT_ONLY, CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY, None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the static files with DEBUG=0 too: from STATIC_ROOT after collectstatic in
# production, straight from the source folders for the demo (`make run`) and development.
WHITENOISE_USE_FINDERS = DEBUG or DEMO_MODE
MEDIA_URL = "/media/"  # nothing is published there: every upload is private (core.storage)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))  # old uploads only (files_sweep moves them)
# Every uploaded file, read only through views that apply the data scope (audit.downloads).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
# django | x-accel-redirect (nginx, internal location PRIVATE_MEDIA_INTERNAL_URL) | x-sendfile (Apache)
PRIVATE_MEDIA_SERVE = os.environ.get("PRIVATE_MEDIA_SERVE", "django")
PRIVATE_MEDIA_INTERNAL_URL = os.environ.get("PRIVATE_MEDIA_INTERNAL_URL", "/_private/")
# Object storage (S3-compatible: MinIO on an intranet) for every private file instead of PRIVATE_MEDIA_ROOT,
# shared by every node and worker (core/storage.py). The keys belong in the key file (DANGJIAN_KEY_FILE).
PRIVATE_S3 = deploy.s3_settings(debug=DEBUG, demo=DEMO_MODE)  # None without DANGJIAN_S3_BUCKET
_SERVE_MODES = ("django", "redirect") if PRIVATE_S3 else ("django", "x-accel-redirect", "x-sendfile")
if PRIVATE_MEDIA_SERVE not in _SERVE_MODES:
    raise ValueError(f"PRIVATE_MEDIA_SERVE={PRIVATE_MEDIA_SERVE!r}: {', '.join(_SERVE_MODES)}"
                     + (" (with DANGJIAN_S3_BUCKET)" if PRIVATE_S3 else " (redirect needs DANGJIAN_S3_BUCKET)"))
# The subset Chinese font of the PDF cards (`manage.py prepare_fonts` builds it; safe to delete).
FONT_CACHE_DIR = Path(os.environ.get("DANGJIAN_FONT_CACHE", VAR_DIR / "cache" / "fonts"))
STORAGES = {
    "default": {"BACKEND": "core.storage.PrivateStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token class first: an unauthenticated call answers 401 with its `WWW-Authenticate` header.
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",  # documents the 400/401/403/404 answers
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dangjian API",
    "DESCRIPTION": "社区党建引领基层治理平台 REST API. Every endpoint applies the caller's data scope.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two "kind" choice sets would otherwise collide into a generated name (a `check --deploy` warning).
    "ENUM_NAME_OVERRIDES": {"ResourceKindEnum": "cobuild.models.ResourceKind"},
}

# A shared cache (rate limits, throttles) across worker processes: set REDIS_URL in production,
# e.g. redis://127.0.0.1:6379/0. Without it each process keeps its own in-memory cache.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}


# --- Production and scale-out (docs/deployment.md) -----------------------------------------------------
# Kept in one block: the refusals of a production process, health probes, compressed static files.
deploy.require_database(debug=DEBUG, demo=DEMO_MODE)
deploy.require_shared_cache(debug=DEBUG, demo=DEMO_MODE)
# /healthz and /readyz answer before the host check, the HTTPS redirect and the session (core.health).
MIDDLEWARE.insert(0, "core.health.HealthCheckMiddleware")
# A request id on every request and log line, and the request counters of /metrics (core.observability).
MIDDLEWARE.insert(1, "core.observability.RequestIdMiddleware")
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()
METRICS_ALLOWED_NETWORKS = deploy.networks("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
SLOW_QUERY_MS = deploy.env_int("SLOW_QUERY_MS", 500)
if REDIS_URL:
    # With the shared cache: sessions read from Redis (written through to the database), and the
    # notification badge's count kept there until a message is sent or read: the per-minute poll of
    # every open page costs no session query and no notification query.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    NOTIFICATIONS_CACHE_UNREAD = True
# Logs: one JSON object a line in production (LOG_FORMAT=json, default with DEBUG=0), text in development.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "core.observability.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request"],
                             "formatter": os.environ.get("LOG_FORMAT", "text" if DEBUG or DEMO_MODE else "json")}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"dangjian": {"level": os.environ.get("DANGJIAN_LOG_LEVEL", "INFO")}},
}
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", STATIC_ROOT))
# `manage.py backup` encrypts with this key (urlsafe base64 of 32 bytes, in the key file); older keys
# still open the backups made under them (docs/deployment.md "Backup and restore").
DANGJIAN_BACKUP_KEY = os.environ.get("DANGJIAN_BACKUP_KEY", "").strip()
DANGJIAN_BACKUP_KEYS_OLD = deploy.env_list("DANGJIAN_BACKUP_KEYS_OLD")
for _name, _value in [("DANGJIAN_BACKUP_KEY", DANGJIAN_BACKUP_KEY)] + [
        ("DANGJIAN_BACKUP_KEYS_OLD", v) for v in DANGJIAN_BACKUP_KEYS_OLD]:
    if _value:
        deploy.check_key(_name, _value)  # e.g. /srv/dangjian/staticfiles
if not WHITENOISE_USE_FINDERS:
    # collectstatic writes a gzip copy of every compressible file beside it and a hashed name
    # (cached for a year by browsers); WhiteNoise and nginx (gzip_static) send the .gz to who accepts it.
    STORAGES["staticfiles"] = {"BACKEND": "core.staticstorage.StaticStorage"}
    WHITENOISE_MANIFEST_STRICT = False  # a file referenced by a vendor CSS but not shipped is left as is
