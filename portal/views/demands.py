"""Demands on the public portal (民声驿站 online): no account. Submit, get a tracking code, follow, add
information, rate. Shows no personal data and no staff names. Rate-limited per client."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from demands import ratelimit, selectors, services
from demands.forms import AddInfoForm, PortalForm, RateForm
from demands.models import Channel, Demand, State
from demands.views import apply_errors, mark_too_big, read_post
from regions.models import Region, RegionKind

LIMITED = "操作过于频繁，请稍后再试"


def _communities():
    return list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path")[:2000])


def _get(code: str) -> Demand:
    code = (code or "").strip().upper()
    d = Demand.objects.select_related("category", "region").filter(tracking_code=code).first() if code else None
    if d is None:
        raise Http404("查询码不存在")
    return d


def home(request):
    form = PortalForm(categories=selectors.active_categories(), communities=_communities())
    return render(request, "portal/home.html", {"form": form})


@require_POST
def submit(request):
    cats, communities = selectors.active_categories(), _communities()
    if ratelimit.hit(request, "submit"):
        form = PortalForm(categories=cats, communities=communities)
        form._errors, form.cleaned_data = ErrorDict(), {}
        form.add_error(None, f"{LIMITED}：同一网络每小时最多提交 {ratelimit.DEFAULT_RATES['submit'][0]} 件")
        return render(request, "portal/home.html", {"form": form}, status=429)
    data, files = read_post(request)
    if data is None:
        form = PortalForm(categories=cats, communities=communities)
        mark_too_big(form)
        return render(request, "portal/home.html", {"form": form}, status=400)
    form = PortalForm(data, categories=cats, communities=communities)
    if form.is_valid():
        d = form.cleaned_data
        region = next(c for c in communities if str(c.pk) == d["community"])
        try:
            demand = services.demand_create(
                actor=None, channel=Channel.PORTAL, category=d["category"], region=region, title=d["title"],
                description=d["description"], address=d["address"], lat=d["lat"], lng=d["lng"],
                caller_name=d["caller_name"], caller_phone=d["caller_phone"], anonymous=d["anonymous"],
                photos=files.getlist("photos"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "portal/submitted.html", {"demand": demand})
    return render(request, "portal/home.html", {"form": form}, status=400)


def track(request):
    code = request.GET.get("code", "").strip()
    if not code:
        return redirect("portal:home")
    if ratelimit.hit(request, "lookup"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    if not Demand.objects.filter(tracking_code=code.upper()).exists():
        return render(request, "portal/not_found.html", {"message": f"没有查到查询码为“{code[:20]}”的诉求"},
                      status=404)
    return redirect("portal:demand", code=code.upper())


def demand(request, code: str, *, info_form=None, rate_form=None, status=200):
    if ratelimit.hit(request, "lookup"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    d = _get(code)
    return render(request, "portal/demand.html", {
        "demand": d, "events": d.events.filter(public=True),
        "info_form": info_form or AddInfoForm(),
        "rate_form": rate_form or RateForm(),
        "can_rate": d.state in (State.HANDLED, State.FOLLOW_UP),
        "can_add": d.state != State.CLOSED,
    }, status=status)


@require_POST
def add_info(request, code: str):
    if ratelimit.hit(request, "update"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    d = _get(code)
    data, files = read_post(request)
    form = AddInfoForm(data) if data is not None else AddInfoForm()
    if data is None:
        mark_too_big(form)
    elif form.is_valid():
        try:
            services.demand_add_info(actor=None, demand=d, note=form.cleaned_data["note"],
                                     photos=files.getlist("photos"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "补充信息已提交")
            return redirect("portal:demand", code=d.tracking_code)
    return demand(request, d.tracking_code, info_form=form, status=400)


@require_POST
def rate(request, code: str):
    if ratelimit.hit(request, "update"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    d = _get(code)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            d = services.demand_rate(actor=None, demand=d, rating=form.cleaned_data["rating"],
                                     note=form.cleaned_data["note"], via="portal")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "感谢您的评价" + ("，诉求已重新交办" if d.state != State.CLOSED else ""))
            return redirect("portal:demand", code=d.tracking_code)
    return demand(request, d.tracking_code, rate_form=form, status=400)
