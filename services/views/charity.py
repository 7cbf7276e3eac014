"""爱心超市: the ledger of donations in and hand-outs out, the stock, the monthly account and its workbook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.scope import has_perm_at
from audit.downloads import audited_download
from core.forms import add_errors

from .. import accounts_book, selectors, services
from ..forms import DonationForm, HandoutForm, ItemForm
from ..rules import P
from .common import form_page, manage_communities, need


def _community(request, perm=P.VIEW):
    """The community the page is about: ?region= among those in scope, else the first."""
    comms = list(selectors.communities(request.user, perm))
    wanted = request.GET.get("region", "") or request.POST.get("region_id", "")
    chosen = next((c for c in comms if str(c.pk) == wanted), comms[0] if comms else None)
    return chosen, comms


def _month(request):
    today = services.today()
    try:
        y, m = (int(x) for x in request.GET.get("month", "").split("-"))
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            return y, m
    except ValueError:
        pass
    return today.year, today.month


@login_required
def charity(request):
    need(request)
    region, comms = _community(request)
    items = selectors.charity_items(request.user).filter(region=region) if region else []
    entries = selectors.charity_entries(request.user).filter(region=region) if region else []
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    return render(request, "services/charity.html", {
        "region": region, "communities": comms, "items": items, "page": page,
        "balance": services.money_balance(region) if region else 0,
        "manage": bool(region) and has_perm_at(request.user, P.MANAGE, region.path),
    })


def _back(region):
    return redirect(reverse("services:charity") + f"?region={region.pk}")


@login_required
def charity_item_new(request):
    need(request, P.MANAGE, what="维护爱心超市")
    form = ItemForm(request.POST or None, communities=manage_communities(request))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.charity_item_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已添加物品：{item.name}")
            return _back(item.region)
    return form_page(request, form, "添加爱心超市物品", "services:charity")


def _entry_page(request, form_cls, fn, title, ok):
    need(request, P.MANAGE, what="登记爱心超市台账")
    region, _ = _community(request, P.MANAGE)
    if region is None:
        raise Http404("没有可登记的社区")
    items = selectors.charity_items(request.user, P.MANAGE).filter(region=region)
    form = form_cls(request.POST or None, items=items, initial={"date": services.today(), "kind": "goods"})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["on"] = d.pop("date")
        try:
            fn(actor=request.user, region=region, **d)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, ok)
            return _back(region)
    return render(request, "services/charity_entry.html", {"form": form, "title": title, "region": region},
                  status=400 if request.method == "POST" else 200)


@login_required
def donation_new(request):
    return _entry_page(request, DonationForm, services.donation_record, "登记捐赠", "已登记捐赠")


@login_required
def handout_new(request):
    def handout(**d):
        d["points"] = d.get("points") or 0
        return services.handout_record(**d)

    return _entry_page(request, HandoutForm, handout, "登记发放", "已登记发放")


@login_required
def charity_account(request):
    need(request)
    region, comms = _community(request)
    year, month = _month(request)
    acc = accounts_book.month_account(region, year, month) if region else None
    return render(request, "services/charity_account.html", {
        "region": region, "communities": comms, "year": year, "month": month, "acc": acc,
        "month_value": f"{year:04d}-{month:02d}",
    })


@login_required
def charity_xlsx(request):
    need(request)
    region, _ = _community(request)
    if region is None:
        return charity_account(request)
    year, month = _month(request)
    acc = accounts_book.month_account(region, year, month)
    content = accounts_book.account_xlsx(region, year, month, acc)
    return audited_download(
        request, content, filename=f"{region.name}爱心超市台账-{year}{month:02d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", obj=region,
        purpose="爱心超市月度台账")



