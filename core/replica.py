"""Reads of the heavy pages from a PostgreSQL read replica (DATABASE_REPLICA_URL), writes to the primary.

With a replica configured (database alias ``replica``), a GET or HEAD request whose path starts with
one of settings.REPLICA_READ_PATHS (dashboards, search, the tree, the map) reads its business data
from the replica. Everything else reads the primary, and so does:
- any request after the first write it makes (the router pins the rest of the request to the primary);
- every request of a browser that wrote something in the last REPLICA_PIN_SECONDS (a cookie set on
  each non-GET request), so a person never misses on the dashboard what they have just entered
  because the replica lags a moment behind;
- accounts, sessions, two-factor devices and the task queue (sign-in state is never read stale);
- management commands, tasks and the scheduler (no request: the primary).
The replica is never migrated (it is a copy the primary streams to) and never written.
"""

from __future__ import annotations

import contextvars

from django.conf import settings

REPLICA = "replica"
_use_replica = contextvars.ContextVar("dangjian_use_replica", default=False)
_pinned = contextvars.ContextVar("dangjian_pinned_to_primary", default=False)
PIN_COOKIE = "dj_primary"
# Sign-in state and the queue: read where they are written.
PRIMARY_ONLY_APPS = frozenset({"accounts", "auth", "sessions", "otp_totp", "otp_static", "django_tasks_database",
                               "contenttypes", "admin"})


def configured() -> bool:
    return bool(getattr(settings, "DATABASE_REPLICA", False))


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and not _pinned.get() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        _pinned.set(True)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaMiddleware:
    """Chooses, per request, whether its reads may go to the replica (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        paths = getattr(settings, "REPLICA_READ_PATHS", ())
        use = (configured() and request.method in ("GET", "HEAD") and PIN_COOKIE not in request.COOKIES
               and any(request.path.startswith(p) for p in paths))
        use_token, pin_token = _use_replica.set(use), _pinned.set(False)
        try:
            response = self.get_response(request)
        finally:
            _use_replica.reset(use_token)
            _pinned.reset(pin_token)
        if configured() and request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(PIN_COOKIE, "1", max_age=int(getattr(settings, "REPLICA_PIN_SECONDS", 10)),
                                httponly=True, samesite="Lax", secure=request.is_secure())
        return response


def reading_replica() -> bool:
    """True while the current request's reads go to the replica (for the page's freshness line)."""
    return _use_replica.get() and not _pinned.get()
