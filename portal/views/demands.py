"""Demands on the public portal (民声驿站 online): no account. Submit, get a public 编号 and a secret
查询码; follow by either; add information and rate only with the secret (kept in the visitor's
session once entered). Shows no personal data and no staff names. Rate-limited per client."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from demands import ratelimit, selectors, services
from demands.forms import AddInfoForm, PortalForm, RateForm
from demands.models import Channel, Demand, State, normalize_secret_code
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
            _grant(request, demand, demand.secret_code)
            return render(request, "portal/submitted.html", {"demand": demand})
    return render(request, "portal/home.html", {"form": form}, status=400)


SESSION_KEY = "portal_demand_secrets"  # {demand pk: the secret 查询码 the visitor proved}


def _granted(request, d: Demand) -> str:
    """The secret this visitor entered for ``d`` (kept in their session), or ""."""
    return request.session.get(SESSION_KEY, {}).get(str(d.pk), "")


def _grant(request, d: Demand, secret: str) -> None:
    secrets_ = dict(request.session.get(SESSION_KEY, {}))
    secrets_[str(d.pk)] = secret
    request.session[SESSION_KEY] = dict(list(secrets_.items())[-20:])


def track(request):
    """One box for both codes: the secret 查询码 opens the demand for rating and adding information;
    the public 编号 shows its progress only. Wrong codes count against a tight per-client limit."""
    code = request.GET.get("code", "").strip()
    if not code:
        return redirect("portal:home")
    if ratelimit.hit(request, "lookup") or ratelimit.exceeded(request, "secret"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    secret = normalize_secret_code(code)
    field = Demand._meta.get_field("secret_code")
    d = Demand.objects.filter(secret_code_hash=field.blind_index_for(secret)).first() if secret else None
    if d is not None:
        _grant(request, d, secret)
        return redirect("portal:demand", code=d.tracking_code)
    if Demand.objects.filter(tracking_code=code.upper()).exists():
        return redirect("portal:demand", code=code.upper())
    ratelimit.hit(request, "secret")
    return render(request, "portal/not_found.html", {"message": f"没有查到查询码为“{code[:20]}”的诉求"},
                  status=404)


def demand(request, code: str, *, info_form=None, rate_form=None, status=200):
    if ratelimit.hit(request, "lookup"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    d = _get(code)
    granted = bool(_granted(request, d))
    return render(request, "portal/demand.html", {
        "demand": d, "events": d.events.filter(public=True),
        "info_form": info_form or AddInfoForm(),
        "rate_form": rate_form or RateForm(),
        "granted": granted,
        "can_rate": granted and d.state in (State.HANDLED, State.FOLLOW_UP),
        "can_add": granted and d.state != State.CLOSED,
    }, status=status)


def _secret_or_403(request, d: Demand):
    """The proven secret, or the page saying that acting on a demand needs it (403)."""
    secret = _granted(request, d)
    if not secret:
        return None, render(request, "portal/not_found.html", {
            "message": "评价或补充信息需要提交诉求时得到的查询码：请在首页输入查询码后再操作"}, status=403)
    return secret, None


@require_POST
def add_info(request, code: str):
    if ratelimit.hit(request, "update"):
        return render(request, "portal/not_found.html", {"message": LIMITED}, status=429)
    d = _get(code)
    secret, refused = _secret_or_403(request, d)
    if refused:
        return refused
    data, files = read_post(request)
    form = AddInfoForm(data) if data is not None else AddInfoForm()
    if data is None:
        mark_too_big(form)
    elif form.is_valid():
        try:
            services.demand_add_info(actor=None, demand=d, note=form.cleaned_data["note"],
                                     photos=files.getlist("photos"), secret=secret)
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
    secret, refused = _secret_or_403(request, d)
    if refused:
        return refused
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            d = services.demand_rate(actor=None, demand=d, rating=form.cleaned_data["rating"],
                                     note=form.cleaned_data["note"], via="portal", secret=secret)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "感谢您的评价" + ("，诉求已重新交办" if d.state != State.CLOSED else ""))
            return redirect("portal:demand", code=d.tracking_code)
    return demand(request, d.tracking_code, rate_form=form, status=400)
