"""Request ids, JSON logs without personal data, the slow-query log and the Prometheus endpoint."""

from __future__ import annotations

import json
import logging
import os

import pytest
from django.test import Client, override_settings

from core.observability import JsonFormatter, RequestContextFilter, store

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture(autouse=True)
def _fresh_metrics():
    store.clear()
    yield
    store.clear()


def test_every_response_carries_a_request_id_and_a_proxys_id_is_kept(db):
    client = Client()
    generated = client.get("/accounts/login/")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="a1b2c3d4e5f60718")["X-Request-ID"] == "a1b2c3d4e5f60718"
    # something that is not an id (a header injection, a name) is replaced
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="张三 13800138000")["X-Request-ID"] != "张三 13800138000"


def test_slow_queries_are_logged_as_json_with_request_and_user_id_never_their_parameters(
        personas, client_for, settings):
    settings.SLOW_QUERY_MS = 0  # every query counts as slow here
    client = client_for(personas.secretary)
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = Collect()
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("dangjian.slow_query")
    logger.addHandler(handler)
    try:
        resp = client.get("/members/list/", {"q": "王书记13800138000"})
    finally:
        logger.removeHandler(handler)
    assert resp.status_code == 200 and lines
    assert {line["request_id"] for line in lines} == {resp["X-Request-ID"]}
    assert any(line["user_id"] == personas.secretary.pk for line in lines)
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert "13800138000" not in text and "王书记" not in text and "'secretary'" not in text
    assert all(line["level"] == "WARNING" and "slow query" in line["message"] for line in lines)


def test_metrics_count_requests_by_route_pattern_for_the_internal_network_only(personas, client_for):
    client = client_for(personas.grid_worker)
    client.get("/grid/photos/999999/")  # a 404 under a pattern: counted by pattern, not by path
    client.get("/accounts/login/")
    with override_settings(ALLOWED_HOSTS=["dangjian.example.gov.cn"]):
        resp = Client().get("/metrics", HTTP_HOST="10.0.0.5:8000")  # from 127.0.0.1, any Host
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/plain; version=0.0.4")
    text = resp.content.decode()
    assert 'dangjian_http_requests_total{method="GET",route="grid/photos/<int:pk>/",status="404"} 1' in text
    assert "999999" not in text
    assert 'dangjian_http_request_duration_seconds_bucket{route="accounts/login/",le="+Inf"} 1' in text
    assert "# TYPE dangjian_http_request_duration_seconds histogram" in text
    assert 'dangjian_tasks{status="failed"} 0' in text and "dangjian_tasks_waiting 0" in text


def test_metrics_refuse_other_networks_and_any_role_without_the_token(personas, client_for, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token-0123456789"
    for user in [None, personas.district_admin, personas.sysadmin, personas.superuser]:
        client = client_for(user) if user else Client()
        assert client.get("/metrics", REMOTE_ADDR="10.9.8.7").status_code == 403
    assert Client().get("/metrics", REMOTE_ADDR="10.9.8.7",
                        HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert Client().get("/metrics", REMOTE_ADDR="10.9.8.7",
                        HTTP_AUTHORIZATION="Bearer s3cret-metrics-token-0123456789").status_code == 200


def test_metrics_of_all_processes_add_up_in_redis(db, settings, monkeypatch):
    import uuid

    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} and CI=true")
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.METRICS_REDIS_URL = REDIS_URL
    monkeypatch.setattr(store, "KEY", f"dangjian:metrics:test:{uuid.uuid4().hex}")  # not another run's figures
    store.clear()
    try:
        Client().get("/accounts/login/")
        # another process's figures, written to the same hash
        redis.Redis.from_url(REDIS_URL).hincrbyfloat(
            store.KEY, 'dangjian_http_requests_total{method="GET",route="accounts/login/",status="200"}', 4)
        text = Client().get("/metrics").content.decode()
        assert 'dangjian_http_requests_total{method="GET",route="accounts/login/",status="200"} 5' in text
    finally:
        store.clear()
