"""Health endpoints for the service manager, the proxy and a load balancer.

- ``/healthz``: the process answers (no database, no cache touched): restart the process when this fails.
- ``/readyz``: the process can serve: the database answers, the cache stores and returns a value, the
  task queue can be read, private file storage is writable. 200 when all pass, 503 with the failing
  part named otherwise: take the node out of rotation, do not restart it.

Both answer before any other middleware (``HealthCheckMiddleware`` sits first): no login, no host
check (a probe on 127.0.0.1 is not one of ALLOWED_HOSTS), no HTTPS redirect, no session, no audit
entry. They carry no personal data: only the parts' names, ``ok`` or an error class, and counts.
"""

from __future__ import annotations

import logging
import os
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.utils import timezone

HEALTH_PATHS = ("/healthz", "/readyz")


def _check_database() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _check_replica() -> dict:
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), extract(epoch FROM now() - pg_last_xact_replay_timestamp())")
        standby, lag = cursor.fetchone()
    return {"standby": bool(standby), "lag_seconds": round(float(lag), 1) if lag is not None else None}


def _check_cache() -> dict:
    cache = caches["default"]
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    if not ok:
        raise RuntimeError("cache did not return the value it was given")
    return {"backend": cache.__class__.__name__}


def _check_task_queue() -> dict:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        ready = DBTaskResult.objects.ready()
        waiting = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        age = int((timezone.now() - oldest).total_seconds()) if oldest else 0
        return {"backend": "database", "waiting": waiting, "oldest_wait_seconds": age}
    from django_tasks import task_backends

    task_backends["default"]  # noqa: B018 - constructing the backend checks its configuration
    return {"backend": backend.rsplit(".", 1)[-1]}


def _check_storage() -> dict:
    if getattr(settings, "PRIVATE_S3", None):  # the bucket answers, and this node may write and delete
        from django.core.files.base import ContentFile

        from core.storage import PrivateS3Storage

        storage = PrivateS3Storage(file_overwrite=True)
        probe = f".readyz/{uuid.uuid4().hex}"
        storage.save(probe, ContentFile(b"ok"))
        storage.delete(probe)
        return {"backend": "s3"}
    root = os.path.abspath(settings.PRIVATE_MEDIA_ROOT)
    os.makedirs(root, exist_ok=True)
    probe = os.path.join(root, f".readyz-{uuid.uuid4().hex}")
    with open(probe, "wb") as handle:
        handle.write(b"ok")
    os.remove(probe)
    return {}


CHECKS = {
    "database": _check_database,
    "replica": _check_replica,
    "cache": _check_cache,
    "task_queue": _check_task_queue,
    "storage": _check_storage,
}


def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request) -> JsonResponse:
    results, healthy = {}, True
    for name, check in CHECKS.items():
        if name == "replica" and not getattr(settings, "DATABASE_REPLICA", False):
            continue  # no read replica configured
        started = time.perf_counter()
        try:
            detail = check()
            results[name] = {"ok": True, **detail}
        except Exception as exc:  # noqa: BLE001 - any failure of a part means "not ready"
            healthy = False
            # The class only: a message may hold a host name or a path; the log has the rest.
            results[name] = {"ok": False, "error": exc.__class__.__name__}
            logging.getLogger("dangjian.health").warning("readyz: %s failed: %r", name, exc)
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": results},
                        status=200 if healthy else 503)


class HealthCheckMiddleware:
    """Answers GET/HEAD of /healthz, /readyz and /metrics (core.observability) before anything else runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path == "/metrics" and request.method in ("GET", "HEAD"):
            from core.observability import metrics

            return metrics(request)
        if path in HEALTH_PATHS and request.method in ("GET", "HEAD"):
            response = healthz(request) if path == "/healthz" else readyz(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
