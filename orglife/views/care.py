"""Pages of 关爱党员: the care overview, the 送学上门 and 节假日慰问 ledgers, the 党员互助金, and the
结对联系 of mobile members with their contact logs; each ledger as .xlsx (?format=xlsx)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.scope import has_perm
from audit.downloads import audited_download
from core.forms import add_errors

from .. import ledgers, selectors, services
from ..forms import CareVisitForm, ContactLogForm, FundEntryForm, PairForm
from ..models import CareKind, FundKind
from ..rules import P
from ..services.common import today
from .sessions import need

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUIET_DAYS = selectors.QUIET_DAYS


def _year(request) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= today().year else None


@login_required
def care(request):
    need(request)
    year = today().year
    visits = selectors.care_visits(request.user).filter(date__year=year)
    by_kind = {r["kind"]: r for r in visits.order_by().values("kind").annotate(n=Count("id"), amount=Sum("amount"))}
    orgs = list(selectors.fund_orgs(request.user))
    balances = selectors.fund_balances(orgs)
    recs = selectors.mobile_records(request.user)
    paired = selectors.open_pairs_by_record(recs.values_list("pk", flat=True))
    cutoff = today() - timedelta(days=QUIET_DAYS)
    return render(request, "orglife/care.html", {
        "year": year, "study": by_kind.get(CareKind.STUDY, {}), "holiday": by_kind.get(CareKind.HOLIDAY, {}),
        "fund_total": sum(balances.values()), "fund_orgs": len(orgs),
        "mobile": recs.count(), "paired": len(paired),
        "quiet": recs.filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=cutoff)).count()})


@login_required
def care_visits(request, kind):
    if kind not in CareKind.values:
        raise Http404("没有这种走访台账")
    need(request)
    label = CareKind(kind).label
    qs = selectors.care_visits(request.user).filter(kind=kind).order_by("-date", "-id")
    year = _year(request)
    if year:
        qs = qs.filter(date__year=year)
    if request.GET.get("format") == "xlsx":
        title = f"{year} 年" if year else ""
        return audited_download(request, ledgers.care_xlsx(kind, title, list(qs[:5000])),
                                filename=f"{title}{label}台账.xlsx", content_type=XLSX,
                                object_type="orglife.carevisit", object_repr=f"{title}{label}台账")
    total = qs.aggregate(n=Count("id"), amount=Sum("amount"))
    return render(request, "orglife/care_visits.html", {
        "kind": kind, "label": label, "page": Paginator(qs, 30).get_page(request.GET.get("page")), "total": total,
        "year": year, "years": list(range(today().year, today().year - 5, -1)),
        "can_manage": has_perm(request.user, P.MANAGE)})


@login_required
def care_visit_new(request, kind):
    if kind not in CareKind.values:
        raise Http404("没有这种走访台账")
    need(request, P.MANAGE)
    form = CareVisitForm(request.POST or None, members=selectors.care_members(request.user), kind=kind,
                         initial={"date": today(), "reason": "old" if kind == CareKind.STUDY else "veteran"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            v = services.care_visit_create(actor=request.user, kind=kind, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记{v.get_kind_display()}：{v.member.name}")
            return redirect("orglife:care_visits", kind)
    return render(request, "orglife/care_form.html", {
        "form": form, "title": f"登记{CareKind(kind).label}", "back_url": reverse("orglife:care_visits", args=[kind])})


@login_required
def fund(request):
    need(request)
    orgs = list(selectors.fund_orgs(request.user))
    balances = selectors.fund_balances(orgs)
    qs = selectors.fund_entries(request.user).order_by("-date", "-id")
    org_id = request.GET.get("org", "")
    if org_id.isdigit():
        qs = qs.filter(org_id=int(org_id))
    year = _year(request)
    if year:
        qs = qs.filter(date__year=year)
    if request.GET.get("format") == "xlsx":
        chosen = next((o.name for o in orgs if str(o.pk) == org_id), "")
        title = f"{chosen}{f'{year} 年' if year else ''}"
        return audited_download(request, ledgers.fund_xlsx(title, list(qs.order_by("date", "id")[:5000])),
                                filename=f"{title}党员互助金台账.xlsx", content_type=XLSX,
                                object_type="orglife.fundentry", object_repr=f"{title}党员互助金台账")
    return render(request, "orglife/fund.html", {
        "rows": [(o, balances.get(o.pk)) for o in orgs], "page": Paginator(qs, 30).get_page(request.GET.get("page")),
        "org_id": org_id, "year": year, "can_manage": has_perm(request.user, P.MANAGE)})


@login_required
def fund_new(request):
    need(request, P.MANAGE)
    orgs = selectors.fund_orgs(request.user, P.MANAGE)
    initial = {"date": today(), "kind": request.GET.get("kind") if request.GET.get("kind") in FundKind.values
               else FundKind.INCOME}
    if request.GET.get("org", "").isdigit():
        initial["org"] = int(request.GET["org"])
    form = FundEntryForm(request.POST or None, orgs=orgs, members=selectors.care_members(request.user),
                         initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            e = services.fund_entry_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记{e.get_kind_display()} {e.amount:,.2f} 元，余额 {e.balance:,.2f} 元")
            return redirect("orglife:fund")
    return render(request, "orglife/care_form.html", {"form": form, "title": "登记党员互助金收支",
                                                      "back_url": reverse("orglife:fund")})


@login_required
def mobile_pairs(request):
    need(request)
    recs = list(selectors.mobile_records(request.user)[:500])
    paired = selectors.open_pairs_by_record([r.pk for r in recs])
    if request.GET.get("format") == "xlsx":
        from ..models import ContactLog

        logs: dict[int, list] = {}
        for log in ContactLog.objects.filter(pair__in=list(paired.values())).order_by("date", "id"):
            logs.setdefault(log.pair_id, []).append(log)
        rows = [(r, paired.get(r.pk), logs.get(paired[r.pk].pk, []) if r.pk in paired else []) for r in recs]
        return audited_download(request, ledgers.pairs_xlsx("", rows), filename="流动党员结对联系台账.xlsx",
                                content_type=XLSX, object_type="orglife.mobilepair",
                                object_repr="流动党员结对联系台账")
    cutoff = today() - timedelta(days=QUIET_DAYS)
    rows = [(r, paired.get(r.pk), (r.last_contact_on or r.left_on) < cutoff) for r in recs]
    rows.sort(key=lambda x: (x[1] is not None, not x[2], x[0].origin_org.region.path))
    return render(request, "orglife/pairs.html", {"rows": rows, "quiet_days": QUIET_DAYS,
                                                  "can_manage": has_perm(request.user, P.MANAGE)})


@login_required
def mobile_pair(request, pk):
    """One mobile member: the pair (set or change it) and the log of contacts (add one)."""
    need(request)
    rec = get_object_or_404(selectors.mobile_records(request.user), pk=pk)
    pair = selectors.open_pairs_by_record([rec.pk]).get(rec.pk)
    manage = selectors.can_manage(request.user, rec.origin_org)
    action = request.POST.get("action") if request.method == "POST" else None
    if action:
        need(request, P.MANAGE)
        if not manage:
            raise Http404("不在管理范围内")
    contacts = selectors.care_members(request.user).exclude(pk=rec.member_id)
    pair_form = PairForm(request.POST if action == "pair" else None, members=contacts,
                         initial={"started_on": today()}, prefix="pair")
    log_form = ContactLogForm(request.POST if action == "log" else None, initial={"date": today(), "way": "wechat"},
                              prefix="log")
    if action == "pair" and pair_form.is_valid():
        try:
            services.pair_create(actor=request.user, record_=rec, **pair_form.cleaned_data)
        except ValidationError as exc:
            add_errors(pair_form, exc)
        else:
            messages.success(request, f"已为{rec.member.name}确定结对联系党员")
            return redirect("orglife:pair", rec.pk)
    if action == "log" and pair is not None and log_form.is_valid():
        try:
            services.contact_log_add(actor=request.user, pair=pair, **log_form.cleaned_data)
        except ValidationError as exc:
            add_errors(log_form, exc)
        else:
            messages.success(request, "已登记联系情况")
            return redirect("orglife:pair", rec.pk)
    from ..models import ContactLog

    logs = list(ContactLog.objects.filter(pair__record=rec).select_related("pair__contact").order_by("-date", "-id"))
    return render(request, "orglife/pair.html", {"rec": rec, "pair": pair, "logs": logs, "manage": manage,
                                                 "pair_form": pair_form, "log_form": log_form})
