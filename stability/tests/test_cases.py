"""Petitions and mediation: a dispute demand becomes a case in one step, the agreement needs both
sides and prints as .docx, follow-up before closing, bad input refused with nothing saved."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document

from audit.models import AuditAction, AuditEntry
from demands import services as demand_services
from demands.models import Channel
from stability import services
from stability.models import Case, CaseSource, CaseStatus

pytestmark = pytest.mark.django_db


def _dispute(personas, tree, title="楼上漏水邻里纠纷"):
    return demand_services.demand_create(actor=personas.secretary, channel=Channel.WALK_IN, category="neighbor-dispute",
                                         region=tree.east1, title=title, description="楼上卫生间漏水，协商未果",
                                         caller_name="钱大妈", caller_phone="13912345678")


def test_a_dispute_demand_becomes_a_case_in_one_step(world, personas, tree, client_for):
    d = _dispute(personas, tree)
    c = client_for(personas.community_staff)
    page = c.get(reverse("stability:cases")).content.decode()
    assert "楼上漏水邻里纠纷" in page and "转为调解案件" in page
    resp = c.post(reverse("stability:case_from_demand"), {"demand": d.pk})
    case = Case.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("stability:case", args=[case.pk])
    assert case.source == CaseSource.DEMAND and case.demand == d and case.dispute_type == "neighbour"
    applicant = case.parties.get()
    assert applicant.name == "钱大妈" and applicant.phone == "13912345678"
    assert "楼上漏水邻里纠纷" not in c.get(reverse("stability:cases")).content.decode().split("case-list")[0]
    again = c.post(reverse("stability:case_from_demand"), {"demand": d.pk}, follow=True).content.decode()
    assert "已转为案件" in again and Case.objects.count() == 1


def test_a_demand_out_of_scope_is_404(world, personas, tree, client_for):
    d = _dispute(personas, tree)
    assert client_for(personas.west_secretary).post(reverse("stability:case_from_demand"),
                                                    {"demand": d.pk}).status_code == 404
    assert client_for(personas.grid_worker).post(reverse("stability:case_from_demand"),
                                                 {"demand": d.pk}).status_code == 403
    assert not Case.objects.exists()


def _case(personas, tree, **kw):
    args = dict(actor=personas.secretary, region=tree.east1, kind="mediation", dispute_type="neighbour",
                title="噪音扰民", facts="楼下住户反映楼上夜间噪音", received_on=date.today(),
                parties=[{"role": "applicant", "name": "赵甲", "phone": "13900000001"}]) | kw
    return services.case_create(**args)


def test_the_agreement_needs_both_sides_and_prints_as_docx(world, personas, tree, client_for):
    case = _case(personas, tree)
    with pytest.raises(ValidationError) as exc:
        services.case_agree(actor=personas.secretary, case=case, agreement="晚十点后不再装修", agreed_on=date.today(),
                            performance="即日起履行", follow_up_due=date.today() + timedelta(days=30))
    assert "申请人和被申请人" in str(exc.value)
    services.case_add_party(actor=personas.secretary, case=case, role="respondent", name="钱乙", address="1号楼101")
    services.case_step_add(actor=personas.secretary, case=case, action="组织调解", on=date.today(), note="双方到场")
    services.case_agree(actor=personas.secretary, case=case, agreement="晚十点后不再装修\n赔偿楼下损失500元",
                        agreed_on=date.today(), performance="七日内付清",
                        follow_up_due=date.today() + timedelta(days=30))
    resp = client_for(personas.community_staff).get(reverse("stability:case_agreement", args=[case.pk]))
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(resp.streaming_content)
                                                           if resp.streaming else resp.content)).paragraphs)
    assert "人民调解协议书" in text and "赵甲" in text and "钱乙" in text and "2. 赔偿楼下损失500元" in text
    assert "东一社区人民调解委员会" in text
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(case.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        services.case_close(actor=personas.secretary, case=case, on=date.today())
    assert "须先回访" in str(exc.value)
    services.case_follow_up(actor=personas.secretary, case=case, on=date.today(), note="已履行")
    case = services.case_close(actor=personas.secretary, case=case, on=date.today())
    assert case.status == CaseStatus.CLOSED
    assert [s.action for s in case.steps.all()] == ["受理", "添加当事人", "组织调解", "达成协议", "回访", "结案"]


def test_no_agreement_no_document(world, personas, tree, client_for):
    case = _case(personas, tree)
    resp = client_for(personas.secretary).get(reverse("stability:case_agreement", args=[case.pk]), follow=True)
    assert "尚未达成协议" in resp.content.decode()


@pytest.mark.parametrize("kw,field,message", [
    ({"title": ""}, "title", "事由不能为空"),
    ({"facts": "<b>x</b>"}, "facts", "不能包含 < 或 > 符号"),
    ({"received_on": date.today() + timedelta(days=3)}, "received_on", "不能晚于今天"),
    ({"parties": []}, "parties", "请至少登记一位申请人"),
    ({"parties": [{"role": "applicant", "name": "甲", "phone": "1" * 30}]}, "parties-0", "格式不正确"),
    ({"dispute_type": "x"}, "dispute_type", "请选择纠纷类型"),
])
def test_bad_cases_are_refused(world, personas, tree, kw, field, message):
    with pytest.raises(ValidationError) as exc:
        _case(personas, tree, **kw)
    assert field in exc.value.message_dict and message in str(exc.value)
    assert not Case.objects.exists()


def test_failed_mediation_closes_without_agreement(world, personas, tree):
    case = _case(personas, tree)
    services.case_fail(actor=personas.secretary, case=case, on=date.today(), note="双方分歧较大，引导诉讼")
    case = services.case_close(actor=personas.secretary, case=case, on=date.today())
    assert case.status == CaseStatus.CLOSED and not case.agreement


def test_case_pages_by_scope(world, personas, tree, client_for):
    case = _case(personas, tree, region=tree.east1_grid1)
    assert client_for(personas.street_staff).get(reverse("stability:case", args=[case.pk])).status_code == 200
    assert client_for(personas.west_secretary).get(reverse("stability:case", args=[case.pk])).status_code == 404
    assert client_for(personas.member).get(reverse("stability:case", args=[case.pk])).status_code == 403
    assert client_for(personas.grid_worker).get(reverse("stability:case", args=[case.pk])).status_code == 200
    assert client_for(personas.other_grid_worker).get(reverse("stability:case", args=[case.pk])).status_code == 404
    r = client_for(personas.grid_worker).post(reverse("stability:case", args=[case.pk]),
                                              {"action": "close", "on": date.today().isoformat()})
    assert r.status_code == 403
