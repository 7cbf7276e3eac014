"""Staffing quotas per community type (with the grid-worker quota counted on the residents in `grid`), the
training minimums and who falls short, and the workbench blocks of the street and the district."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cadres import selectors, services
from cadres.models import Attendance, Course, StaffingQuota, TrainingMinimum
from dashboards.tests.test_workbench import blocks, count
from grid.tests.conftest import gdata  # noqa: F401
from stewardship import services as stewardship_services

pytestmark = pytest.mark.django_db


def _by_name(rows):
    return {r.region.name: r for r in rows}


def test_compliance_lists_each_shortfall(world, tree, personas, gdata):  # noqa: F811
    da = personas.district_admin
    services.quotas_update(actor=da, values={"city": {"residents_per_grid_worker": 2}})
    rows = _by_name(selectors.compliance(da))
    e1 = rows["东一社区"]
    assert e1.community_type == "city" and e1.residents == 5 and e1.grid_workers_needed == 3
    assert "工作人员应不少于 10 名，现有 2 名，缺 8 名" in e1.shortfalls
    assert any("应配网格员 3 名，现有 0 名，缺 3 名" in s for s in e1.shortfalls)
    w1 = rows["西一社区"]
    assert w1.community_type == "town"  # a town's community, by default
    assert "事业编制应不少于 4 名，现有 0 名，缺 4 名" in w1.shortfalls
    assert "公益性岗位应不少于 8 名，现有 1 名，缺 7 名" in w1.shortfalls
    assert not any("网格员" in s for s in w1.shortfalls)  # 1 resident, 1 grid worker
    # The community's type (kept by stewardship) decides the quota: a county-seat community needs 7 事业编制.
    stewardship_services.community_type_set(actor=da, region=tree.east1, community_type="county_seat")
    e1 = _by_name(selectors.compliance(da))["东一社区"]
    assert "事业编制应不少于 7 名，现有 1 名，缺 6 名" in e1.shortfalls
    # The street sees its communities only.
    assert set(_by_name(selectors.compliance(personas.street_staff))) == {"东一社区", "东二社区"}


def test_quota_pages_and_rules(world, tree, personas, client_for):
    d = client_for(personas.district_admin)
    page = d.get(reverse("cadres:quotas") + "?short=1").content.decode()
    assert "东一社区" in page and "西一社区" in page and "缺 8 名" in page
    street = client_for(personas.street_staff).get(reverse("cadres:quotas")).content.decode()
    assert "西一社区" not in street and "东二社区" in street
    before = list(StaffingQuota.objects.values_list("community_type", "min_staff", "min_career"))
    r = d.post(reverse("cadres:rules"), {"city_min_staff": "-3", "town_min_career": "abc"})
    page = r.content.decode()
    assert r.status_code == 200 and "城市社区的工作人员应在 0 至 200 之间" in page
    assert "建制镇社区的事业编制应为整数" in page
    assert list(StaffingQuota.objects.values_list("community_type", "min_staff", "min_career")) == before
    form = {f"{q.community_type}_{k}": getattr(q, k) for q in StaffingQuota.objects.all() for k in (
        "min_admin", "min_career", "min_welfare", "min_staff", "residents_per_grid_worker")}
    form.update({f"{m.kind}_{k}": getattr(m, k) for m in TrainingMinimum.objects.all()
                 for k in ("min_sessions", "min_days")})
    form["city_min_staff"] = "2"
    assert d.post(reverse("cadres:rules"), form).status_code == 302
    assert StaffingQuota.objects.get(community_type="city").min_staff == 2
    assert "工作人员应不少于" not in " ".join(_by_name(selectors.compliance(personas.district_admin))["东一社区"]
                                          .shortfalls)


@pytest.fixture
def school(world, tree, personas):
    """This year's county Party-school course of 20 days, started 30 days ago; the town-school minimum off."""
    services.minimums_update(actor=personas.district_admin, values={"town_school": {"min_sessions": 0,
                                                                                    "min_days": 0}})
    start = timezone.localdate() - timedelta(days=30)
    if start.year != timezone.localdate().year:
        start = timezone.localdate().replace(month=1, day=1)
    return services.course_create(actor=personas.district_admin, region=tree.district, title="社区干部轮训班",
                                  kind="county_school", organizer="县委党校", start=start,
                                  end=start + timedelta(days=19), days=20, hours=120)


