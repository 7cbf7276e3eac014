"""The demand pages of the public portal: submit, track, add information, rate; bad input, escaping,
CSRF, the rate limit."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from demands import services
from demands.models import Demand, Satisfaction, State

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _portal_post(client, tree, **kw):
    data = {"category": "convenience", "community": tree.east1.pk, "title": "楼道灯坏了",
            "description": "请帮忙修理", "caller_phone": "13900001111", "caller_name": "李四"}
    data.update(kw)
    return client.post(reverse("portal:submit"), data)


def test_portal_submit_track_add_info_and_rate(client, personas, tree):
    r = _portal_post(client, tree)
    d = Demand.objects.get()
    assert r.status_code == 200 and d.tracking_code in r.content.decode() and d.channel == "portal"
    assert personas.secretary.notifications.filter(title__contains="新诉求").exists()
    page = client.get(reverse("portal:demand", args=[d.tracking_code])).content.decode()
    assert "13900001111" not in page and "李四" not in page and "139****1111" not in page
    r = client.get(reverse("portal:track"), {"code": d.tracking_code.lower()})
    assert r.status_code == 302
    client.post(reverse("portal:add_info", args=[d.tracking_code]), {"note": "<b>晚上更暗</b>"})
    page = client.get(reverse("portal:demand", args=[d.tracking_code])).content.decode()
    assert "&lt;b&gt;晚上更暗&lt;/b&gt;" in page
    # Rating before it is handled: a clear message, nothing changed.
    r = client.post(reverse("portal:rate", args=[d.tracking_code]), {"rating": "satisfied"})
    assert r.status_code == 400 and "办结后才能评价" in r.content.decode()
    d.refresh_from_db()
    assert d.satisfaction == ""
    d = services.demand_transition(actor=personas.secretary, demand=d, action="dispatch",
                                   target_region=tree.east1_grid1)
    services.demand_transition(actor=personas.grid_worker, demand=d, action="handle", note="已修")
    client.post(reverse("portal:rate", args=[d.tracking_code]), {"rating": "unsatisfied", "note": "还是暗"})
    d.refresh_from_db()
    assert d.state == State.DISPATCHED and d.reopen_count == 1 and d.satisfaction == Satisfaction.UNSATISFIED


def test_portal_unknown_code_and_bad_input(client, tree):
    r = client.get(reverse("portal:track"), {"code": "NOPE<script>"})
    assert r.status_code == 404
    assert "NOPE<script>" not in r.content.decode() and "NOPE&lt;script&gt;" in r.content.decode()
    assert client.get(reverse("portal:demand", args=["ZZZZZZZZZZZZ"])).status_code == 404
    r = _portal_post(client, tree, category="bogus")
    assert r.status_code == 400 and "不存在" in r.content.decode()
    r = _portal_post(client, tree, description="x" * (10 * 1024 * 1024))
    assert r.status_code == 400 and "过大" in r.content.decode()
    assert Demand.objects.count() == 0


def test_portal_needs_csrf(tree):
    from django.test import Client

    r = Client(enforce_csrf_checks=True).post(reverse("portal:submit"), {"category": "convenience"})
    assert r.status_code == 403


def test_portal_rate_limited_per_client(client, tree, settings):
    settings.DEMANDS_PORTAL_RATES = {"submit": (3, 3600)}
    for _ in range(3):
        assert _portal_post(client, tree).status_code == 200
    r = _portal_post(client, tree)
    assert r.status_code == 429 and "频繁" in r.content.decode()
    assert Demand.objects.count() == 3
    # Another client is not affected.
    assert _portal_post(client, tree, REMOTE_ADDR="10.0.0.9").status_code in (200, 429)
    from django.test import Client

    assert Client(REMOTE_ADDR="10.0.0.9").post(reverse("portal:submit"), {
        "category": "convenience", "community": tree.east1.pk, "title": "t", "description": "d"}).status_code == 200
