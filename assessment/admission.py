"""准入制 (seed 000): work enters a community only under an entrustment contract that states the
task, quality, standard, deadline and funds; the community accepts or refuses with a reason, and may
refuse work that came without a contract in one step. The catalogue of admitted work and the
approval powers delegated to each street are data. Every write audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse

from audit.models import AuditAction
from audit.services import diff, record, snapshot
from notifications.services import notify
from regions.models import Region, RegionKind

from .models import AdmittedItem, Contract, ContractStatus, DelegatedPower, Refusal
from .rules import P
from .scoring import _dec
from .services import _check_file, _date, _receiver_users, _require, _text, _today, is_receiver, transition

MAX_FUNDS = Decimal("100000000")


@transaction.atomic
def item_add(*, actor, region: Region, name: str, department: str, funding, basis: str = "") -> AdmittedItem:
    _require(actor, P.DIRECT, region.path, "编制社区工作准入目录")
    if region.kind != RegionKind.DISTRICT:
        raise ValidationError({"region": "准入目录由区（县）制定"})
    it = AdmittedItem.objects.create(region=region, name=_text(name, "name", "准入事项", max_len=120),
                                     department=_text(department, "department", "主管部门", max_len=80),
                                     funding=_dec(funding, "funding", "经费标准", lo=Decimal(0), hi=MAX_FUNDS),
                                     basis=_text(basis, "basis", "依据", max_len=200, required=False))
    record(actor=actor, action=AuditAction.CREATE, obj=it, changes=diff({}, snapshot(it, ["name", "department",
                                                                                         "funding"])))
    return it


@transaction.atomic
def contract_create(*, actor, region: Region, department: str, task: str, quality: str, standard: str,
                    deadline: date | None, funds, item: AdmittedItem | None = None, attachment=None) -> Contract:
    """A department's contract for a community: without funds or a deadline it is no contract."""
    _require(actor, P.DIRECT, region.path, f"向“{region}”登记委托合同")
    if region.kind != RegionKind.COMMUNITY:
        raise ValidationError({"region": "委托合同的对象是社区"})
    if funds in (None, ""):
        raise ValidationError({"funds": "委托合同须写明工作经费（费随事转）"})
    funds = _dec(funds, "funds", "委托经费", lo=Decimal(0), hi=MAX_FUNDS)
    if funds <= 0:
        raise ValidationError({"funds": "委托合同须写明工作经费（费随事转），经费应大于 0"})
    if deadline is None:
        raise ValidationError({"deadline": "委托合同须写明完成期限"})
    deadline = _date(deadline, "deadline", "完成期限")
    if deadline < _today():
        raise ValidationError({"deadline": "完成期限不能早于今天"})
    if item is not None and not item.active:
        raise ValidationError({"item": "该准入事项已失效"})
    if attachment:
        _check_file(attachment, photo=False)
    c = Contract.objects.create(region=region, item=item, deadline=deadline, funds=funds, created_by=actor,
                                department=_text(department, "department", "委托部门", max_len=80),
                                task=_text(task, "task", "委托任务", max_len=200),
                                quality=_text(quality, "quality", "质量要求", max_len=300),
                                standard=_text(standard, "standard", "完成标准", max_len=300),
                                attachment=attachment or "")
    record(actor=actor, action=AuditAction.CREATE, obj=c,
           changes=diff({}, snapshot(c, ["region", "department", "task", "deadline", "funds"])))
    notify(recipients=_receiver_users(region), title=f"{c.department}的委托合同待确认", body=c.task,
           link=reverse("assessment:contract", args=[c.pk]), source=c)
    return c


