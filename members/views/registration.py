"""Dual registration (双报到) and mobile members (双报一领)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, require_perm
from core.forms import add_errors, flash_errors
from orgs.models import UNIT_LEVELS
from regions.models import Region, RegionKind

from .. import selectors, services
from ..forms import (
    DecideForm,
    DualRequestForm,
    InflowForm,
    OutflowForm,
    UnitDualRequestForm,
)
from ..models import (
    Category,
    Decision,
    RegistrySettings,
)
from ..perms import MembersPerm as P

# --------------------------------------------------------------------------
# Dual registration
# --------------------------------------------------------------------------


@login_required
def dual_index(request):
    require_perm(request.user, P.VIEW, what="查看党员信息")
    status = request.GET.get("status", "")
    regs = selectors.dual_registrations(actor=request.user, status=status)
    page = Paginator(regs, 30).get_page(request.GET.get("page"))
    deeds = selectors.deeds_this_year([r.member_id for r in page.object_list if r.member_id])
    s = RegistrySettings.current()
    rows = []
    for r in page.object_list:
        n = deeds.get(r.member_id, 0) if r.member_id else None
        rows.append((r, n, has_perm_at(request.user, P.CONFIRM, r.community.path)))
    members = selectors.member_list(actor=request.user, category=Category.EMPLOYED, perm=P.EDIT)
    communities = Region.objects.filter(kind=RegionKind.COMMUNITY).order_by("path")
    form = DualRequestForm(request.POST if request.POST.get("action") == "member" else None,
                           members=members, communities=communities)
    unit_form = UnitDualRequestForm(request.POST if request.POST.get("action") == "unit" else None,
                                    unit_orgs=selectors.orgs_in_scope(request.user, P.EDIT).filter(
                                        level__in=list(UNIT_LEVELS)))
    if request.method == "POST":
        require_perm(request.user, P.EDIT, what="申请报到")
        target = form if request.POST.get("action") == "member" else unit_form
        if target.is_valid():
            d = target.cleaned_data
            try:
                if target is form:
                    services.dual_registration_request(actor=request.user, **d)
                else:
                    services.dual_registration_request(actor=request.user, unit_org=d["unit_org"],
                                                       community=d["unit_org"].region, note=d["note"])
            except ValidationError as exc:
                add_errors(target, exc)
            else:
                messages.success(request, "已提交报到申请，等待社区确认")
                return redirect("members:dual")
    return render(request, "members/dual.html", {
        "rows": rows, "page": page, "status": status, "statuses": Decision.choices, "settings": s,
        "form": form, "unit_form": unit_form, "can_edit": has_perm(request.user, P.EDIT),
        "decide_form": DecideForm(),
    })


@login_required
@require_POST
def dual_decide(request, pk):
    reg = get_in_scope_or_404(selectors.dual_registrations(actor=request.user), pk=pk)
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.dual_registration_decide(actor=request.user, registration=reg, confirm=confirm,
                                          reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已确认报到" if confirm else "已退回报到申请")
    return redirect("members:dual")


# --------------------------------------------------------------------------
# Mobile members
# --------------------------------------------------------------------------


@login_required
def mobile_index(request):
    require_perm(request.user, P.VIEW, what="查看党员信息")
    cutoff = selectors.no_contact_cutoff()
    recs = selectors.mobile_records(actor=request.user)
    flagged = request.GET.get("flag") == "1"
    if flagged:
        recs = recs.filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=cutoff))
    form = OutflowForm(request.POST or None, members=selectors.member_list(actor=request.user, perm=P.EDIT))
    if request.method == "POST":
        require_perm(request.user, P.EDIT, what="登记流动党员")
        if form.is_valid():
            try:
                services.mobile_outflow_report(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已登记外出（流出地报告）")
                return redirect("members:mobile")
    page = Paginator(recs, 30).get_page(request.GET.get("page"))
    rows = []
    for r in page.object_list:
        origin = has_perm_at(request.user, P.VIEW, r.origin_org.region.path)
        role = "流出地" if origin else "流入地"
        rows.append((r, role, (r.last_contact_on or date.min) < cutoff))
    return render(request, "members/mobile.html", {
        "rows": rows, "page": page, "form": form, "flagged": flagged, "cutoff": cutoff,
        "months": RegistrySettings.current().mobile_no_contact_months, "can_edit": has_perm(request.user, P.EDIT),
        "inflow_form": InflowForm(orgs=selectors.orgs_in_scope(request.user, P.EDIT)),
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def mobile_inflow(request, pk):
    rec = get_in_scope_or_404(selectors.mobile_records(actor=request.user), pk=pk)
    form = InflowForm(request.POST, orgs=selectors.orgs_in_scope(request.user, P.EDIT))
    if form.is_valid():
        try:
            services.mobile_inflow_register(actor=request.user, record_=rec, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已登记流入地报到")
    else:
        messages.error(request, "请填写流入地党组织和报到日期")
    return redirect("members:mobile")


@login_required
@require_POST
def mobile_contact(request, pk):
    rec = get_in_scope_or_404(selectors.mobile_records(actor=request.user), pk=pk)
    try:
        services.mobile_contact_record(actor=request.user, record_=rec, on=timezone.localdate())
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已记录与{rec.member.name}的联系")
    return redirect("members:mobile")
