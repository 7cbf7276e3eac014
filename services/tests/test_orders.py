"""Orders: the portal, the hotline and a grid worker order; the community dispatches; the provider
(seeing only its own orders) completes; the resident rates. Bad input changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from services import services
from services.models import Channel, Order, OrderState

pytestmark = pytest.mark.django_db


def _portal_order(world, tree, **kw):
    data = dict(actor=None, region=tree.east1, service=world.repair, channel=Channel.PORTAL, requester_name="张大爷",
                requester_phone="13912345678", address="阳光小区1号楼101", description="厨房水龙头漏水")
    data.update(kw)
    return services.order_create(**data)


def test_an_order_goes_from_the_portal_to_a_provider_and_is_rated(world, tree, personas):
    o = _portal_order(world, tree)
    assert o.state == OrderState.NEW and o.code.startswith("FW") and len(o.code) == 12
    services.order_assign(actor=personas.secretary, order=o, provider=world.fixers)
    o.refresh_from_db()
    assert o.state == OrderState.ASSIGNED and o.price_label == "30 元/次"
    services.order_complete(actor=personas.liaison, order=o, note="更换了阀芯")
    services.order_rate(actor=None, order=o, rating=5, note="师傅很专业")
    o.refresh_from_db()
    assert (o.state, o.rating, o.rating_note) == (OrderState.RATED, 5, "师傅很专业")
    assert AuditEntry.objects.filter(object_type__icontains="order", object_id=str(o.pk)).count() == 4


def test_a_provider_without_the_offering_cannot_be_dispatched(world, tree, personas):
    o = _portal_order(world, tree, service=world.cleaning)
    with pytest.raises(ValidationError, match="没有登记提供"):
        services.order_assign(actor=personas.secretary, order=o, provider=world.fixers)
    o.refresh_from_db()
    assert o.state == OrderState.NEW and o.provider is None


def test_rating_before_done_and_twice_is_refused(world, tree, personas):
    o = _portal_order(world, tree)
    with pytest.raises(ValidationError, match="服务完成后才能评价"):
        services.order_rate(actor=None, order=o, rating=5)
    services.order_assign(actor=personas.secretary, order=o, provider=world.volunteers)
    services.order_complete(actor=personas.secretary, order=o, note="已修好")
    with pytest.raises(ValidationError, match="1 至 5"):
        services.order_rate(actor=None, order=o, rating=9)
    services.order_rate(actor=None, order=o, rating=4)
    with pytest.raises(ValidationError, match="不能再评价"):
        services.order_rate(actor=None, order=o, rating=1)


def test_another_providers_account_cannot_complete_it(world, tree, personas):
    o = _portal_order(world, tree)
    services.order_assign(actor=personas.secretary, order=o, provider=world.fixers)
    with pytest.raises(ValidationError, match="没有"):
        services.order_complete(actor=world.other_account, order=o, note="x")


@pytest.mark.parametrize("field,value,message", [
    ("requester_name", "", "联系人不能为空"),
    ("requester_phone", "12345", "联系电话"),
    ("description", "<script>alert(1)</script>", "不能包含 < 或 > 符号"),
    ("address", "门牌\x00号", "控制字符"),
    ("description", "修" * 501, "不能超过 500 个字"),
])
def test_bad_input_is_named_and_nothing_is_saved(world, tree, field, value, message):
    with pytest.raises(ValidationError) as exc:
        _portal_order(world, tree, **{field: value})
    assert message in " ".join(exc.value.message_dict[field])
    assert Order.objects.count() == 0


def test_a_service_of_another_community_or_a_past_date_is_refused(world, tree):
    from datetime import timedelta

    from django.utils import timezone
    with pytest.raises(ValidationError, match="不在本社区的服务目录"):
        _portal_order(world, tree, service=world.west_repair)
    with pytest.raises(ValidationError, match="期望日期不能早于"):
        _portal_order(world, tree, wanted_on=timezone.localdate() - timedelta(days=3))
    with pytest.raises(ValidationError, match="90 天"):
        _portal_order(world, tree, wanted_on=timezone.localdate() + timedelta(days=3650))
    assert Order.objects.count() == 0


def test_a_grid_worker_orders_only_for_residents_of_their_grid(world, tree, personas):
    o = services.order_create(actor=personas.grid_worker, region=tree.east1, service=world.repair,
                              channel=Channel.GRID, resident=world.resident, requester_name="张大爷",
                              requester_phone="13912345678", address="阳光小区1号楼101", description="门锁坏了")
    assert o.grid == tree.east1_grid1
    with pytest.raises(ValidationError, match="不在您负责的网格"):
        services.order_create(actor=personas.grid_worker, region=tree.east1, service=world.repair,
                              channel=Channel.GRID, resident=world.neighbour, requester_name="李阿姨",
                              requester_phone="13912345678", address="x", description="门锁坏了")
    with pytest.raises(ValidationError, match="没有"):
        services.order_create(actor=personas.grid_worker, region=tree.east1, service=world.repair,
                              channel=Channel.HOTLINE, requester_name="李阿姨", requester_phone="13912345678",
                              address="x", description="门锁坏了")
    assert Order.objects.count() == 1


def test_the_grid_worker_page_orders_for_a_resident(world, tree, personas, client_for):
    c = client_for(personas.grid_worker)
    page = c.get(reverse("services:order_new")).content.decode()
    assert "张大爷" in page and "李阿姨" not in page and "王师傅" not in page
    r = c.post(reverse("services:order_new"), {"resident": world.resident.pk, "service": world.repair.pk,
                                               "requester_phone": "13912345678", "description": "灯不亮了"})
    assert r.status_code == 302
    o = Order.objects.get()
    assert (o.channel, o.requester_name, o.address) == (Channel.GRID, "张大爷", "阳光小区1号楼101")


def test_the_hotline_order_page_and_the_dispatch(world, tree, personas, client_for):
    c = client_for(personas.community_staff)
    r = c.post(reverse("services:order_new"), {
        "region": tree.east1.pk, "channel": "hotline", "service": world.repair.pk, "requester_name": "赵奶奶",
        "requester_phone": "13912345678", "address": "阳光小区2号楼", "description": "马桶堵了"})
    o = Order.objects.get()
    assert r.status_code == 302 and o.channel == Channel.HOTLINE
    page = c.get(reverse("services:order", args=[o.pk])).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    r = c.post(reverse("services:order", args=[o.pk]), {"action": "assign", "provider": world.fixers.pk})
    o.refresh_from_db()
    assert o.provider == world.fixers


def test_the_portal_order_and_rating_pages(world, tree, client):
    page = client.get(reverse("portal:services") + f"?community={tree.east1.pk}").content.decode()
    assert "上门维修" in page and "家庭保洁" in page
    r = client.post(reverse("portal:service_submit"), {
        "community": tree.east1.pk, "service": world.repair.pk, "requester_name": "张大爷",
        "requester_phone": "13912345678", "address": "阳光小区1号楼101", "description": "暖气片漏水"})
    assert r.status_code == 200
    o = Order.objects.get()
    assert o.code in r.content.decode()
    page = client.get(reverse("portal:service_order", args=[o.code])).content.decode()
    assert "待派单" in page and "13912345678" not in page and "service-rate-form" not in page
    o.state = OrderState.DONE
    o.save()
    r = client.post(reverse("portal:service_rate", args=[o.code]), {"rating": "5", "note": "满意"})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.rating == 5
    assert client.get(reverse("portal:service_order", args=["FWNOTACODE00"])).status_code == 404


def test_portal_bad_input_names_the_field(world, tree, client):
    r = client.post(reverse("portal:service_submit"), {
        "community": tree.east1.pk, "service": world.repair.pk, "requester_name": "张大爷",
        "requester_phone": "110", "address": "阳光小区", "description": "<b>漏水</b>"})
    body = r.content.decode()
    assert r.status_code == 400 and "联系电话" in body and "不能包含 &lt; 或 &gt; 符号" in body
    assert Order.objects.count() == 0