@transaction.atomic
def contract_decide(*, actor, contract: Contract, accept: bool, reason: str = "") -> Contract:
    """The community accepts the contract, or refuses it with a reason."""
    c = Contract.objects.select_for_update(of=("self",)).select_related("region").get(pk=contract.pk)
    if not is_receiver(actor, c.region):
        raise ValidationError("只有受托社区可以接受或拒绝委托合同")
    if c.status != ContractStatus.PENDING:
        raise ValidationError(f"合同已{c.get_status_display().lstrip('已')}")
    if not accept:
        c.reason = _text(reason, "reason", "拒绝理由", max_len=300)
    transition(c, actor=actor, to=ContractStatus.ACCEPTED if accept else ContractStatus.REFUSED, by="decided_by",
               at="decided_at", also=("reason",), note={"reason": [None, c.reason]} if c.reason else None)
    if c.created_by_id:
        notify(recipients=[c.created_by], title=f"{c.region}{c.get_status_display()}委托合同", body=c.task,
               link=reverse("assessment:contract", args=[c.pk]), source=c)
    return c


@transaction.atomic
def funds_paid(*, actor, contract: Contract, amount) -> Contract:
    c = Contract.objects.select_for_update(of=("self",)).select_related("region").get(pk=contract.pk)
    _require(actor, P.DIRECT, c.region.path, "登记经费拨付")
    if c.status != ContractStatus.ACCEPTED:
        raise ValidationError("只有已接受的合同才拨付经费")
    amount = _dec(amount, "amount", "拨付金额", lo=Decimal("0.01"), hi=MAX_FUNDS)
    if c.funds_paid + amount > c.funds:
        raise ValidationError({"amount": f"累计拨付不能超过合同经费 {c.funds} 元"})
    before = snapshot(c, ["funds_paid"])
    c.funds_paid += amount
    c.save(update_fields=["funds_paid"])
    record(actor=actor, action=AuditAction.UPDATE, obj=c, changes=diff(before, snapshot(c, ["funds_paid"])))
    return c


@transaction.atomic
def work_refuse(*, actor, region: Region, department: str, work: str) -> Refusal:
    """Work that came without a contract: refused in one step, and the refusal kept."""
    if not is_receiver(actor, region) or region.kind != RegionKind.COMMUNITY:
        raise ValidationError("只有本社区可以拒绝无合同的工作")
    r = Refusal.objects.create(region=region, department=_text(department, "department", "部门", max_len=80),
                               work=_text(work, "work", "工作事项", max_len=200), date=_today(), refused_by=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=r, changes=diff({}, snapshot(r, ["department", "work"])))
    return r


@transaction.atomic
def power_add(*, actor, region: Region, name: str, department: str, since: date) -> DelegatedPower:
    _require(actor, P.DIRECT, region.path, f"登记下放到“{region}”的审批权限")
    if region.kind != RegionKind.STREET:
        raise ValidationError({"region": "审批权限下放到街道（镇）"})
    p = DelegatedPower.objects.create(region=region, name=_text(name, "name", "审批事项", max_len=120),
                                      department=_text(department, "department", "原审批部门", max_len=80),
                                      since=_date(since, "since", "下放日期"))
    record(actor=actor, action=AuditAction.CREATE, obj=p, changes=diff({}, snapshot(p, ["region", "name"])))
    return p


def report(contracts, refusals) -> list[dict]:
    """Per department: contracts, accepted, refused, funds promised and paid, refusals of work
    without a contract."""
    rows = {r["department"]: {**r, "without": 0} for r in contracts.values("department").annotate(
        n=Count("id"), accepted=Count("id", filter=Q(status=ContractStatus.ACCEPTED)),
        refused=Count("id", filter=Q(status=ContractStatus.REFUSED)),
        promised=Sum("funds", filter=Q(status=ContractStatus.ACCEPTED)),
        paid=Sum("funds_paid")).order_by()}
    for r in refusals.values("department").annotate(n=Count("id")).order_by():
        rows.setdefault(r["department"], {"department": r["department"], "n": 0, "accepted": 0, "refused": 0,
                                          "promised": None, "paid": None, "without": 0})["without"] = r["n"]
    return sorted(rows.values(), key=lambda r: (-r["n"] - r["without"], r["department"]))
