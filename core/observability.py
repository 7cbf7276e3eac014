"""Logs, slow queries and metrics of a running deployment.

- Every request gets an id: the proxy's ``X-Request-ID`` (nginx ``$request_id``) when it looks like one,
  otherwise a new one; it is sent back in the response and put on every log line of that request.
- ``JsonFormatter`` writes one JSON object a line (``LOG_FORMAT=json``, the default with DEBUG=0): time,
  level, logger, message, request id, user id. Only the numeric user id: no names, no personal data.
- Queries slower than ``SLOW_QUERY_MS`` (default 500) are logged by ``dangjian.slow_query`` with their
  SQL text and duration, never their parameters (a parameter may be a name or an ID number).
- ``/metrics`` (Prometheus text format): requests by method, route pattern and status, a latency
  histogram per route, slow queries, the task queue's depth and failures. Counters live in Redis when
  REDIS_URL is set (so every gunicorn worker adds to the same figures), else in the process. Only for a
  caller with ``METRICS_TOKEN`` (``Authorization: Bearer …``) or from ``METRICS_ALLOWED_NETWORKS``
  (default 127.0.0.1); others get 403. Routes are patterns (``grid/photos/<int:pk>/``), never paths.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import threading
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseForbidden

current_request: ContextVar = ContextVar("current_request", default=None)
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
log_slow = logging.getLogger("dangjian.slow_query")


# --- logging -----------------------------------------------------------------------------------------------


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id (numeric, or empty) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        request = current_request.get()
        user = getattr(request, "_cached_user", None) if request is not None else None
        record.user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else ""
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
            "user_id": getattr(record, "user_id", ""),
        }
        for extra in ("duration_ms", "route", "status"):
            if hasattr(record, extra):
                entry[extra] = getattr(record, extra)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# --- metrics store -------------------------------------------------------------------------------------------


class _Store:
    """Counters as hash fields: in Redis (shared by every process) or in this process's memory."""

    KEY = "dangjian:metrics"

    def __init__(self):
        self._local: dict[str, float] = {}
        self._lock = threading.Lock()
        self._redis = None
        self._redis_url = None

    def _client(self):
        url = getattr(settings, "METRICS_REDIS_URL", None) or getattr(settings, "REDIS_URL", "")
        if not url:
            return None
        if self._redis is None or self._redis_url != url:
            import redis

            self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            self._redis_url = url
        return self._redis

    def add(self, increments: dict[str, float]) -> None:
        client = self._client()
        if client is not None:
            try:
                pipe = client.pipeline(transaction=False)
                for field, amount in increments.items():
                    pipe.hincrbyfloat(self.KEY, field, amount)
                pipe.execute()
                return
            except Exception:  # noqa: BLE001 - metrics never fail a request
                logging.getLogger("dangjian.metrics").warning("metrics: Redis unavailable", exc_info=False)
                return
        with self._lock:
            for field, amount in increments.items():
                self._local[field] = self._local.get(field, 0) + amount

    def read(self) -> dict[str, float]:
        client = self._client()
        if client is not None:
            return {k.decode(): float(v) for k, v in client.hgetall(self.KEY).items()}
        with self._lock:
            return dict(self._local)

    def clear(self) -> None:
        client = self._client()
        if client is not None:
            client.delete(self.KEY)
        with self._lock:
            self._local.clear()


store = _Store()


def _labels(**labels: str) -> str:
    def esc(value: str) -> str:
        return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")

    return "{" + ",".join(f'{k}="{esc(v)}"' for k, v in labels.items()) + "}"


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    labels = _labels(method=method, route=route, status=str(status))
    route_labels = dict(route=route)
    fields = {f"dangjian_http_requests_total{labels}": 1,
              f"dangjian_http_request_duration_seconds_sum{_labels(**route_labels)}": seconds,
              f"dangjian_http_request_duration_seconds_count{_labels(**route_labels)}": 1}
    for bound in BUCKETS:
        if seconds <= bound:
            fields[f"dangjian_http_request_duration_seconds_bucket{_labels(**route_labels, le=str(bound))}"] = 1
    fields[f"dangjian_http_request_duration_seconds_bucket{_labels(**route_labels, le='+Inf')}"] = 1
    store.add(fields)


# --- middleware ---------------------------------------------------------------------------------------------


class RequestIdMiddleware:
    """Sets the request id and, after the response, counts the request (route pattern, status, time)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        tokens = current_request_id.set(request_id), current_request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(tokens[0])
            current_request.reset(tokens[1])
        response["X-Request-ID"] = request_id
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match is not None else "unmatched"
        observe_request(request.method, route, response.status_code, time.perf_counter() - started)
        return response


# --- slow queries -----------------------------------------------------------------------------------------


def slow_query_wrapper(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms >= getattr(settings, "SLOW_QUERY_MS", 500):
            store.add({"dangjian_slow_queries_total": 1})
            log_slow.warning("slow query %.0f ms: %s", elapsed_ms, sql[:2000],
                             extra={"duration_ms": round(elapsed_ms, 1)})


def install_slow_query_log(sender, connection, **kwargs) -> None:
    """connection_created: wrap each new database connection once."""
    if slow_query_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(slow_query_wrapper)


# --- /metrics ------------------------------------------------------------------------------------------------


def _allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        import hmac

        return hmac.compare_digest(header[7:].strip().encode(), token.encode())
    from core.clientip import client_ip

    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    return any(address in net for net in getattr(settings, "METRICS_ALLOWED_NETWORKS", []))


def _task_figures() -> list[str]:
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        return []
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    lines = ["# HELP dangjian_tasks Background tasks by status (database queue).", "# TYPE dangjian_tasks gauge"]
    try:
        by_status = dict(DBTaskResult.objects.values("status").annotate(n=Count("id")).values_list("status", "n"))
    except DatabaseError:
        logging.getLogger("dangjian.metrics").warning("metrics: the task table cannot be read")
        return ["# TYPE dangjian_tasks_readable gauge", "dangjian_tasks_readable 0"]
    for status in ("READY", "RUNNING", "SUCCESSFUL", "FAILED"):
        lines.append(f"dangjian_tasks{_labels(status=status.lower())} {by_status.get(status, 0)}")
    lines += ["# HELP dangjian_tasks_waiting Tasks ready to run now (queue depth).",
              "# TYPE dangjian_tasks_waiting gauge", f"dangjian_tasks_waiting {DBTaskResult.objects.ready().count()}"]
    return lines


def metrics(request) -> HttpResponse:
    if not _allowed(request):
        return HttpResponseForbidden("无权读取监控指标", content_type="text/plain; charset=utf-8")
    figures = store.read()
    families: dict[str, list[str]] = {}
    for field, value in sorted(figures.items()):
        name = field.split("{", 1)[0]
        family = re.sub(r"_(bucket|sum|count)$", "", name) if "duration" in name else name
        families.setdefault(family, []).append(f"{field} {value:g}")
    lines = ["# HELP dangjian_up The application answers.", "# TYPE dangjian_up gauge", "dangjian_up 1"]
    kinds = {"dangjian_http_requests_total": "counter", "dangjian_http_request_duration_seconds": "histogram",
             "dangjian_slow_queries_total": "counter"}
    for family, samples in families.items():
        lines.append(f"# TYPE {family} {kinds.get(family, 'untyped')}")
        lines.extend(samples)
    lines += _task_figures()
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8")
