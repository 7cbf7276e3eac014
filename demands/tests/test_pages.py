"""Pages and the API: the role matrix, bad input, escaping (the portal's pages: portal/tests)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.scope import has_perm
from core.treepaths import under
from demands.models import Demand, State
from demands.rules import DemandPerm

from .conftest import png

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["demands:list", "demands:queue", "demands:create", "demands:street_report"]
LADDER_PAGES = ["demands:weekly", "demands:monthly", "demands:quarterly", "demands:stats"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("who, handle, stats", [
    ("district_admin", 200, 200), ("street_staff", 200, 200), ("secretary", 200, 200),
    ("community_staff", 200, 200), ("grid_worker", 200, 403), ("member", 403, 403), ("liaison", 403, 403),
    ("sysadmin", 403, 403), ("secadmin", 403, 403), ("auditor", 403, 403), ("nobody", 403, 403),
])
def test_role_matrix_pages(personas, client_for, who, handle, stats):
    c = client_for(getattr(personas, who))
    for name in STAFF_PAGES:
        assert c.get(reverse(name)).status_code == handle, name
    for name in LADDER_PAGES:
        assert c.get(reverse(name)).status_code == stats, name


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("demands:list"))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("who, sees", [
    ("district_admin", True), ("street_staff", True), ("secretary", True), ("community_staff", True),
    ("grid_worker", True), ("other_grid_worker", False), ("west_secretary", False), ("member", False),
    ("auditor", False),
])
def test_role_matrix_detail_and_api(personas, client_for, make_demand, tree, who, sees):
    d = make_demand(region=tree.east1_grid1)
    user = getattr(personas, who)
    c = client_for(user)
    page = c.get(reverse("demands:detail", args=[d.pk]))
    api = c.get(f"/api/demands/{d.pk}/")
    listing = c.get("/api/demands/")
    if sees:
        assert page.status_code == 200 and api.status_code == 200
        assert api.json()["caller_phone"] == "138****5678" and "13812345678" not in api.content.decode()
        assert "13812345678" not in page.content.decode()
    elif has_perm(user, DemandPerm.VIEW):  # out of scope: 404, and the list is empty
        assert page.status_code == 404 and api.status_code == 404
        assert listing.status_code == 200 and listing.json()["count"] == 0
    else:  # no permission: 403
        assert page.status_code == 403 and api.status_code == 403 and listing.status_code == 403


def test_staff_outside_scope_cannot_act_by_url(personas, client_for, make_demand):
    d = make_demand()
    r = client_for(personas.west_secretary).post(reverse("demands:act", args=[d.pk]), {"action": "accept"})
    assert r.status_code == 404
    assert Demand.objects.get(pk=d.pk).state == State.SUBMITTED


def test_intake_page_creates_and_shows_tracking_code(personas, client_for, tree):
    c = client_for(personas.secretary)
    r = c.post(reverse("demands:create"), {
        "channel": "hotline", "category": "convenience", "region": tree.east1_grid1.pk, "title": "水管漏水",
        "description": "<script>alert(1)</script>厨房水管漏水", "caller_phone": "138 1234 5678",
    }, follow=True)
    d = Demand.objects.get()
    assert d.caller_phone == "13812345678"
    html = r.content.decode()
    assert d.tracking_code in html and "138****5678" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_intake_bad_input_messages(personas, client_for, tree):
    c = client_for(personas.secretary)
    base = {"channel": "hotline", "region": tree.east1.pk, "title": "t", "description": "d"}
    r = c.post(reverse("demands:create"), {**base, "category": "nope"})
    assert r.status_code == 400 and "诉求类别“nope”不存在" in r.content.decode()
    r = c.post(reverse("demands:create"), {**base, "category": "sanitation"})
    assert "必须提供位置" in r.content.decode()
    r = c.post(reverse("demands:create"), {**base, "category": "convenience",
                                           "photos": [__import__("django.core.files.uploadedfile", fromlist=["x"])
                                                      .SimpleUploadedFile("x.jpg", b"MZ\x90\x00 exe")]})
    assert "不是有效的图片文件" in r.content.decode()
    r = c.post(reverse("demands:create"), {**base, "category": "convenience", "description": "长" * (10 * 1024 * 1024)})
    assert r.status_code == 400 and "过大" in r.content.decode()
    assert Demand.objects.count() == 0


def test_disallowed_transition_on_page_shows_message(personas, client_for, make_demand):
    d = make_demand()
    r = client_for(personas.secretary).post(reverse("demands:act", args=[d.pk]),
                                             {"action": "handle", "note": "x", "version": d.version}, follow=True)
    assert "不能执行“办结”" in r.content.decode()
    assert Demand.objects.get(pk=d.pk).state == State.SUBMITTED


def test_dispatch_and_handle_through_pages(personas, client_for, make_demand, tree):
    d = make_demand()
    c = client_for(personas.secretary)
    c.post(reverse("demands:act", args=[d.pk]), {"action": "dispatch", "target": f"r:{tree.east1_grid1.pk}",
                                                 "version": d.version})
    d.refresh_from_db()
    assert d.state == State.DISPATCHED and d.assignee_user == personas.grid_worker
    # Dispatching outside the scope is refused.
    c.post(reverse("demands:act", args=[d.pk]), {"action": "dispatch", "target": f"r:{tree.west1_grid1.pk}",
                                                 "version": d.version})
    d.refresh_from_db()
    assert d.region == tree.east1_grid1
    g = client_for(personas.grid_worker)
    assert d.tracking_code in g.get(reverse("demands:queue")).content.decode()
    g.post(reverse("demands:act", args=[d.pk]), {"action": "handle", "note": "修好了", "version": d.version,
                                                 "photos": [png()]})
    d.refresh_from_db()
    assert d.state == State.HANDLED and d.events.get(action="handle").photos.count() == 1


def test_street_report_with_grid_and_household(personas, client_for, tree):
    c = client_for(personas.grid_worker)
    url = reverse("demands:street_report") + f"?grid={tree.east1_grid1.pk}&household=42"
    r = c.get(url)
    assert r.status_code == 200 and 'value="42"' in r.content.decode()
    c.post(url, {"category": "sanitation", "grid": tree.east1_grid1.pk, "household": 42, "title": "垃圾满溢",
                 "description": "3号楼垃圾桶满了", "lat": "46.99", "lng": "89.52", "photos": [png()]})
    d = Demand.objects.get()
    assert d.channel == "street" and d.household_id == 42 and d.region == tree.east1_grid1 and d.photos.count() == 1
    # Another grid's worker cannot report into this grid.
    r = client_for(personas.other_grid_worker).post(url, {"category": "convenience", "grid": tree.east1_grid1.pk,
                                                          "title": "x", "description": "y"})
    assert r.status_code == 400 and Demand.objects.count() == 1


def test_stats_page_renders_for_scope(personas, client_for, make_demand, tree):
    make_demand()
    r = client_for(personas.street_staff).get(reverse("demands:stats") + f"?node={tree.west.pk}")
    assert r.status_code == 200
    assert "西镇" not in r.content.decode().split("<select")[1]  # only nodes in scope
    assert "东一社区" in r.content.decode()


def test_escalation_command_and_task(make_demand, personas, settings):
    from django.core.management import call_command
    from django.utils import timezone

    from demands.models import Escalation
    from demands.tasks import escalate_demands_task

    d = make_demand(submitted_at=timezone.now() - timezone.timedelta(days=10))
    call_command("escalate_demands")
    assert Demand.objects.get(pk=d.pk).escalation == Escalation.MONTHLY
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert escalate_demands_task.enqueue().return_value == {"flagged": 0, "escalated": 0}


def test_home_cards_and_tree_counter(personas, client_for, make_demand, tree):
    make_demand(region=tree.east1_grid1)
    home = client_for(personas.secretary).get("/").content.decode()
    assert "未办结诉求" in home and "未读消息" in home
    tree_page = client_for(personas.secretary).get(reverse("regions:detail", args=[tree.east1_grid1.pk]))
    assert "未办结诉求" in tree_page.content.decode()


def test_demo_step_loads(db, tree, personas):
    from demands import demo
    from demands.models import Escalation

    demo.load()
    # Seed 003's yearly volume for each community: 243 calls, 30 letters and visits, 51 good deeds.
    in_east1 = Demand.objects.filter(under("region__path", tree.east1.path))
    assert in_east1.filter(channel="hotline").count() == 243
    assert in_east1.filter(channel__in=["mailbox", "walk_in"]).count() == 30
    assert in_east1.filter(channel="street").count() == 51
    assert Demand.objects.filter(escalation__gt=Escalation.NONE).exists()
    assert Demand.objects.filter(overdue=True, state__in=["dispatched"]).exists()


def test_list_search_by_words_address_and_tracking_code(personas, client_for, make_demand, tree):
    lamp = make_demand(title="楼道灯不亮", address="幸福小区3号楼")
    make_demand(title="下水道堵塞", address="阳光小区1号楼")
    theirs = make_demand(region=tree.west1, actor=personas.west_secretary, title="楼道灯闪烁")
    c = client_for(personas.secretary)

    def found(q):
        page = c.get("/demands/", {"q": q})
        assert page.status_code == 200
        return {d.pk for d in page.context["page"].object_list}

    assert lamp.pk in found("楼道灯") and theirs.pk not in found("楼道灯")  # another community's: never
    assert found("幸福小区") == {lamp.pk}
    assert found(lamp.tracking_code.lower()) == {lamp.pk}
    assert found("不存在的词") == set()
