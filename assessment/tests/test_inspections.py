"""Inspections: checklist, findings with rectification items that close only with evidence,
督办通报/约谈, overdue rectifications escalate; the role matrix of the pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment import inspections, services
from assessment.models import (
    DEFAULT_CHECKLIST,
    CheckResult,
    Escalation,
    Evidence,
    Finding,
    Inspection,
    RectificationStatus,
    Sanction,
)
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _inspection(personas, tree, **kw):
    return inspections.inspection_create(actor=personas.district_admin, region=tree.east1, kind="unannounced",
                                         date=timezone.localdate(), inspectors="组织部督查组", **kw)


def test_inspection_findings_close_with_evidence_and_escalate(personas, tree):
    today = timezone.localdate()
    ins = _inspection(personas, tree)
    assert [c.text for c in ins.checks.all()] == DEFAULT_CHECKLIST
    inspections.check_update(actor=personas.district_admin, inspection=ins,
                             results={ins.checks.first().pk: (CheckResult.FAIL, "台账不全")})
    assert ins.checks.filter(result="fail").count() == 1
    f1 = inspections.finding_add(actor=personas.district_admin, inspection=ins, text="党员活动室被挪作他用",
                                 requirement="恢复活动室功能", owner="王书记", deadline=today + timedelta(days=10))
    f2 = inspections.finding_add(actor=personas.district_admin, inspection=ins, text="纪实台账缺三周",
                                 requirement="补齐台账", owner="王书记", deadline=today + timedelta(days=3))
    assert Notification.objects.filter(recipient=personas.secretary, title__contains="督查发现问题").count() == 2
    with pytest.raises(ValidationError, match="须附佐证材料"):
        inspections.finding_close(actor=personas.secretary, finding=f1, note="已恢复")
    with pytest.raises(ValidationError, match="只有整改单位"):
        inspections.finding_close(actor=personas.district_admin, finding=f1, note="已恢复",
                                  files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4")])
    assert Finding.objects.get(pk=f1.pk).status == RectificationStatus.OPEN and not Evidence.objects.exists()
    inspections.finding_close(actor=personas.secretary, finding=f1, note="活动室已恢复",
                              files=[SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 x")])
    f1.refresh_from_db()
    assert f1.status == RectificationStatus.CLOSED and f1.evidence.count() == 1
    # The second is still open ten days after its deadline: it climbs to the street.
    counts = services.escalate_overdue(today=today + timedelta(days=13))
    f2.refresh_from_db()
    assert counts["rectifications"] == 1 and f2.escalation == Escalation.MONTHLY and f2.overdue
    assert Notification.objects.filter(recipient=personas.street_staff, title__contains="超期未整改问题").exists()
    s = inspections.sanction_record(actor=personas.district_admin, region=tree.east1, kind="talk", date=today,
                                    subject="东一社区党组织书记", reason="整改不力", inspection=ins)
    assert Sanction.objects.get() == s


def test_bad_inspection_input(personas, tree):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="晚于今天"):
        inspections.inspection_create(actor=personas.district_admin, region=tree.east1, kind="planned",
                                      date=today + timedelta(days=1), inspectors="x")
    with pytest.raises(ValidationError, match="督查方式"):
        inspections.inspection_create(actor=personas.district_admin, region=tree.east1, kind="x", date=today,
                                      inspectors="x")
    with pytest.raises(ValidationError):  # a community does not inspect
        inspections.inspection_create(actor=personas.secretary, region=tree.east1, kind="planned", date=today,
                                      inspectors="x")
    ins = _inspection(personas, tree)
    with pytest.raises(ValidationError, match="不能早于督查日期"):
        inspections.finding_add(actor=personas.district_admin, inspection=ins, text="x", requirement="y",
                                owner="z", deadline=today - timedelta(days=1))
    with pytest.raises(ValidationError, match="整改单位应为"):
        inspections.finding_add(actor=personas.district_admin, inspection=ins, text="x", requirement="y",
                                owner="z", deadline=today, region=tree.west1)
    assert Inspection.objects.count() == 1 and not Finding.objects.exists()


def test_inspection_pages_role_matrix(personas, tree, client_for):
    ins = _inspection(personas, tree)
    f = inspections.finding_add(actor=personas.district_admin, inspection=ins, text="问题甲", requirement="改",
                                owner="王", deadline=timezone.localdate())
    expect = {"district_admin": 200, "street_staff": 200, "secretary": 200, "community_staff": 200,
              "west_secretary": 404, "grid_worker": 403, "member": 403, "liaison": 403, "nobody": 403}
    for who, code in expect.items():
        c = client_for(getattr(personas, who))
        assert c.get(f"/assessment/inspections/{ins.pk}/").status_code == code, who
        assert c.get("/assessment/inspections/").status_code == (403 if code == 403 else 200), who
    assert "问题甲" not in client_for(personas.west_secretary).get(
        "/assessment/inspections/?tab=rectifications").content.decode()
    # The assessed reads, but cannot record findings or inspect (403 without the permission).
    c = client_for(personas.secretary)
    assert c.post(f"/assessment/inspections/{ins.pk}/findings/", {"text": "x"}).status_code == 403
    assert c.post("/assessment/inspections/", {"region": tree.east1.pk}).status_code == 200
    assert Inspection.objects.count() == 1
    resp = c.post(f"/assessment/findings/{f.pk}/close/", {f"f{f.pk}-note": "已改"}, follow=True)
    assert "须附佐证材料" in resp.content.decode()
    assert client_for(personas.west_secretary).post(f"/assessment/findings/{f.pk}/close/", {}).status_code == 404