def test_course_and_attendance_refusals(school, world, tree, personas):
    da = personas.district_admin
    n = Course.objects.count()
    with pytest.raises(ValidationError) as e:
        services.course_create(actor=da, region=tree.district, title="网络培训", kind="online", organizer="县委组织部",
                               start=school.start, end=school.start - timedelta(days=1), days=1)
    assert "结束日期" in e.value.message_dict["end"][0] and "不能早于开始日期" in e.value.message_dict["end"][0]
    with pytest.raises(ValidationError) as e:
        services.course_create(actor=da, region=tree.district, title="网络培训", kind="online", organizer="县委组织部",
                               start=school.start, end=school.start + timedelta(days=1), days=5)
    assert "不能超过开始至结束的 2 天" in e.value.message_dict["days"][0]
    assert Course.objects.count() == n
    services.attendance_record(actor=da, course=school, cadre=world.secretary)
    with pytest.raises(ValidationError) as e:
        services.attendance_record(actor=da, course=school, cadre=world.secretary)
    assert "已登记" in e.value.message_dict["cadre"][0]
    with pytest.raises(ValidationError) as e:
        services.attendance_record(actor=da, course=school, cadre=world.worker, days="25")
    assert "参训天数不能超过 20" in e.value.message_dict["days"][0]
    with pytest.raises(ValidationError) as e:
        services.attendance_record(actor=personas.street_staff, course=school, cadre=world.west)
    assert "西一社区" in e.value.message_dict["cadre"][0]
    assert Attendance.objects.count() == 1


def test_who_falls_short(school, world, personas, client_for):
    da = personas.district_admin
    services.attendance_record(actor=da, course=school, cadre=world.secretary)
    services.attendance_record(actor=da, course=school, cadre=world.worker, days=Decimal("12"))
    gaps = {g.cadre.name: g.lines for g in selectors.training_gaps(da, timezone.localdate().year)}
    assert set(gaps) == {"李小梅", "王网格"}
    assert gaps["李小梅"] == ["县委党校集中培训：应不少于 1 次、20 天，已参加 1 次、12 天"]
    assert set(g.cadre.name for g in selectors.training_gaps(personas.street_staff, timezone.localdate().year)) == {
        "李小梅"}
    page = client_for(da).get(reverse("cadres:training")).content.decode()
    assert "社区干部轮训班" in page and "李小梅" in page and "未达到培训要求的人员：2 人" in page
    # The street sees the county's course (organised above it) and records attendance through its page.
    c = client_for(personas.street_staff)
    assert c.get(reverse("cadres:course", args=[school.pk])).status_code == 200
    west_course = services.course_create(actor=da, region=tree_west(world), title="西镇岗位培训", kind="on_job",
                                         organizer="西镇党委", start=school.start, end=school.start, days=1)
    assert c.get(reverse("cadres:course", args=[west_course.pk])).status_code == 404
    assert client_for(personas.secretary).post(reverse("cadres:course", args=[school.pk]),
                                               {"cadre": world.worker.pk}).status_code == 403


def tree_west(world):
    return world.west.region.parent


def test_workbench_blocks(school, world, personas, client_for):
    services.attendance_record(actor=personas.district_admin, course=school, cadre=world.secretary)
    b = blocks(client_for, personas.street_staff)
    assert count(b["cadre-quotas"]) == 2  # 东一社区 and 东二社区 are short of people
    assert "东一社区" in b["cadre-quotas"] and "西一社区" not in b["cadre-quotas"]
    assert count(b["cadre-training"]) == 1 and "李小梅" in b["cadre-training"]
    d = blocks(client_for, personas.district_admin)
    assert count(d["cadre-quotas"]) == 3 and count(d["cadre-training"]) == 2 and "王网格" in d["cadre-training"]
    assert "cadre-quotas" not in blocks(client_for, personas.secretary)
