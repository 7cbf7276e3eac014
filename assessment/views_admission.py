"""Pages of the 准入制: contracts (a department's, registered by the street or district; the community
accepts or refuses), one-step refusals of work without a contract, the catalogue, delegated powers,
and the report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, scope_filter, scope_paths
from accounts.views import add_errors
from audit.downloads import serve_private
from regions.models import Region, RegionKind

from . import admission
from .forms import AdmittedItemForm, ContractForm, DecideForm, PaidForm, PowerForm, RefusalForm
from .models import AdmittedItem, Contract, ContractStatus, DelegatedPower, Refusal
from .rules import P
from .services import is_receiver
from .views import _bad, _errors, _need

TABS = [("contracts", "委托合同"), ("refusals", "拒绝记录"), ("catalogue", "准入目录"), ("powers", "下放审批权限"),
        ("report", "统计")]


def _own_communities(request):
    roots = scope_paths(request.user, P.REPORT)
    qs = Region.objects.filter(kind=RegionKind.COMMUNITY)
    return qs if roots is None else qs.filter(path__in=roots)


def _catalogue(request):
    """The admitted items of the user's district (read by everyone who may view)."""
    roots = scope_paths(request.user, P.VIEW)
    qs = AdmittedItem.objects.select_related("region").filter(active=True)
    if roots is None:
        return qs
    ids = [i.pk for i in qs if any(r.startswith(i.region.path) or i.region.path.startswith(r) for r in roots)]
    return qs.filter(pk__in=ids)


@login_required
def admission_page(request):
    _need(request)
    tab = request.GET.get("tab") or "contracts"
    user = request.user
    ctx = {"tab": tab, "tabs": TABS}
    contracts = scope_filter(Contract.objects.select_related("region", "item"), user, P.VIEW)
    refusals = scope_filter(Refusal.objects.select_related("region", "refused_by"), user, P.VIEW)
    direct = has_perm(user, P.DIRECT)
    if request.method == "POST":
        _need(request, P.DIRECT if tab in ("contracts", "catalogue", "powers") else P.REPORT)
    if tab == "contracts":
        if direct:
            comms = scope_filter(Region.objects.filter(kind=RegionKind.COMMUNITY), user, P.DIRECT).order_by("path")
            form = ContractForm(request.POST or None, request.FILES or None, regions=comms, items=_catalogue(request))
            if request.method == "POST" and form.is_valid():
                try:
                    c = admission.contract_create(actor=user, **form.cleaned_data)
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, "已登记委托合同，待社区确认")
                    return redirect("assessment:contract", pk=c.pk)
            ctx["form"] = form
        ctx["page"] = Paginator(contracts, 30).get_page(request.GET.get("page"))
    elif tab == "refusals":
        own = _own_communities(request)
        if own.exists() and has_perm(user, P.REPORT):
            form = RefusalForm(request.POST or None, regions=own)
            if request.method == "POST" and form.is_valid():
                try:
                    admission.work_refuse(actor=user, **form.cleaned_data)
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, "已拒绝并记录（无委托合同）")
                    return redirect(request.path + "?tab=refusals")
            ctx["form"] = form
        ctx["page"] = Paginator(refusals, 30).get_page(request.GET.get("page"))
    elif tab == "catalogue":
        districts = scope_filter(Region.objects.filter(kind=RegionKind.DISTRICT), user, P.DIRECT)
        if districts.exists():
            form = AdmittedItemForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                try:
                    admission.item_add(actor=user, region=districts.first(), **form.cleaned_data)
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, "已加入准入目录")
                    return redirect(request.path + "?tab=catalogue")
            ctx["form"] = form
        ctx["page"] = Paginator(_catalogue(request), 50).get_page(request.GET.get("page"))
    elif tab == "powers":
        streets = scope_filter(Region.objects.filter(kind=RegionKind.STREET), user, P.DIRECT).order_by("path")
        if direct and streets.exists():
            form = PowerForm(request.POST or None, regions=streets, initial={"since": timezone.localdate()})
            if request.method == "POST" and form.is_valid():
                try:
                    admission.power_add(actor=user, **form.cleaned_data)
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, "已登记下放审批权限")
                    return redirect(request.path + "?tab=powers")
            ctx["form"] = form
        roots = scope_paths(user, P.VIEW)
        powers = DelegatedPower.objects.select_related("region")
        if roots is not None:  # a community reads its street's powers too
            ids = [p.pk for p in powers if any(r.startswith(p.region.path) or p.region.path.startswith(r)
                                               for r in roots)]
            powers = powers.filter(pk__in=ids)
        ctx["page"] = Paginator(powers, 50).get_page(request.GET.get("page"))
    else:
        ctx["tab"] = "report"
        ctx["rows"] = admission.report(contracts, refusals)
    return render(request, "assessment/admission.html", ctx)


@login_required
def contract_detail(request, pk: int):
    _need(request)
    c = get_in_scope_or_404(Contract.objects.select_related("region", "item", "decided_by", "created_by"),
                            request.user, P.VIEW, pk=pk)
    can_decide = c.status == ContractStatus.PENDING and is_receiver(request.user, c.region) and has_perm(
        request.user, P.REPORT)
    can_pay = c.status == ContractStatus.ACCEPTED and has_perm_at(request.user, P.DIRECT, c.region.path)
    return render(request, "assessment/contract.html", {
        "c": c, "decide_form": DecideForm() if can_decide else None, "paid_form": PaidForm() if can_pay else None,
    })


@login_required
@require_POST
def contract_decide(request, pk: int, action: str):
    _need(request, P.REPORT)
    c = get_in_scope_or_404(Contract.objects.select_related("region"), request.user, P.VIEW, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _bad(request, form, "assessment:contract", c.pk)
    try:
        admission.contract_decide(actor=request.user, contract=c, accept=action == "accept",
                                  reason=form.cleaned_data["reason"])
        messages.success(request, "已接受委托合同" if action == "accept" else "已拒绝委托合同")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:contract", pk=c.pk)


@login_required
@require_POST
def contract_paid(request, pk: int):
    _need(request, P.DIRECT)
    c = get_in_scope_or_404(Contract.objects.select_related("region"), request.user, P.DIRECT, pk=pk)
    form = PaidForm(request.POST)
    if not form.is_valid():
        return _bad(request, form, "assessment:contract", c.pk)
    try:
        admission.funds_paid(actor=request.user, contract=c, **form.cleaned_data)
        messages.success(request, "已登记经费拨付")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:contract", pk=c.pk)


@login_required
def contract_file(request, pk: int):
    _need(request)
    c = get_in_scope_or_404(Contract.objects.all(), request.user, P.VIEW, pk=pk)
    return serve_private(request, c.attachment, obj=c, label="委托合同文本", attachment=True,
                         filename=f"委托合同-{c.pk}.pdf")
