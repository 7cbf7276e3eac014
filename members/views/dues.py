"""Dues, statistics and the dues tiers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.scope import has_perm, require_perm
from core.forms import add_errors

from .. import selectors, services
from ..forms import (
    FixedDuesForm,
    RulesForm,
    TierFormSet,
)
from ..models import (
    DuesBase,
    RegistrySettings,
)
from ..perms import MembersPerm as P


@login_required
def dues_index(request):
    require_perm(request.user, P.VIEW, what="查看党员信息")
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
    arrears = selectors.arrears(actor=request.user)
    rules = RegistrySettings.current()
    rules_form = None
    if has_perm(request.user, P.RULES):
        fields = list(RulesForm.base_fields)
        rules_form = RulesForm(request.POST or None, initial={f: getattr(rules, f) for f in fields})
        if request.method == "POST" and rules_form.is_valid():
            try:
                services.settings_update(actor=request.user, **rules_form.cleaned_data)
            except ValidationError as exc:
                add_errors(rules_form, exc)
            else:
                messages.success(request, "已保存党员管理规则")
                return redirect("members:dues")
    elif request.method == "POST":
        raise PermissionDenied("您没有修改党员管理规则的权限")
    return render(request, "members/dues.html", {
        "rules_form": rules_form,
        "year": year, "totals": selectors.dues_totals(actor=request.user, year=year), "months": range(1, 13),
        # Members without a recorded income are behind all the same; the flag tells why no amount is computed.
        "arrears": [(m, last, behind, services.dues_income_missing(m)) for m, last, behind in arrears[:200]],
        "arrears_count": len(arrears), "settings": RegistrySettings.current(),
        "tiers": services.dues_tiers(), "can_edit_tiers": has_perm(request.user, P.RULES),
    })


@login_required
def stats(request):
    require_perm(request.user, P.VIEW, what="查看党员信息")
    org = request.GET.get("org")
    org_id = int(org) if org and org.isdigit() else None
    data = selectors.statistics(actor=request.user, org=org_id)
    return render(request, "members/stats.html", {"s": data, "orgs": selectors.orgs_in_scope(request.user),
                                                  "org": org_id})


@login_required
def dues_tiers(request):
    """党费标准: the income tiers, the retiree tiers and the fixed amount; edited by holders of members.rules."""
    require_perm(request.user, P.VIEW, what="查看党费标准")
    can_edit = has_perm(request.user, P.RULES)
    tiers = services.dues_tiers()
    rules = RegistrySettings.current()
    post = request.POST if request.method == "POST" else None
    if post is not None and not can_edit:
        raise PermissionDenied("您没有修改党费标准的权限")

    def initial(base):
        # Bound formsets get no initial: every posted row is then read as posted (a row equal to its
        # initial value would otherwise count as "unchanged" and be dropped when it sits among the extras).
        if post is not None:
            return None
        return [{"lower": t.lower, "upper": t.upper, "rate": t.rate} for t in tiers if t.base == base]

    sets = {
        "income": TierFormSet(post, prefix="income", initial=initial(DuesBase.INCOME)),
        "retiree": TierFormSet(post, prefix="retiree", initial=initial(DuesBase.RETIREE)),
    }
    fixed_form = FixedDuesForm(post, initial={"fixed_amount": rules.student_monthly_dues})
    problems: dict[str, list[str]] = {}
    if post is not None:
        valid = all(fs.is_valid() for fs in sets.values()) & fixed_form.is_valid()
        if valid:
            # A row left blank (or ticked 删除) is dropped; everything else is checked by the service.
            rows = {key: [(cd.get("lower"), cd.get("upper"), cd.get("rate")) for f in fs.forms
                          if (cd := f.cleaned_data) and not cd.get("DELETE")
                          and any(cd.get(k) is not None for k in ("lower", "upper", "rate"))]
                    for key, fs in sets.items()}
            try:
                services.dues_rules_update(actor=request.user, income=rows["income"], retiree=rows["retiree"],
                                           fixed_amount=fixed_form.cleaned_data["fixed_amount"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    problems = {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
                else:
                    problems = {"": exc.messages}
                if "fixed_amount" in problems:
                    fixed_form.add_error("fixed_amount", problems.pop("fixed_amount"))
            else:
                messages.success(request, "已保存党费标准")
                return redirect("members:dues_tiers")
    sections = [(key, DuesBase(base).label, sets[key], problems.get(key, []), [t for t in tiers if t.base == base])
                for key, base in (("income", DuesBase.INCOME), ("retiree", DuesBase.RETIREE))]
    bad = post is not None
    return render(request, "members/dues_tiers.html", {
        "sections": sections, "fixed_form": fixed_form, "problems": problems.get("", []), "can_edit": can_edit,
        "tiers": tiers, "settings": rules,
    }, status=400 if bad else 200)
