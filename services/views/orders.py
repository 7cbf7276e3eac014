"""The service catalogue, the providers and the orders (staff, grid workers, providers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at
from audit.services import record_pii_view
from core.forms import add_errors, flash_errors
from core.masking import mask_mobile

from .. import selectors, services
from ..forms import GridOrderForm, OfferingForm, ProviderForm, ServiceForm, StaffOrderForm
from ..models import Category, Channel, OrderState, Service
from ..rules import P
from .common import form_page, manage_communities, need


@login_required
def catalogue(request):
    need(request)
    svc = selectors.catalogue(request.user).annotate(
        n_providers=Count("offerings", distinct=True), n_orders=Count("orders", distinct=True))
    region = request.GET.get("region", "")
    if region.isdigit():
        svc = svc.filter(region_id=int(region))
    provs = selectors.providers(request.user).annotate(n_orders=Count("orders"), avg=Avg("orders__rating"))
    if region.isdigit():
        provs = provs.filter(region_id=int(region))
    return render(request, "services/catalogue.html", {
        "services": svc[:300], "providers": provs[:300], "region": region,
        "communities": selectors.communities(request.user), "categories": Category.choices,
        "can_manage": has_perm(request.user, P.MANAGE),
    })


@login_required
def service_new(request):
    need(request, P.MANAGE, what="维护服务目录")
    form = ServiceForm(request.POST or None, communities=manage_communities(request))
    if request.method == "POST" and form.is_valid():
        try:
            s = services.service_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已添加服务：{s.name}")
            return redirect("services:catalogue")
    return form_page(request, form, "添加便民服务", "services:catalogue")


@login_required
def provider_new(request):
    need(request, P.MANAGE, what="登记服务方")
    form = ProviderForm(request.POST or None, communities=manage_communities(request))
    if request.method == "POST" and form.is_valid():
        try:
            p = services.provider_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记服务方：{p.name}")
            return redirect("services:provider", p.pk)
    return form_page(request, form, "登记服务方", "services:catalogue")


@login_required
def provider_detail(request, pk):
    need(request)
    p = get_in_scope_or_404(selectors.providers(request.user), pk=pk)
    manage = has_perm_at(request.user, P.MANAGE, p.region.path)
    form = OfferingForm(request.POST or None, services=Service.objects.filter(region=p.region, active=True))
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您没有维护该服务方的权限")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.offering_set(actor=request.user, provider=p, service=d["service"],
                                      price=None if d["free"] else d["price"], price_unit=d["price_unit"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已保存服务报价")
                return redirect("services:provider", p.pk)
    orders = p.orders.select_related("service").order_by("-created_at")[:30]
    stats = p.orders.aggregate(n=Count("id"), done=Count("id", filter=Q(state__in=["done", "rated"])),
                               avg=Avg("rating"))
    return render(request, "services/provider.html", {
        "p": p, "offerings": p.offerings.select_related("service"), "orders": orders, "stats": stats,
        "form": form, "manage": manage, "phone": mask_mobile(p.contact_phone),
    })


@login_required
def order_list(request):
    need(request)
    qs = selectors.orders(request.user)
    state, region, q = request.GET.get("state", ""), request.GET.get("region", ""), request.GET.get("q", "").strip()
    if state in OrderState.values:
        qs = qs.filter(state=state)
    if region.isdigit():
        qs = qs.filter(region_id=int(region))
    if q:
        qs = qs.filter(Q(code__iexact=q) | Q(service__name__icontains=q[:30]) | Q(requester_name=q[:50]))
    counts = dict(selectors.orders(request.user).values_list("state").annotate(n=Count("id")))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "services/orders.html", {
        "page": page, "states": [(v, label, counts.get(v, 0)) for v, label in OrderState.choices],
        "state": state, "region": region, "q": q, "communities": selectors.communities(request.user),
        "can_manage": has_perm(request.user, P.MANAGE),
    })


@login_required
def order_new(request):
    """Community staff take an order by phone or at the counter; a grid worker for a resident of their grid."""
    need(request, P.ORDER, P.MANAGE, what="代居民下单")
    if has_perm(request.user, P.MANAGE):
        communities = manage_communities(request)
        svc = Service.objects.filter(region__in=communities, active=True).select_related("region")
        form = StaffOrderForm(request.POST or None, communities=communities, services=svc)
        grid = False
    else:
        from grid.selectors import residents_in_scope

        residents = residents_in_scope(request.user).filter(status="active").order_by("grid__path", "name")
        regions = {r.grid.parent_id for r in residents[:2000]}
        svc = Service.objects.filter(region_id__in=regions, active=True).select_related("region")
        form = GridOrderForm(request.POST or None, residents=residents, services=svc)
        grid = True
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            if grid:
                r = d["resident"]
                o = services.order_create(actor=request.user, region=r.grid.parent, channel=Channel.GRID,
                                          requester_name=r.name, address=_address(r), **d)
            else:
                o = services.order_create(actor=request.user, **d)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已下单，订单号 {o.code}")
            if has_perm_at(request.user, P.VIEW, o.region.path):
                return redirect("services:order", o.pk)
            return redirect("services:order_new")
    mine = selectors.grid_orders(request.user).filter(created_by=request.user)[:20] if grid else []
    return render(request, "services/order_new.html", {"form": form, "grid": grid, "mine": mine})


def _address(resident) -> str:
    return resident.household.house.address[:200]


@login_required
def order_detail(request, pk):
    need(request)
    o = get_in_scope_or_404(selectors.orders(request.user), pk=pk)
    manage = has_perm_at(request.user, P.MANAGE, o.region.path)
    action = request.POST.get("action") if request.method == "POST" else None
    if action:
        if not manage:
            raise PermissionDenied("您没有处理该订单的权限")
        try:
            if action == "assign":
                prov = get_object_or_404(o.service.providers.all(), pk=request.POST.get("provider") or 0)
                services.order_assign(actor=request.user, order=o, provider=prov)
                messages.success(request, f"已派单给 {prov.name}")
            elif action == "done":
                services.order_complete(actor=request.user, order=o, note=request.POST.get("note", ""))
                messages.success(request, "已标记完成")
            elif action == "rate":
                services.order_rate(actor=request.user, order=o, rating=request.POST.get("rating"),
                                    note=request.POST.get("note", ""))
                messages.success(request, "已登记居民评价")
            elif action == "cancel":
                services.order_cancel(actor=request.user, order=o, reason=request.POST.get("reason", ""))
                messages.success(request, "订单已取消")
            else:
                raise Http404
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("services:order", o.pk)
    return render(request, "services/order.html", {
        "o": o, "manage": manage, "offerings": selectors.providers_for(o.service),
        "phone": mask_mobile(o.requester_phone),
    })


def _provider_only(request):
    if not selectors.is_provider(request.user):
        raise Http404("您不是登记的服务方")


@login_required
def provider_orders(request):
    _provider_only(request)
    qs = selectors.provider_orders(request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "services/provider_orders.html", {"page": page})


@login_required
def provider_order(request, pk):
    _provider_only(request)
    o = get_in_scope_or_404(selectors.provider_orders(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.order_complete(actor=request.user, order=o, note=request.POST.get("note", ""))
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已反馈服务完成")
        return redirect("services:provider_order", o.pk)
    # The provider calls the resident before coming: the number in full on this order only, the read audited.
    record_pii_view(actor=request.user, obj=o, fields=["requester_phone"], purpose="服务方上门前联系居民")
    return render(request, "services/provider_order.html", {"o": o})
