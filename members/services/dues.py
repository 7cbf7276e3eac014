"""Party dues: tiers, the monthly amount, payments, and the registry rules of the dues page."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import diff, record, snapshot

from ..models import (
    Category,
    DuesBase,
    DuesPayment,
    DuesTier,
    PartyMember,
    RegistrySettings,
)
from ..perms import MembersPerm
from .common import _require, _today

DEFAULT_TIERS = [
    (DuesBase.INCOME, "0", "3000", "0.5"), (DuesBase.INCOME, "3000", "5000", "1.0"),
    (DuesBase.INCOME, "5000", "10000", "1.5"), (DuesBase.INCOME, "10000", None, "2.0"),
    (DuesBase.RETIREE, "0", "5000", "0.5"), (DuesBase.RETIREE, "5000", None, "1.0"),
]


# --------------------------------------------------------------------------
# Dues
# --------------------------------------------------------------------------


def dues_tiers() -> list[DuesTier]:
    tiers = list(DuesTier.objects.all())
    if not tiers:
        with transaction.atomic():
            for base, lower, upper, rate in DEFAULT_TIERS:
                DuesTier.objects.create(base=base, lower=Decimal(lower), upper=Decimal(upper) if upper else None,
                                        rate=Decimal(rate))
        tiers = list(DuesTier.objects.all())
    return tiers


FIXED_DUES_CATEGORIES = (Category.STUDENT, Category.UNEMPLOYED, Category.HARDSHIP)


def dues_income_missing(member: PartyMember) -> bool:
    """Whether the dues standard cannot be computed: the member pays by income (or pension) under the tiers,
    and no income is on record."""
    return member.category not in FIXED_DUES_CATEGORIES and member.monthly_income is None


def monthly_dues(member: PartyMember, *, tiers: list[DuesTier] | None = None,
                 settings_: RegistrySettings | None = None) -> Decimal | None:
    """The monthly amount under the tiers; None when the income is unknown (`dues_income_missing`)."""
    settings_ = settings_ or RegistrySettings.current()
    if member.category in FIXED_DUES_CATEGORIES:
        return settings_.student_monthly_dues
    if dues_income_missing(member):
        return None
    base = DuesBase.RETIREE if member.category == Category.RETIRED else DuesBase.INCOME
    income = Decimal(member.monthly_income)
    for tier in tiers if tiers is not None else dues_tiers():
        if tier.base != base:
            continue
        if income > tier.lower and (tier.upper is None or income <= tier.upper) or (income == 0 and tier.lower == 0):
            return (income * tier.rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Decimal("0.00")


@transaction.atomic
def dues_pay(*, actor, member: PartyMember, month: date, amount: Decimal, paid_on: date | None = None) -> DuesPayment:
    _require(actor, MembersPerm.EDIT, member.org.region.path, "登记此党员的党费")
    month = month.replace(day=1)
    paid_on = paid_on or _today()
    if paid_on > _today():
        raise ValidationError({"paid_on": "缴纳日期不能晚于今天"})
    if month > _today().replace(day=1):
        raise ValidationError({"month": "不能预缴尚未到来的月份"})
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "金额应大于 0"})
    if DuesPayment.objects.filter(member=member, month=month).exists():
        raise ValidationError({"month": f"{month:%Y年%m月}的党费已登记"})
    p = DuesPayment.objects.create(member=member, month=month, amount=amount, paid_on=paid_on, org=member.org,
                                   recorded_by=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=p, changes={"month": [None, month.isoformat()],
                                                                   "amount": [None, str(amount)]})
    return p


# Rules edited on the dues page; the fixed monthly amount belongs to the dues tiers (`dues_rules_update`).
SETTINGS_FIELDS = ("deed_quota_min", "deed_quota_max", "mobile_no_contact_months", "arrears_months")


@transaction.atomic
def settings_update(*, actor, **values) -> RegistrySettings:
    from accounts.scope import has_perm

    if not has_perm(actor, MembersPerm.RULES):
        raise ValidationError("您没有修改党员管理规则的权限")
    unknown = sorted(set(values) - set(SETTINGS_FIELDS))
    if unknown:
        raise TypeError(f"settings_update() does not set {', '.join(unknown)} (the fixed dues amount is set by "
                        "dues_rules_update)")
    s = RegistrySettings.current()
    fields = list(values)
    before = snapshot(s, fields)
    if values.get("deed_quota_min", s.deed_quota_min) > values.get("deed_quota_max", s.deed_quota_max):
        raise ValidationError({"deed_quota_min": "实事下限不能大于上限"})
    for k, v in values.items():
        setattr(s, k, v)
    s.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=s, changes=diff(before, snapshot(s, fields)))
    return s


@transaction.atomic
def dues_rules_update(*, actor, income: list[tuple], retiree: list[tuple], fixed_amount: Decimal) -> list[DuesTier]:
    """Replace the dues tiers and the fixed monthly amount (students, unemployed, hardship) at once.

    `income` / `retiree`: rows of (lower, upper or None, rate percent). The tiers of each base must start
    at 0, follow one another without gap or overlap ((lower, upper], the next lower is this upper), end
    with an open upper bound, and carry a rate between 0 and 100 %. Nothing is saved unless all is good."""
    from accounts.scope import has_perm

    if not has_perm(actor, MembersPerm.RULES):
        raise ValidationError("您没有修改党费标准的权限")
    errors: dict[str, list[str]] = {}
    clean: dict[str, list[tuple[Decimal, Decimal | None, Decimal]]] = {}
    for key, base, rows in (("income", DuesBase.INCOME, income), ("retiree", DuesBase.RETIREE, retiree)):
        problems, tiers = _check_tiers(DuesBase(base).label, rows)
        if problems:
            errors[key] = problems
        clean[key] = tiers
    try:
        fixed = Decimal(str(fixed_amount)) if fixed_amount is not None else None
    except Exception:
        fixed = None
    if fixed is None or not fixed.is_finite():
        errors["fixed_amount"] = ["学生、下岗失业、困难党员每月党费：请填写金额"]
    elif fixed < 0:
        errors["fixed_amount"] = ["学生、下岗失业、困难党员每月党费：金额不能为负数"]
    elif fixed > 100:
        errors["fixed_amount"] = ["学生、下岗失业、困难党员每月党费：金额不能超过 100 元"]
    if errors:
        raise ValidationError(errors)
    before = {"tiers": _tiers_text(dues_tiers())}
    s = RegistrySettings.current()
    before["student_monthly_dues"] = str(s.student_monthly_dues)
    DuesTier.objects.all().delete()
    DuesTier.objects.bulk_create([
        DuesTier(base=base, lower=lower, upper=upper, rate=rate)
        for key, base in (("income", DuesBase.INCOME), ("retiree", DuesBase.RETIREE))
        for lower, upper, rate in clean[key]
    ])
    s.student_monthly_dues = fixed.quantize(Decimal("0.01"))
    s.save(update_fields=["student_monthly_dues"])
    tiers = list(DuesTier.objects.all())
    after = {"tiers": _tiers_text(tiers), "student_monthly_dues": str(s.student_monthly_dues)}
    changes = diff(before, after)
    if changes:
        record(actor=actor, action=AuditAction.UPDATE, object_type="members.duestier", object_id="",
               object_repr="党费标准", changes=changes)
    return tiers


def _tiers_text(tiers) -> list[str]:
    return [f"{DuesBase(t.base).label}：{t.lower:.2f}–{'' if t.upper is None else f'{t.upper:.2f}'} 元 {t.rate:.2f}%"
            for t in sorted(tiers, key=lambda t: (t.base, t.lower))]


def _dec(value, what: str, problems: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value).strip())
    except Exception:
        problems.append(f"{what}应为数字")
        return None
    if not d.is_finite():
        problems.append(f"{what}应为数字")
        return None
    return d


def _check_tiers(label: str, rows) -> tuple[list[str], list[tuple[Decimal, Decimal | None, Decimal]]]:
    problems: list[str] = []
    parsed = []
    for i, (lower, upper, rate) in enumerate(rows, 1):
        n = len(problems)
        lo = _dec(lower, f"{label}第 {i} 档的收入下限", problems)
        up = _dec(upper, f"{label}第 {i} 档的收入上限", problems)
        r = _dec(rate, f"{label}第 {i} 档的比例", problems)
        if lo is None and len(problems) == n:
            problems.append(f"{label}第 {i} 档：请填写收入下限")
        if r is None and len(problems) == n:
            problems.append(f"{label}第 {i} 档：请填写比例")
        if lo is not None and lo < 0:
            problems.append(f"{label}第 {i} 档：收入下限不能为负数")
        if up is not None and up < 0:
            problems.append(f"{label}第 {i} 档：收入上限不能为负数")
        if lo is not None and up is not None and up <= lo:
            problems.append(f"{label}第 {i} 档：收入上限（{up}）应大于下限（{lo}）")
        if r is not None and not (0 <= r <= 100):
            problems.append(f"{label}第 {i} 档：比例应在 0 到 100% 之间")
        if len(problems) == n:
            parsed.append((lo, up, r))
    if problems:
        return problems, []
    if not parsed:
        return [f"{label}：至少需要一档"], []
    parsed.sort(key=lambda t: t[0])
    if parsed[0][0] != 0:
        problems.append(f"{label}：最低一档的收入下限应为 0（当前为 {parsed[0][0]}），否则低收入党员无档可依")
    for k in range(1, len(parsed)):
        prev_up, lo = parsed[k - 1][1], parsed[k][0]
        if prev_up is None:
            problems.append(f"{label}：收入下限为 {parsed[k - 1][0]} 的一档没有上限，与后面的档次重叠")
        elif lo < prev_up:
            problems.append(f"{label}：{parsed[k - 1][0]}–{prev_up} 与 {lo} 起的一档重叠")
        elif lo > prev_up:
            problems.append(f"{label}：{prev_up} 到 {lo} 之间没有档次（各档应首尾相接，下一档的下限等于上一档的上限）")
    if parsed[-1][1] is not None:
        problems.append(f"{label}：最高一档应不设上限（收入超过 {parsed[-1][1]} 元的党员无档可依）")
    if len(parsed) > 20:
        problems.append(f"{label}：最多 20 档")
    return problems, ([] if problems else [(lo, up, r.quantize(Decimal("0.01"))) for lo, up, r in parsed])


def restore_default_rules(sender, using="default", apps=None, **kwargs):
    """post_migrate: an emptied database (``flush``, as after every live-server test) gets the national
    dues tiers and the registry's settings back, as ``migrate`` first gave them; kept rules are left alone."""
    from django.apps import apps as global_apps

    try:
        tier_model = (apps or global_apps).get_model("members", "DuesTier")
        settings_model = (apps or global_apps).get_model("members", "RegistrySettings")
    except LookupError:  # migrating towards a state without the models
        return
    if not tier_model.objects.using(using).exists():
        for base, lower, upper, rate in DEFAULT_TIERS:
            tier_model.objects.using(using).create(base=base, lower=Decimal(lower),
                                                   upper=Decimal(upper) if upper else None, rate=Decimal(rate))
    if not settings_model.objects.using(using).exists():
        settings_model.objects.using(using).create()
