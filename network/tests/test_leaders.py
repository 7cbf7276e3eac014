"""County leaders assigned to communities (3 each, the rule as data), their visits and the problems they
took on; the bad input the task names: a fourth leader, a visit in the future, HTML in the text."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from meetings import services as meeting_services
from meetings.models import BodyKind
from network import selectors, services
from network.models import LeaderAssignment, LeaderProblem, LeaderVisit, NetworkRules, ProblemStatus

from .conftest import quarter_day, today

pytestmark = pytest.mark.django_db


def test_a_fourth_leader_is_refused_and_nothing_changes(world, tree, personas):
    before_assign, before_audit = LeaderAssignment.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.leader_assign(actor=personas.district_admin, leader=world.leaders[3], community=tree.east1)
    msg = exc.value.message_dict["community"][0]
    assert "东一社区已有 3 名联系县领导（张一、王二、李三）" in msg and "每个社区确定 3 名县领导" in msg
    assert LeaderAssignment.objects.count() == before_assign and AuditEntry.objects.count() == before_audit


def test_the_rule_is_data_and_an_ended_assignment_frees_a_place(world, tree, personas):
    admin = personas.district_admin
    with pytest.raises(ValidationError) as exc:
        services.rules_update(actor=admin, leaders_per_community=2, visit_months=3)
    assert "东一社区" in exc.value.message_dict["leaders_per_community"][0]
    services.rules_update(actor=admin, leaders_per_community=4, visit_months=3)
    services.leader_assign(actor=admin, leader=world.leaders[3], community=tree.east1)
    assert NetworkRules.current().leaders_per_community == 4
    with pytest.raises(ValidationError):
        services.rules_update(actor=personas.street_staff, leaders_per_community=3, visit_months=3)
    a = LeaderAssignment.objects.get(leader=world.leaders[3], community=tree.east1)
    services.assignment_end(actor=admin, assignment=a)
    services.rules_update(actor=admin, leaders_per_community=3, visit_months=3)
    # Ending 张一's assignment lets 赵四 take the place.
    services.assignment_end(actor=admin, assignment=world.east[0])
    services.leader_assign(actor=admin, leader=world.leaders[3], community=tree.east1)
    with pytest.raises(ValidationError) as exc:
        services.leader_assign(actor=admin, leader=world.leaders[3], community=tree.east1)
    assert "已在联系" in exc.value.message_dict["community"][0]


def test_only_the_district_assigns_leaders(world, tree, personas):
    with pytest.raises(ValidationError):
        services.leader_assign(actor=personas.secretary, leader=world.leaders[3], community=tree.east2)
    with pytest.raises(ValidationError):
        services.leader_create(actor=personas.street_staff, region=tree.district, name="孙六", post="副县长")


def test_a_visit_in_the_future_or_by_a_leader_not_linked_is_refused(world, tree, personas):
    with pytest.raises(ValidationError) as exc:
        services.visit_record(actor=personas.secretary, leader=world.leaders[0], community=tree.east1,
                              date=today() + timedelta(days=1), findings="看了阵地")
    assert "走访日期不能晚于今天" in exc.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as exc:
        services.visit_record(actor=personas.secretary, leader=world.leaders[3], community=tree.east1,
                              date=today(), findings="看了阵地")
    assert "不是东一社区的联系县领导" in exc.value.message_dict["leader"][0]
    with pytest.raises(ValidationError):  # 西一社区's secretary cannot record in 东一社区
        services.visit_record(actor=personas.west_secretary, leader=world.leaders[0], community=tree.east1,
                              date=today(), findings="看了阵地")
    assert not LeaderVisit.objects.exists()


def test_a_visit_links_to_the_joint_meeting_kept_in_meetings(world, tree, personas):
    body = meeting_services.body_create(actor=personas.secretary, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                        region=tree.east1, since=today() - timedelta(days=300))
    day = quarter_day()
    meeting = meeting_services.meeting_create(actor=personas.secretary, body=body, title="第一季度联席会议", date=day)
    with pytest.raises(ValidationError) as exc:
        services.visit_record(actor=personas.secretary, leader=world.leaders[0], community=tree.east1,
                              date=day - timedelta(days=1), findings="参加联席会议", meeting=meeting)
    assert "与走访日期" in exc.value.message_dict["meeting"][0]
    v = services.visit_record(actor=personas.secretary, leader=world.leaders[0], community=tree.east1, date=day,
                              findings="参加联席会议，协调老旧小区改造", meeting=meeting)
    assert v.attended_joint_meeting and v.meeting == meeting
    assert meeting in services.joint_meetings(tree.east1)
    assert meeting not in services.joint_meetings(tree.west1)


def test_unvisited_this_quarter(world, tree, personas):
    names = lambda actor: {u.assignment.leader.name for u in selectors.unvisited(actor, today())}  # noqa: E731
    assert names(personas.district_admin) == {"张一", "王二", "李三", "钱五"}
    services.visit_record(actor=personas.secretary, leader=world.leaders[1], community=tree.east1,
                          date=quarter_day(), findings="督查阵地")
    assert names(personas.district_admin) == {"张一", "李三", "钱五"}
    assert names(personas.street_staff) == {"张一", "李三"}  # 东街道: not 西一社区's leader
    # A visit last quarter does not count for this one.
    services.visit_record(actor=personas.secretary, leader=world.leaders[0], community=tree.east1,
                          date=quarter_day() - timedelta(days=1), findings="上季度走访")
    assert "张一" in names(personas.district_admin)


def test_problems_overdue_and_resolution(world, tree, personas):
    v = services.visit_record(actor=personas.secretary, leader=world.leaders[0], community=tree.east1,
                              date=today() - timedelta(days=60), findings="看了小区")
    p = services.problem_create(actor=personas.secretary, leader=world.leaders[0], community=tree.east1,
                                problem="雨污管网堵塞", owner="县住建局", deadline=today() - timedelta(days=5), visit=v)
    assert p.overdue_on(today()) and list(selectors.overdue_problems(personas.street_staff, today())) == [p]
    assert not selectors.overdue_problems(personas.west_secretary, today()).exists()
    with pytest.raises(ValidationError) as exc:
        services.problem_create(actor=personas.secretary, leader=world.leaders[0], community=tree.east1,
                                problem="x", owner="y", deadline=v.date - timedelta(days=1), visit=v)
    assert "办结期限" in exc.value.message_dict["deadline"][0]
    with pytest.raises(ValidationError) as exc:
        services.problem_update(actor=personas.secretary, problem=p, status=ProblemStatus.RESOLVED)
    assert "解决情况不能为空" in exc.value.message_dict["resolution"][0]
    services.problem_update(actor=personas.secretary, problem=p, status=ProblemStatus.RESOLVED,
                            resolution="已疏通")
    p.refresh_from_db()
    assert p.resolved_on == today() and not selectors.overdue_problems(personas.district_admin, today()).exists()


def test_the_community_page_shows_its_three_leaders_and_escapes_html(world, tree, personas, client_for):
    services.visit_record(actor=personas.secretary, leader=world.leaders[1], community=tree.east1,
                          date=quarter_day(), findings="<script>alert(1)</script>看了阵地")
    page = client_for(personas.secretary).get(reverse("network:community", args=[tree.east1.pk])).content.decode()
    assert "联系社区的县领导（3 / 3 名）" in page
    assert all(n in page for n in ("张一", "王二", "李三")) and "钱五" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;看了阵地" in page and "<script>alert(1)" not in page
    assert "已走访 1 次" in page and "本期未走访" in page


def test_the_forms_show_the_refusals_in_chinese(world, tree, personas, client_for):
    admin = client_for(personas.district_admin)
    r = admin.post(reverse("network:leader", args=[world.leaders[3].pk]), {"community": tree.east1.pk})
    page = r.content.decode()
    assert r.status_code == 200 and "东一社区已有 3 名联系县领导" in page
    assert not LeaderAssignment.objects.filter(leader=world.leaders[3]).exists()
    url = reverse("network:visit_new", args=[tree.east1.pk])
    r = client_for(personas.secretary).post(url, {"leader": world.leaders[0].pk, "kind": "inspection",
                                                   "date": (today() + timedelta(days=3)).isoformat(),
                                                   "findings": "看了阵地"})
    assert r.status_code == 200 and "走访日期不能晚于今天" in r.content.decode()
    r = client_for(personas.secretary).post(url, {"leader": world.leaders[0].pk, "kind": "inspection",
                                                   "date": today().isoformat(), "findings": "看了阵地"})
    assert r.status_code == 302 and LeaderVisit.objects.count() == 1
    r = client_for(personas.secretary).post(reverse("network:problem_new", args=[tree.east1.pk]), {
        "leader": world.leaders[0].pk, "problem": "路灯损坏", "owner": "县城管局",
        "deadline": (today() + timedelta(days=30)).isoformat()})
    assert r.status_code == 302 and LeaderProblem.objects.get().owner == "县城管局"


def test_the_visit_form_offers_only_the_communitys_current_leaders(world, tree, personas, client_for):
    # 钱五 is linked to 西一社区; an ended link to 东一社区 does not put 钱五 on 东一社区's form.
    services.rules_update(actor=personas.district_admin, leaders_per_community=4, visit_months=3)
    a = services.leader_assign(actor=personas.district_admin, leader=world.leaders[4], community=tree.east1,
                               since=today() - timedelta(days=30))
    services.assignment_end(actor=personas.district_admin, assignment=a)
    page = client_for(personas.secretary).get(reverse("network:visit_new", args=[tree.east1.pk])).content.decode()
    assert "张一（县委书记）" in page and "钱五" not in page
