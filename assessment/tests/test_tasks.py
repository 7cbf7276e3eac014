"""Task lists, assignments with a 交办书, progress with evidence, 纪实, 调度, 会商, escalation."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document

from assessment import services
from assessment.models import (
    Assignment,
    AssignmentStatus,
    Dispatch,
    Escalation,
    Evidence,
    ListStatus,
    Problem,
    ProblemStatus,
    ProgressReport,
    TaskList,
    WeeklyLog,
)
from audit.models import AuditEntry
from meetings import services as meeting_services
from meetings.models import BodyKind, MeetingStatus
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _assign_down(personas, tree, plan, deadline=None):
    deadline = deadline or plan.street_task.deadline
    [street] = services.assignment_create(actor=personas.district_admin, task=plan.street_task, regions=[tree.east],
                                          deadline=deadline, signer="组织部长")
    services.assignment_acknowledge(actor=personas.street_staff, assignment=street)
    [community] = services.assignment_create(actor=personas.street_staff, task=plan.street_task, parent=street,
                                             regions=[tree.east1], deadline=deadline, signer="街道书记")
    return street, community


def test_list_versions(personas, tree, plan):
    tl = plan.task_list
    assert tl.status == ListStatus.PUBLISHED and tl.aspects.count() == 2
    with pytest.raises(ValidationError, match="已发布"):
        services.aspect_add(actor=personas.district_admin, task_list=tl, name="保障体系")
    new = services.tasklist_new_version(actor=personas.district_admin, task_list=tl)
    assert new.version == 2 and new.status == ListStatus.DRAFT
    assert sum(a.tasks.count() for a in new.aspects.all()) == 2
    services.aspect_add(actor=personas.district_admin, task_list=new, name="保障体系")
    services.tasklist_publish(actor=personas.district_admin, task_list=new)
    tl.refresh_from_db()
    assert tl.status == ListStatus.SUPERSEDED
    # A street cannot write a list.
    with pytest.raises(ValidationError):
        services.tasklist_create(actor=personas.street_staff, region=tree.district, year=2026, title="x")


def test_assign_acknowledge_hand_on_and_letter(personas, tree, plan, client_for):
    street, community = _assign_down(personas, tree, plan)
    assert street.number.startswith("组交〔") and community.number == f"{street.number}-01"
    assert Notification.objects.filter(recipient=personas.secretary, title__contains=community.number).exists()
    # The district cannot sign for the street; the secretary signs for its community.
    with pytest.raises(ValidationError, match="只有承办单位"):
        services.assignment_acknowledge(actor=personas.district_admin, assignment=community)
    services.assignment_acknowledge(actor=personas.secretary, assignment=community)
    community.refresh_from_db()
    assert community.status == AssignmentStatus.ACKNOWLEDGED and community.acknowledged_by == personas.secretary
    resp = client_for(personas.secretary).get(f"/assessment/assignments/{community.pk}/letter.docx")
    assert resp.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.content)).paragraphs)
    for part in (community.number, "重点任务交办书", "建强小区党支部", "签发人：街道书记", "东一社区：",
                 f"{community.deadline.year}年{community.deadline.month}月{community.deadline.day}日"):
        assert part in text


def test_bad_assignments_change_nothing(personas, tree, plan):
    today = timezone.localdate()
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as e:
        services.assignment_create(actor=personas.district_admin, task=plan.street_task, regions=[tree.east],
                                   deadline=today - timedelta(days=1), signer="部长")
    assert "不能早于交办日期" in str(e.value)
    with pytest.raises(ValidationError, match="不是该任务适用的层级"):
        services.assignment_create(actor=personas.district_admin, task=plan.community_task, regions=[tree.east],
                                   deadline=plan.community_task.deadline, signer="部长")
    with pytest.raises(ValidationError, match="签发人不能为空"):
        services.assignment_create(actor=personas.district_admin, task=plan.street_task, regions=[tree.east],
                                   deadline=plan.street_task.deadline, signer=" ")
    # Two nodes, the second refused: neither is saved.
    services.assignment_create(actor=personas.district_admin, task=plan.community_task, regions=[tree.west1],
                               deadline=plan.community_task.deadline, signer="部长")
    n = Assignment.objects.count()
    with pytest.raises(ValidationError, match="已交办给"):
        services.assignment_create(actor=personas.district_admin, task=plan.community_task,
                                   regions=[tree.east1, tree.west1], deadline=plan.community_task.deadline,
                                   signer="部长")
    assert Assignment.objects.count() == n
    # A street cannot assign to another street's community.
    with pytest.raises(ValidationError):
        services.assignment_create(actor=personas.street_staff, task=plan.community_task, regions=[tree.west1],
                                   deadline=plan.community_task.deadline, signer="x")
    assert AuditEntry.objects.count() == before + 1


def test_progress_with_record_link_and_completion(personas, tree, plan):
    street, community = _assign_down(personas, tree, plan)
    with pytest.raises(ValidationError, match="请先签收"):
        services.progress_report(actor=personas.secretary, assignment=community, text="x", progress=10)
    services.assignment_acknowledge(actor=personas.secretary, assignment=community)
    body = meeting_services.body_create(actor=personas.secretary, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                        region=tree.east1, since=date(2020, 1, 1))
    m = meeting_services.meeting_create(actor=personas.secretary, body=body, title="小区党支部筹建会",
                                        date=timezone.localdate() - timedelta(days=1))
    m.status = MeetingStatus.HELD
    m.save()
    other = meeting_services.body_create(actor=personas.west_secretary, name="西一联席会", kind=BodyKind.JOINT,
                                         region=tree.west1, since=date(2020, 1, 1))
    m2 = meeting_services.meeting_create(actor=personas.west_secretary, body=other, title="西一会议",
                                         date=timezone.localdate() - timedelta(days=1))
    m2.status = MeetingStatus.HELD
    m2.save()
    with pytest.raises(ValidationError, match="不在“东一社区”范围内"):
        services.progress_report(actor=personas.secretary, assignment=community, text="开会", progress=50,
                                 records=[("meeting", m2.pk)])
    with pytest.raises(ValidationError, match="须附佐证材料"):
        services.progress_report(actor=personas.secretary, assignment=community, text="完成", progress=100)
    with pytest.raises(ValidationError, match="0 到 100"):
        services.progress_report(actor=personas.secretary, assignment=community, text="x", progress=101)
    assert ProgressReport.objects.count() == 0
    pdf = SimpleUploadedFile("批复.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    services.progress_report(actor=personas.secretary, assignment=community, text="召开筹建会，成立党支部",
                             progress=100, files=[pdf], records=[("meeting", m.pk)])
    community.refresh_from_db()
    assert community.status == AssignmentStatus.DONE
    labels = list(Evidence.objects.values_list("kind", "label"))
    assert ("meeting", f"{m.date:%Y-%m-%d} 小区党支部筹建会") in labels and ("file", "批复.pdf") in labels
    # The street finishes only once every community it handed on to is done (here: done).
    services.progress_report(actor=personas.street_staff, assignment=street, text="全部完成", progress=100,
                             records=[("meeting", m.pk)])
    street.refresh_from_db()
    assert street.status == AssignmentStatus.DONE


def test_street_cannot_finish_before_its_communities(personas, tree, plan):
    street, community = _assign_down(personas, tree, plan)
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(ValidationError, match="下级承办单位尚未全部完成：东一社区"):
        services.progress_report(actor=personas.street_staff, assignment=street, text="完成", progress=100,
                                 files=[pdf])


def test_weekly_log(personas, tree):
    monday = services.week_monday(timezone.localdate())
    log = services.weekly_log_save(actor=personas.secretary, region=tree.east1, week_start=monday,
                                   text="下访 12 户，收集诉求 3 件", visits=12)
    services.weekly_log_save(actor=personas.secretary, region=tree.east1, week_start=monday, text="改", visits=13)
    assert WeeklyLog.objects.get(pk=log.pk).visits == 13
    with pytest.raises(ValidationError, match="周一"):
        services.weekly_log_save(actor=personas.secretary, region=tree.east1, week_start=monday + timedelta(days=1),
                                 text="x")
    with pytest.raises(ValidationError, match="只有本社区"):
        services.weekly_log_save(actor=personas.secretary, region=tree.west1, week_start=monday, text="x")


def test_monthly_dispatch_lists_tasks_behind(personas, tree, plan):
    today = timezone.localdate()
    street, community = _assign_down(personas, tree, plan)
    Assignment.objects.filter(pk=community.pk).update(assigned_on=today - timedelta(days=60),
                                                      deadline=today - timedelta(days=1))
    d = services.dispatch_hold(actor=personas.street_staff, region=tree.east, month=today, held_on=today,
                               summary="本月调度")
    assert [i.assignment_id for i in d.items.all()] == [community.pk]
    item = d.items.get()
    services.dispatch_item_decide(actor=personas.street_staff, item=item, decision="本周内补齐材料", owner="王书记",
                                  due=today + timedelta(days=7))
    with pytest.raises(ValidationError, match="已登记"):
        services.dispatch_hold(actor=personas.street_staff, region=tree.east, month=today, held_on=today)
    with pytest.raises(ValidationError):
        services.dispatch_hold(actor=personas.secretary, region=tree.east, month=today, held_on=today)
    assert Dispatch.objects.count() == 1


def test_problem_register_flow_and_escalation(personas, tree):
    p = services.problem_raise(actor=personas.secretary, region=tree.east1, title="老旧小区房产办证难",
                               description="920 户居民无法办证")
    assert Notification.objects.filter(recipient=personas.street_staff, title__contains="老旧小区").exists()
    with pytest.raises(ValidationError):
        services.problem_advance(actor=personas.secretary, problem=p, action="discuss", discussion="x")
    services.problem_advance(actor=personas.street_staff, problem=p, action="discuss", discussion="涉及多部门")
    with pytest.raises(ValidationError, match="化解时限"):
        services.problem_advance(actor=personas.street_staff, problem=p, action="decide", decision="协调住建局",
                                 owner="住建局", due=None)
    today = timezone.localdate()
    services.problem_advance(actor=personas.street_staff, problem=p, action="decide", decision="协调住建局",
                             owner="住建局", due=today)
    # Forty days later it is still open: it climbs to the district.
    counts = services.escalate_overdue(today=today + timedelta(days=40))
    p.refresh_from_db()
    assert counts["problems"] == 1 and p.escalation == Escalation.QUARTERLY and p.overdue
    assert Notification.objects.filter(recipient=personas.district_admin, title__contains="超期难题").exists()
    services.problem_advance(actor=personas.street_staff, problem=p, action="close", resolution="已办证")
    assert Problem.objects.get(pk=p.pk).status == ProblemStatus.CLOSED


def test_overdue_assignment_climbs_the_tree(personas, tree, plan):
    today = timezone.localdate()
    street, community = _assign_down(personas, tree, plan)
    Assignment.objects.filter(pk__in=[street.pk, community.pk]).update(assigned_on=today - timedelta(days=30),
                                                                       deadline=today - timedelta(days=8))
    counts = services.escalate_overdue()
    community.refresh_from_db()
    assert community.escalation == Escalation.MONTHLY and community.overdue
    assert Notification.objects.filter(recipient=personas.street_staff, title__contains="月调度").exists()
    assert services.escalate_overdue() == {"assignments": 0, "problems": 0, "rectifications": 0}
    assert counts["assignments"] == 2


def test_tasklist_bad_input(personas, tree):
    tl = services.tasklist_create(actor=personas.district_admin, region=tree.district, year=2026, title="清单")
    with pytest.raises(ValidationError, match="还没有重点任务"):
        services.tasklist_publish(actor=personas.district_admin, task_list=tl)
    a = services.aspect_add(actor=personas.district_admin, task_list=tl, name="方面")
    with pytest.raises(ValidationError, match="适用层级"):
        services.keytask_add(actor=personas.district_admin, aspect=a, title="t", content="c", levels=[],
                             deadline=date(2026, 6, 1))
    with pytest.raises(ValidationError, match="2026 年内"):
        services.keytask_add(actor=personas.district_admin, aspect=a, title="t", content="c", levels=["community"],
                             deadline=date(2027, 6, 1))
    assert TaskList.objects.get(pk=tl.pk).status == ListStatus.DRAFT
