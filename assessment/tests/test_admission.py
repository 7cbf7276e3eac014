"""准入制: contracts with funds and a deadline, accepted or refused with a reason by the community,
one-step refusal of work without a contract, the catalogue, delegated powers, the report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessment import admission
from assessment.models import Contract, ContractStatus, Refusal
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _contract(personas, tree, **kw):
    data = dict(region=tree.east1, department="县卫健局", task="老年人健康档案入户核查", quality="核查率 100%",
                standard="逐户签字确认", deadline=timezone.localdate() + timedelta(days=30), funds="20000")
    data.update(kw)
    return admission.contract_create(actor=personas.street_staff, **data)


def test_contract_bad_input_changes_nothing(personas, tree):
    n = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="须写明工作经费"):
        _contract(personas, tree, funds=None)
    with pytest.raises(ValidationError, match="经费应大于 0"):
        _contract(personas, tree, funds="0")
    with pytest.raises(ValidationError, match="须写明完成期限"):
        _contract(personas, tree, deadline=None)
    with pytest.raises(ValidationError, match="不能早于今天"):
        _contract(personas, tree, deadline=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError):  # another street's community
        _contract(personas, tree, region=tree.west1)
    assert not Contract.objects.exists() and AuditEntry.objects.count() == n


def test_accept_refuse_pay_and_report(personas, tree, client_for):
    a = _contract(personas, tree)
    b = _contract(personas, tree, department="县住建局", task="房屋安全排查")
    with pytest.raises(ValidationError, match="只有受托社区"):
        admission.contract_decide(actor=personas.street_staff, contract=a, accept=True)
    admission.contract_decide(actor=personas.secretary, contract=a, accept=True)
    with pytest.raises(ValidationError, match="拒绝理由不能为空"):
        admission.contract_decide(actor=personas.secretary, contract=b, accept=False, reason=" ")
    assert Contract.objects.get(pk=b.pk).status == ContractStatus.PENDING
    admission.contract_decide(actor=personas.secretary, contract=b, accept=False,
                              reason="排查属住建部门职责，社区无专业人员，经费不足")
    admission.funds_paid(actor=personas.street_staff, contract=a, amount="15000")
    with pytest.raises(ValidationError, match="不能超过合同经费"):
        admission.funds_paid(actor=personas.street_staff, contract=a, amount="6000")
    admission.work_refuse(actor=personas.secretary, region=tree.east1, department="县市场监管局",
                          work="代为收集商户营业执照信息")
    with pytest.raises(ValidationError):
        admission.work_refuse(actor=personas.street_staff, region=tree.east1, department="x", work="y")
    rows = {r["department"]: r for r in admission.report(Contract.objects.all(), Refusal.objects.all())}
    assert rows["县卫健局"]["accepted"] == 1 and rows["县卫健局"]["promised"] == Decimal("20000")
    assert rows["县卫健局"]["paid"] == Decimal("15000") and rows["县住建局"]["refused"] == 1
    assert rows["县市场监管局"]["without"] == 1
    # Pages: scope and permissions.
    for who, code in {"secretary": 200, "street_staff": 200, "district_admin": 200, "west_secretary": 404,
                      "grid_worker": 403, "liaison": 403}.items():
        assert client_for(getattr(personas, who)).get(f"/assessment/admission/contracts/{a.pk}/").status_code == \
            code, who
    for tab in ("contracts", "refusals", "catalogue", "powers", "report"):
        assert client_for(personas.secretary).get(f"/assessment/admission/?tab={tab}").status_code == 200
        assert client_for(personas.grid_worker).get(f"/assessment/admission/?tab={tab}").status_code == 403
    page = client_for(personas.west_secretary).get("/assessment/admission/?tab=report").content.decode()
    assert "县卫健局" not in page
    assert client_for(personas.secretary).post("/assessment/admission/?tab=contracts", {}).status_code == 403


def test_catalogue_and_powers(personas, tree):
    it = admission.item_add(actor=personas.district_admin, region=tree.district, name="老年人优待证初审",
                            department="县民政局", funding="5000")
    with pytest.raises(ValidationError):
        admission.item_add(actor=personas.street_staff, region=tree.district, name="x", department="y", funding=1)
    c = _contract(personas, tree, item=it)
    assert c.item == it
    p = admission.power_add(actor=personas.street_staff, region=tree.east, name="居住证申领初审",
                            department="县公安局", since=timezone.localdate())
    assert p.region == tree.east
    with pytest.raises(ValidationError, match="下放到街道"):
        admission.power_add(actor=personas.district_admin, region=tree.east1, name="x", department="y",
                            since=timezone.localdate())
