"""工作台: each role's home page lists what it must act on today, each item one tap from its action,
the counts leading to the filtered lists; nobody sees another role's blocks or out-of-scope items."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from cobuild import services as cobuild_services
from cobuild.models import ResourceKind
from cobuild.testing import units  # noqa: F401  (shared fixture)
from demands import services as demand_services
from demands.models import Category, Channel
from grid.models import RentalLease
from grid.tests.conftest import gdata  # noqa: F401  (shared fixture)
from meetings import services as meeting_services
from meetings.models import BodyKind
from members.models import Category as MemberCategory
from members.tests.conftest import members  # noqa: F401  (shared fixture)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def blocks(client, user) -> dict[str, str]:
    html = client(user).get("/").content.decode()
    parts = re.split(r'(?=<div class="card workbench-block[^"]*" id="wb-)', html)
    return {re.match(r'<div class="card workbench-block[^"]*" id="wb-([a-z-]+)"', p).group(1): p
            for p in parts[1:]}


def count(block: str) -> int:
    return int(re.search(r'wb-count"[^>]*>(\d+)<', block).group(1))


@pytest.fixture
def demands_(personas, tree, db):
    from demands.tests.conftest import default_categories  # noqa: F401

    conv = Category.objects.get_or_create(code="convenience", defaults=dict(
        name="便民服务", response_minutes=10, handling_minutes=30))[0]
    new = demand_services.demand_create(actor=None, channel=Channel.PORTAL, category=conv, region=tree.east1,
                                        title="路灯不亮", description="小区门口路灯不亮")
    late = demand_services.demand_create(actor=None, channel=Channel.PORTAL, category=conv, region=tree.east1,
                                         title="垃圾未清运", description="三天没有清运",
                                         submitted_at=timezone.now() - timedelta(days=3))
    west = demand_services.demand_create(actor=None, channel=Channel.PORTAL, category=conv, region=tree.west1,
                                         title="西镇的诉求", description="不在东一社区")
    return new, late, west


ROLE_BLOCKS = {
    "grid_worker": {"my-queue", "grid-events", "key-visits", "visits-due", "leases-ending"},
    "secretary": {"my-queue", "tasks-to-sign", "tasks-overdue", "rectifications", "contracts", "new-demands",
                  "overdue-demands", "cadence-gaps", "unmatched-needs", "unregistered", "imports",
                  "pending-registrations", "key-overdue", "key-visits", "stability-reports", "campaigns-open",
                  "stewardship-todo", "leader-problems-overdue"},
    "community_staff": {"my-queue", "tasks-to-sign", "tasks-overdue", "rectifications", "contracts",
                        "new-demands", "overdue-demands", "cadence-gaps", "unmatched-needs", "unregistered",
                        "imports", "stability-reports", "campaigns-open", "stewardship-todo",
                        "leader-problems-overdue"},
    "street_staff": {"tasks-to-sign", "tasks-overdue", "rectifications", "overdue-demands", "escalated",
                     "cadence-gaps", "deeds-due", "ranking", "stability-reports", "stewardship-approvals",
                     "leaders-unvisited", "leader-problems-overdue", "cadre-quotas", "cadre-training"},
    "district_admin": {"entries-to-rate", "tasks-overdue", "rectifications", "overdue-demands", "escalated",
                       "cadence-gaps", "deeds-due", "ranking", "stewardship-approvals",
                       "leaders-unvisited", "leader-problems-overdue", "cadre-quotas", "cadre-training"},
    "auditor": {"audit-today"},
    "secadmin": {"locked-accounts"},
    "sysadmin": {"no-role-accounts"},
    "nobody": set(),
}


@pytest.mark.parametrize("who", list(ROLE_BLOCKS))
def test_each_role_sees_only_its_own_blocks(who, personas, client_for):
    assert set(blocks(client_for, getattr(personas, who))) == ROLE_BLOCKS[who]


def test_a_grid_worker_never_sees_the_territory_counters(personas, client_for):
    html = client_for(personas.grid_worker).get("/").content.decode()
    assert "街道（镇）" not in html and not re.search(r">\s*社区\s*<", html)


def test_a_portal_demand_reaches_the_secretary_and_the_assignee(demands_, personas, tree, client_for):
    new, late, west = demands_
    b = blocks(client_for, personas.secretary)
    assert count(b["new-demands"]) == 2 and "路灯不亮" in b["new-demands"] and "西镇的诉求" not in b["new-demands"]
    assert f'href="/demands/{new.pk}/"' in b["my-queue"]
    assert count(b["overdue-demands"]) == 1 and "垃圾未清运" in b["overdue-demands"]
    assert "已超期" in b["overdue-demands"] and 'href="/demands/?overdue=1"' in b["overdue-demands"]
    assert 'href="/demands/?state=submitted"' in b["new-demands"]
    # Dispatched to 网格1: the grid worker's queue, with its deadline.
    demand_services.demand_transition(actor=personas.secretary, demand=new, action="dispatch",
                                      target_region=tree.east1_grid1)
    g = blocks(client_for, personas.grid_worker)
    assert "路灯不亮" in g["my-queue"] and "办结时限" in g["my-queue"]
    assert "路灯不亮" not in blocks(client_for, personas.other_grid_worker)["my-queue"]
    assert "路灯不亮" not in blocks(client_for, personas.secretary)["my-queue"]


def test_street_and_district_see_overdue_escalated_and_the_ranking(demands_, personas, client_for):
    demand_services.escalate_overdue()
    s = blocks(client_for, personas.street_staff)
    assert count(s["overdue-demands"]) == 1 and "西镇的诉求" not in s["overdue-demands"]
    assert "东一社区" in s["ranking"] and "东二社区" in s["ranking"] and "西一社区" not in s["ranking"]
    d = blocks(client_for, personas.district_admin)
    assert count(d["overdue-demands"]) == 1


def test_grid_worker_blocks_visits_leases_and_events(gdata, personas, tree, client_for):  # noqa: F811
    lease = RentalLease.objects.create(grid=tree.east1_grid1, house=gdata.households["g11"][1].house,
                                       landlord_name="房东甲", start_date=date(2025, 1, 1),
                                       end_date=TODAY + timedelta(days=10))
    hazard = Category.objects.get_or_create(code="safety-hazard", defaults=dict(
        name="安全隐患", response_minutes=30, handling_minutes=1440, needs_location=True))[0]
    demand_services.demand_create(actor=personas.grid_worker, channel=Channel.STREET, category=hazard,
                                  region=tree.east1_grid1, title="井盖缺失", description="路口井盖缺失",
                                  lat=47.001, lng=89.501)
    b = blocks(client_for, personas.grid_worker)
    assert count(b["visits-due"]) == 3 and "/grid/m/visit/?household=" in b["visits-due"]
    assert "关爱" in b["visits-due"]
    assert "房东甲" in b["leases-ending"] and f"/grid/leases/{lease.pk}/edit/" in b["leases-ending"]
    assert "居住证到期" in b["leases-ending"]
    assert "井盖缺失" in b["grid-events"] and "井盖缺失" in b["my-queue"]
    # The hazard reached the community too.
    assert "井盖缺失" in blocks(client_for, personas.secretary)["new-demands"]


def test_secretary_sees_cadence_gaps_needs_unregistered_and_pending(units, personas, tree, members,  # noqa: F811
                                                                   client_for):
    sec = personas.secretary
    meeting_services.body_create(actor=sec, name="东一社区党建联席会", kind=BodyKind.JOINT, region=tree.east1,
                                 secretary=sec, since=TODAY - timedelta(days=400))
    cobuild_services.need_create(actor=sec, region=tree.east1, agreement=units.agreement_a, kind=ResourceKind.VENUE,
                                 title="活动场地")
    b = blocks(client_for, sec)
    assert count(b["cadence-gaps"]) == 1 and "东一社区党建联席会" in b["cadence-gaps"]
    assert "活动场地" in b["unmatched-needs"]
    assert "张三" in b["unregistered"] and "王五" not in b["unregistered"]  # 王五 is in 西一社区
    assert count(b["pending-registrations"]) == 0


def test_a_party_member_registers_from_the_workbench(personas, tree, members, client_for):  # noqa: F811
    zs = members["zs"]
    zs.user, zs.residence, zs.category = personas.member, tree.east1_grid1, MemberCategory.EMPLOYED
    zs.save()
    c = client_for(personas.member)
    b = blocks(client_for, personas.member)
    assert set(b) == {"my-registration", "my-record", "my-vanguard"}
    assert f'<option value="{tree.east1.pk}" selected>' in b["my-registration"]
    html = c.post("/members/me/register/", {"community": tree.east1.pk}, follow=True).content.decode()
    assert "等待社区党组织确认" in html
    after = blocks(client_for, personas.member)["my-registration"]
    assert "东一社区：待确认" in after and 'id="wb-register-button"' not in after
    s = blocks(client_for, personas.secretary)
    assert count(s["pending-registrations"]) == 1 and "张三" in s["pending-registrations"]
    assert "张三" not in s["unregistered"]


def test_liaison_sees_meetings_to_answer_and_deeds_due(units, personas, tree, client_for):  # noqa: F811
    sec = personas.secretary
    body = meeting_services.body_create(actor=sec, name="联席会", kind=BodyKind.JOINT, region=tree.east1,
                                        secretary=sec, since=TODAY - timedelta(days=10))
    meeting_services.member_add(actor=sec, body=body, unit=units.a, title="成员单位")
    m = meeting_services.meeting_create(actor=sec, body=body, title="本月联席会", date=TODAY + timedelta(days=3))
    b = blocks(client_for, personas.liaison)
    assert set(b) == {"meetings-to-answer", "deeds-due"}
    assert "本月联席会" in b["meetings-to-answer"] and f"/meetings/unit/{m.pk}/" in b["meetings-to-answer"]
    assert "县医院" in b["deeds-due"] and "县一中" not in b["deeds-due"]  # only the liaison's own unit


def test_system_roles_see_their_own_queues(personas, client_for):
    personas.nobody.locked_until = timezone.now() + timedelta(minutes=20)
    personas.nobody.save()
    record(actor=personas.district_admin, action=AuditAction.EXPORT, object_type="members.partymember",
           object_repr="名册导出")
    assert "nobody" in blocks(client_for, personas.secadmin)["locked-accounts"]
    assert "nobody" in blocks(client_for, personas.sysadmin)["no-role-accounts"]
    audit = blocks(client_for, personas.auditor)["audit-today"]
    assert "今日导出 1 次" in audit and "action=export" in audit


def test_key_tasks_reach_the_workbench(client_for, personas, tree):
    from datetime import date, timedelta

    from django.utils import timezone

    from assessment import services as task_services
    from assessment.models import Assignment

    year = timezone.localdate().year
    tl = task_services.tasklist_create(actor=personas.district_admin, region=tree.district, year=year, title="清单")
    a = task_services.aspect_add(actor=personas.district_admin, task_list=tl, name="组织体系")
    t = task_services.keytask_add(actor=personas.district_admin, aspect=a, title="建强小区党支部", content="全覆盖",
                                  levels=["community"], deadline=date(year, 12, 31))
    task_services.tasklist_publish(actor=personas.district_admin, task_list=tl)
    [x] = task_services.assignment_create(actor=personas.district_admin, task=t, regions=[tree.east1],
                                          deadline=date(year, 12, 31), signer="部长")
    sec = blocks(client_for, personas.secretary)
    assert count(sec["tasks-to-sign"]) == 1 and "建强小区党支部" in sec["tasks-to-sign"]
    Assignment.objects.filter(pk=x.pk).update(assigned_on=timezone.localdate() - timedelta(days=40),
                                              deadline=timezone.localdate() - timedelta(days=10))
    task_services.escalate_overdue()
    for who in (personas.secretary, personas.street_staff, personas.district_admin):
        b = blocks(client_for, who)["tasks-overdue"]
        assert count(b) == 1 and "月调度（街道）" in b, who
    assert count(blocks(client_for, personas.west_secretary)["tasks-overdue"]) == 0
