"""便民服务 on the public portal: a resident picks their community and a service of its catalogue,
orders it (name, phone, address), gets an order number, follows it and rates the service once done.
The order number is random and long enough to act as the resident's key; the page shows no phone
and no provider contact. Rate-limited per client like the demand pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.forms import add_errors
from demands import ratelimit
from regions.models import Region, RegionKind
from services import selectors, services
from services.forms import PortalOrderForm, RateForm
from services.models import Category, Channel, Order, OrderState

LIMITED = "操作过于频繁，请稍后再试"


def _communities():
    return list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path")[:2000])


def _form(data=None, community: str = ""):
    communities = _communities()
    chosen = next((c for c in communities if str(c.pk) == community), None)
    svc = list(selectors.services_for_order(chosen)) if chosen else []
    form = PortalOrderForm(data, communities=communities, services=svc,
                           initial={"community": community} if chosen else None)
    return form, chosen, svc


def home(request):
    community = request.GET.get("community", "")
    form, chosen, svc = _form(community=community)
    return render(request, "portal/services.html", {"form": form, "chosen": chosen, "services": svc,
                                                    "categories": dict(Category.choices)})


@require_POST
def submit(request):
    form, chosen, svc = _form(request.POST, request.POST.get("community", ""))
    if ratelimit.hit(request, "submit"):
        form.is_valid()
        form.add_error(None, f"{LIMITED}：同一网络每小时最多提交 {ratelimit.DEFAULT_RATES['submit'][0]} 次")
        return render(request, "portal/services.html", {"form": form, "chosen": chosen, "services": svc}, status=429)
    if form.is_valid():
        d = form.cleaned_data
        service = next((s for s in svc if str(s.pk) == d["service"]), None)
        try:
            order = services.order_create(
                actor=None, region=chosen, service=service, channel=Channel.PORTAL,
                requester_name=d["requester_name"], requester_phone=d["requester_phone"], address=d["address"],
                description=d["description"], wanted_on=d["wanted_on"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return render(request, "portal/service_submitted.html", {"o": order})
    return render(request, "portal/services.html", {"form": form, "chosen": chosen, "services": svc}, status=400)


def _get(code: str) -> Order:
    code = (code or "").strip().upper()[:12]
    o = Order.objects.select_related("service", "region", "provider").filter(code=code).first() if code else None
    if o is None:
        raise Http404("订单号不存在")
    return o


def track(request):
    code = request.GET.get("code", "").strip()
    if not code:
        return redirect("portal:services")
    if ratelimit.hit(request, "lookup") or ratelimit.exceeded(request, "secret"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    if Order.objects.filter(code=code.upper()[:12]).exists():
        return redirect("portal:service_order", code=code.upper()[:12])
    ratelimit.hit(request, "secret")
    return render(request, "portal/not_found.html", {"message": f"没有查到订单号为“{code[:20]}”的服务订单"},
                  status=404)


def order(request, code: str, *, rate_form=None, status=200):
    if ratelimit.hit(request, "lookup"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    o = _get(code)
    return render(request, "portal/service_order.html", {
        "o": o, "rate_form": rate_form or RateForm(), "can_rate": o.state == OrderState.DONE,
    }, status=status)


@require_POST
def rate(request, code: str):
    if ratelimit.hit(request, "update"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    o = _get(code)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.order_rate(actor=None, order=o, rating=form.cleaned_data["rating"],
                                note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "感谢您的评价")
            return redirect("portal:service_order", code=o.code)
    return order(request, o.code, rate_form=form, status=400)
