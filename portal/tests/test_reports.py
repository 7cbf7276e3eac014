"""The portal's map pin layers, nearby open reports, public report pages and the deadline promise."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from demands import services
from demands.models import Category, Channel, Demand
from demands.tests.conftest import png
from grid import services as grid_services
from portal import reports

pytestmark = pytest.mark.django_db
SQUARE = ('{"type":"Polygon","coordinates":[[[89.50,47.00],[89.51,47.00],[89.51,47.01],[89.50,47.01],'
          '[89.50,47.00]]]}')


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _report(tree, title="路灯不亮", lat=47.005, lng=89.505, category="facility-repair", **kw):
    data = dict(channel=Channel.PORTAL, category=Category.objects.get(code=category), region=tree.east1,
                title=title, description="晚上很黑，联系我 13900001111", caller_name="李四",
                caller_phone="13900001111", lat=lat, lng=lng)
    data.update(kw)
    return services.demand_create(actor=None, **data)


def test_the_promise_is_the_categorys_own_deadline(client, tree):
    convenience = Category.objects.get(code="convenience")
    repair = Category.objects.get(code="facility-repair")
    dispute = Category.objects.get(code="neighbor-dispute")
    assert reports.promise(convenience) == "10 分钟内响应，30 分钟内办结"
    assert reports.promise(repair) == "2 小时内响应，3 天内办结"
    assert reports.promise(dispute) == "4 个工作小时内响应，21 个工作日内办结"
    page = client.get(reverse("portal:home")).content.decode()
    assert "半小时" not in page.split('id="portal-promise"')[1].split("</div>")[0]
    shown = json.loads(page.split('id="category-promises" type="application/json">')[1].split("</script>")[0])
    assert shown["facility-repair"] == "2 小时内响应，3 天内办结"  # the form's promise per category
    r = client.post(reverse("portal:submit"), {"category": "facility-repair", "community": tree.east1.pk,
                                               "title": "路灯坏了", "description": "请修理", "address": "东一路"})
    body = r.content.decode()
    assert r.status_code == 200 and "“公共设施维修”类诉求承诺：2 小时内响应，3 天内办结" in body
    d = Demand.objects.get()
    assert (d.handling_due - d.submitted_at).days == 3


def test_areas_are_the_grid_outlines_with_their_community(client, tree):
    grid_services.grid_profile_update(actor=None, grid=tree.east1_grid1, boundary=SQUARE)
    data = client.get(reverse("portal:areas")).json()
    (feature,) = data["features"]
    assert feature["properties"] == {"grid": "网格1", "community": tree.east1.pk, "community_name": "东一社区"}
    assert feature["geometry"]["type"] == "Polygon"


def test_nearby_lists_open_reports_around_the_pin(client, tree, personas):
    near = _report(tree, "路灯不亮")
    _report(tree, "远处的坑", lat=47.05, lng=89.505)  # about 5 km away
    done = _report(tree, "已修好的灯", lat=47.0051)
    services.demand_transition(actor=personas.secretary, demand=done, action="dispatch", target_region=tree.east1_grid1)
    services.demand_transition(actor=personas.secretary, demand=done, action="handle", note="已修复")
    page = client.get(reverse("portal:nearby"), {"lat": "47.0052", "lng": "89.5052"}).content.decode()
    assert "路灯不亮" in page and "远处的坑" not in page and "已修好的灯" not in page
    assert reverse("portal:report", args=[near.tracking_code]) in page
    assert "约 30 米" in page and "无需重复提交" in page
    assert "13900001111" not in page and "李四" not in page
    empty = client.get(reverse("portal:nearby"), {"lat": "30", "lng": "100"}).content.decode()
    assert "没有尚未办结的反映" in empty
    bad = client.get(reverse("portal:nearby"), {"lat": "abc", "lng": "999"})
    assert bad.status_code == 200 and "标出位置后" in bad.content.decode()


def test_the_public_page_shows_photos_and_reply_without_personal_data(client, tree, personas):
    d = _report(tree, "路灯不亮 13900001111", photos=[png("before.png")])
    other = _report(tree, "另一件", photos=[png("other.png")])
    progress = client.get(reverse("portal:demand", args=[d.tracking_code])).content.decode()
    assert f'href="{reverse("portal:report", args=[d.tracking_code])}"' in progress  # one tap from the progress page
    page = client.get(reverse("portal:report", args=[d.tracking_code])).content.decode()
    assert "正在办理，尚无答复" in page and "公共设施维修" in page and "东一社区" in page
    assert "2 小时内响应，3 天内办结" in page
    assert "13900001111" not in page and "139****1111" in page and "李四" not in page
    services.demand_transition(actor=personas.secretary, demand=d, action="dispatch", target_region=tree.east1_grid1)
    services.demand_transition(actor=personas.grid_worker, demand=d, action="handle",
                               note="已更换灯泡，如有问题请致电 13812345678", photos=[png("after.png")])
    page = client.get(reverse("portal:report", args=[d.tracking_code])).content.decode()
    d.refresh_from_db()
    before, after = [p.pk for p in d.photos.order_by("id")]
    assert page.index(f"/photos/{before}/") < page.index("办理后照片") < page.index(f"/photos/{after}/")
    assert "已更换灯泡" in page and "13812345678" not in page and "138****5678" in page
    assert personas.grid_worker.display_name not in page
    photo = client.get(reverse("portal:report_photo", args=[d.tracking_code, after]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    other_photo = other.photos.get().pk
    assert client.get(reverse("portal:report_photo", args=[d.tracking_code, other_photo])).status_code == 404
    assert client.get(reverse("portal:report", args=["NOPE123"])).status_code == 404
    assert client.get(reverse("portal:report", args=["<script>"])).status_code == 404


def test_a_merged_report_has_no_public_page(client, tree, personas):
    a, b = _report(tree, "甲"), _report(tree, "乙")
    services.demand_merge(actor=personas.secretary, demand=b, into=a)
    assert client.get(reverse("portal:report", args=[b.tracking_code])).status_code == 404
    assert client.get(reverse("portal:report", args=[a.tracking_code])).status_code == 200
