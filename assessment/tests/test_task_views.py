"""Pages of the task system: the role matrix (out of scope 404, no permission 403) and the forms."""

import pytest
from django.utils import timezone

from assessment import services
from assessment.models import Assignment, AssignmentStatus, DispatchItem, WeeklyLog

pytestmark = pytest.mark.django_db

PAGES = ["/assessment/", "/assessment/weekly/", "/assessment/dispatches/", "/assessment/problems/"]


def test_menu_pages_role_matrix(personas, client_for):
    allowed = ["district_admin", "street_staff", "secretary", "community_staff", "superuser"]
    refused = ["grid_worker", "member", "liaison", "sysadmin", "secadmin", "auditor", "nobody"]
    for name in allowed:
        c = client_for(getattr(personas, name))
        for url in PAGES:
            assert c.get(url).status_code == 200, (name, url)
    for name in refused:
        c = client_for(getattr(personas, name))
        for url in PAGES + ["/assessment/lists/"]:
            assert c.get(url).status_code == 403, (name, url)
    assert client_for(personas.district_admin).get("/assessment/lists/").status_code == 200
    assert client_for(personas.secretary).get("/assessment/lists/").status_code == 403


def test_assignment_scope(personas, tree, plan, client_for):
    [street] = services.assignment_create(actor=personas.district_admin, task=plan.street_task, regions=[tree.east],
                                          deadline=plan.street_task.deadline, signer="部长")
    [east1, west1] = services.assignment_create(actor=personas.district_admin, task=plan.community_task,
                                                regions=[tree.east1, tree.west1],
                                                deadline=plan.community_task.deadline, signer="部长")
    expect = {
        "district_admin": {street: 200, east1: 200, west1: 200},
        "street_staff": {street: 200, east1: 200, west1: 404},
        "secretary": {street: 404, east1: 200, west1: 404},
        "community_staff": {street: 404, east1: 200, west1: 404},
        "west_secretary": {street: 404, east1: 404, west1: 200},
        "grid_worker": {street: 403, east1: 403, west1: 403},
    }
    for name, cases in expect.items():
        c = client_for(getattr(personas, name))
        for a, code in cases.items():
            assert c.get(f"/assessment/assignments/{a.pk}/").status_code == code, (name, a.region)
            assert c.get(f"/assessment/assignments/{a.pk}/letter.docx").status_code == code, (name, a.region)
    # The list shows only what is about the viewer.
    page = client_for(personas.secretary).get("/assessment/?state=all").content.decode()
    assert east1.number in page and west1.number not in page and street.number not in page
    # Another community cannot sign for this one (404, not a silent success).
    assert client_for(personas.west_secretary).post(f"/assessment/assignments/{east1.pk}/acknowledge/").status_code \
        == 404
    # The task list pages: the district only.
    assert client_for(personas.street_staff).get(f"/assessment/lists/{plan.task_list.pk}/").status_code == 404
    assert client_for(personas.district_admin).get(f"/assessment/lists/{plan.task_list.pk}/").status_code == 200


def test_acknowledge_and_report_through_pages(personas, tree, plan, client_for):
    [a] = services.assignment_create(actor=personas.district_admin, task=plan.community_task, regions=[tree.east1],
                                     deadline=plan.community_task.deadline, signer="部长")
    c = client_for(personas.secretary)
    assert "签收交办书" in c.get(f"/assessment/assignments/{a.pk}/").content.decode()
    c.post(f"/assessment/assignments/{a.pk}/acknowledge/")
    assert Assignment.objects.get(pk=a.pk).status == AssignmentStatus.ACKNOWLEDGED
    resp = c.post(f"/assessment/assignments/{a.pk}/report/", {"text": "完成", "progress": "100"}, follow=True)
    assert "须附佐证材料" in resp.content.decode()
    resp = c.post(f"/assessment/assignments/{a.pk}/report/", {"text": "过半", "progress": "60"}, follow=True)
    assert "已报告进展" in resp.content.decode() and Assignment.objects.get(pk=a.pk).progress == 60
    # The district admin directs but does not report for the community.
    resp = client_for(personas.district_admin).get(f"/assessment/assignments/{a.pk}/")
    assert "progress-form" not in resp.content.decode()


def test_weekly_dispatch_problem_pages(personas, tree, plan, client_for):
    today = timezone.localdate()
    c = client_for(personas.secretary)
    resp = c.post("/assessment/weekly/", {"region": tree.east1.pk, "week_start": services.week_monday(today),
                                          "visits": "8", "text": "下访 8 户"}, follow=True)
    assert "已保存本周纪实" in resp.content.decode() and WeeklyLog.objects.count() == 1
    resp = c.post("/assessment/weekly/", {"region": tree.east1.pk, "week_start": services.week_monday(today),
                                          "visits": "-1", "text": "x"})
    assert "走访户数" in resp.content.decode()
    assert "下访 8 户" not in client_for(personas.west_secretary).get("/assessment/weekly/").content.decode()
    [a] = services.assignment_create(actor=personas.district_admin, task=plan.community_task, regions=[tree.east1],
                                     deadline=today, signer="部长")
    Assignment.objects.filter(pk=a.pk).update(assigned_on=today.replace(day=1) if today.day > 1 else today)
    Assignment.objects.filter(pk=a.pk).update(deadline=today - timezone.timedelta(days=1))
    s = client_for(personas.street_staff)
    resp = s.post("/assessment/dispatches/", {"region": tree.east.pk, "month": today, "held_on": today,
                                              "summary": "调度"}, follow=True)
    assert "1 项任务滞后" in resp.content.decode()
    item = DispatchItem.objects.get()
    s.post(f"/assessment/dispatches/{item.dispatch_id}/items/{item.pk}/", {"decision": "限期完成", "owner": "王书记"})
    assert DispatchItem.objects.get().decision == "限期完成"
    assert client_for(personas.west_secretary).get(f"/assessment/dispatches/{item.dispatch_id}/").status_code == 404
    resp = c.post("/assessment/problems/", {"region": tree.east1.pk, "title": "停车难", "description": "车位不足"},
                  follow=True)
    assert "已提交难题" in resp.content.decode()
