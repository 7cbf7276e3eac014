"""Pages of community stewardship: the overview (the report per community and rolled up), the funds years
and their ledgers, vouchers, approvals, premises and venue loans, the asset ledger, inventories, disposals,
the standards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, require_perm
from audit.downloads import audited_download, serve_private
from core.forms import add_errors, flash_errors

from . import exports, selectors, services
from .forms import (
    AssetForm,
    BudgetForm,
    CountForm,
    DecisionForm,
    DisposalForm,
    EntryForm,
    FundYearForm,
    LoanForm,
    PremisesForm,
    RoomForm,
    VoucherForm,
)
from .models import AssetStatus, CommunityType, CountResult, DisposalStatus, EntryKind, EntryStatus, SpendingCategory
from .rules import P

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHAT = "查看社区经费、阵地和资产"


def _year(request) -> int:
    raw = request.GET.get("year", "")
    this = services.today().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this + 1 else this


def _community_filter(request, actor):
    communities = selectors.communities(actor)
    raw = request.GET.get("community", "")
    chosen = communities.filter(pk=int(raw)).first() if raw.isdigit() else None
    return communities, chosen


# --- overview ---------------------------------------------------------------------------------

@login_required
def index(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    year = _year(request)
    rows = selectors.report(request.user, year)
    return render(request, "stewardship/index.html", {
        "rows": rows, "totals": selectors.report_totals(rows), "year": year,
        "years": list(range(services.today().year, services.today().year - 5, -1)),
        "can_manage": has_perm(request.user, P.MANAGE),
    })


# --- funds ------------------------------------------------------------------------------------

@login_required
def funds(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    communities, chosen = _community_filter(request, request.user)
    qs = selectors.fund_years(request.user).order_by("-year", "region__path")
    if chosen:
        qs = qs.filter(region=chosen)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    sums = {s.fund_year.pk: s for s in selectors.summaries(qs.filter(pk__in=[fy.pk for fy in page]))}
    return render(request, "stewardship/funds.html", {
        "page": page, "rows": [sums[fy.pk] for fy in page], "communities": communities, "chosen": chosen,
        "can_manage": has_perm(request.user, P.MANAGE),
    })


@login_required
def fund_year_new(request):
    require_perm(request.user, P.MANAGE, what="建立社区经费账")
    communities = selectors.communities(request.user, P.MANAGE)
    initial = {"year": services.today().year}
    if request.GET.get("community", "").isdigit():
        initial["region"] = int(request.GET["community"])
    form = FundYearForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            fy = services.fund_year_open(actor=request.user, region=form.cleaned_data["region"],
                                         year=form.cleaned_data["year"], budget=form.budget(),
                                         note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已建立{fy}，经费标准 {fy.standard:,.0f} 元")
            return redirect("stewardship:fund_year", fy.pk)
    return render(request, "stewardship/form.html", {"form": form, "title": "建立年度经费账",
                                                     "back": "stewardship:funds"})


@login_required
def fund_year(request, pk):
    require_perm(request.user, P.VIEW, what=WHAT)
    fy = get_in_scope_or_404(selectors.fund_years(request.user), pk=pk)
    manage = selectors.can(request.user, P.MANAGE, fy.region)
    approve = selectors.can(request.user, P.APPROVE, fy.region)
    form = EntryForm(initial={"date": services.today() if fy.year == services.today().year else None,
                              "kind": request.GET.get("kind", EntryKind.SPENDING)})
    budget_form = BudgetForm(initial={f"budget_{b.category}": b.amount for b in fy.budget.all()})
    if request.method == "POST":
        if not manage:
            raise_forbidden()
        action = request.POST.get("action")
        if action == "budget":
            budget_form = BudgetForm(request.POST)
            if budget_form.is_valid():
                try:
                    services.budget_update(actor=request.user, fund_year=fy, budget=budget_form.budget())
                except ValidationError as exc:
                    add_errors(budget_form, exc)
                else:
                    messages.success(request, "已保存预算")
                    return redirect("stewardship:fund_year", fy.pk)
        else:
            form = EntryForm(request.POST, request.FILES)
            if form.is_valid():
                d = form.cleaned_data
                try:
                    e = services.entry_record(actor=request.user, fund_year=fy, kind=d["kind"], date=d["date"],
                                              amount=d["amount"], summary=d["summary"], source=d["source"],
                                              category=d["category"], counterparty=d["counterparty"],
                                              voucher_no=d["voucher_no"], vouchers=d["vouchers"],
                                              request_approval=d["request_approval"],
                                              approval_reason=d["approval_reason"])
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    if e.status == EntryStatus.PENDING:
                        messages.warning(request, f"已登记，等待街道审批后入账：{e}")
                    else:
                        messages.success(request, f"已入账：{e}")
                    return redirect("stewardship:fund_year", fy.pk)
    summary = selectors.summaries(selectors.fund_years(request.user).filter(pk=fy.pk))[0]
    return render(request, "stewardship/fund_year.html", {
        "fy": fy, "s": summary, "rows": selectors.ledger(fy), "form": form, "budget_form": budget_form,
        "manage": manage, "approve": approve, "open_form": request.method == "POST",
    })


def raise_forbidden():
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied("您没有管理该社区经费的权限")


@login_required
def fund_year_xlsx(request, pk):
    require_perm(request.user, P.VIEW, what=WHAT)
    fy = get_in_scope_or_404(selectors.fund_years(request.user), pk=pk)
    summary = selectors.summaries(selectors.fund_years(request.user).filter(pk=fy.pk))[0]
    data = exports.funds_ledger_xlsx(summary, selectors.ledger(fy))
    return audited_download(request, data, filename=f"{fy.region.name}{fy.year}年经费台账.xlsx", content_type=XLSX,
                            obj=fy)


@login_required
def entry(request, pk):
    require_perm(request.user, P.VIEW, what=WHAT)
    e = get_in_scope_or_404(selectors.entries(request.user), pk=pk)
    region = e.fund_year.region
    manage = selectors.can(request.user, P.MANAGE, region)
    approve = selectors.can(request.user, P.APPROVE, region) and e.status == EntryStatus.PENDING
    voucher_form, decision_form = VoucherForm(), DecisionForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "voucher" and manage:
            voucher_form = VoucherForm(request.POST, request.FILES)
            if voucher_form.is_valid():
                try:
                    services.voucher_add(actor=request.user, entry=e, files=voucher_form.cleaned_data["vouchers"])
                except ValidationError as exc:
                    add_errors(voucher_form, exc)
                else:
                    messages.success(request, "已上传凭证")
                    return redirect("stewardship:entry", e.pk)
        elif action in ("approve", "reject") and approve:
            decision_form = DecisionForm(request.POST)
            if decision_form.is_valid():
                try:
                    services.entry_decide(actor=request.user, entry=e, approve=action == "approve",
                                          note=decision_form.cleaned_data["note"])
                except ValidationError as exc:
                    add_errors(decision_form, exc)
                else:
                    messages.success(request, "已批准，支出入账" if action == "approve" else "已退回，不予入账")
                    return redirect("stewardship:entry", e.pk)
        else:
            raise_forbidden()
    return render(request, "stewardship/entry.html", {
        "e": e, "vouchers": list(e.vouchers.all()), "manage": manage, "approve": approve,
        "voucher_form": voucher_form, "decision_form": decision_form,
    })


@login_required
def voucher(request, pk):
    require_perm(request.user, P.VIEW, what=WHAT)
    v = get_in_scope_or_404(selectors.vouchers(request.user), pk=pk)
    return serve_private(request, v.file, obj=v.entry, label="经费凭证", filename=v.original_name)


@login_required
def approvals(request):
    require_perm(request.user, P.APPROVE, what="审批社区经费和资产处置")
    return render(request, "stewardship/approvals.html", {
        "entries": list(selectors.pending_entries(request.user)[:200]),
        "disposals": list(selectors.pending_disposals(request.user)[:200]),
    })


# --- premises ---------------------------------------------------------------------------------

@login_required
def premises(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    communities, chosen = _community_filter(request, request.user)
    regions = [chosen] if chosen else list(communities)
    statuses = selectors.premises_statuses(regions)
    loans = selectors.loans(request.user)
    if chosen:
        loans = loans.filter(room__premises__region=chosen)
    return render(request, "stewardship/premises.html", {
        "statuses": statuses, "communities": communities, "chosen": chosen,
        "loans": list(loans.order_by("-start")[:50]), "can_manage": has_perm(request.user, P.MANAGE),
        "minimum": selectors.StewardshipRules.current().min_premises_area,
    })


@login_required
def premises_new(request):
    require_perm(request.user, P.MANAGE, what="登记办公活动场所")
    communities = selectors.communities(request.user, P.MANAGE)
    initial = {"region": int(request.GET["community"])} if request.GET.get("community", "").isdigit() else {}
    form = PremisesForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            p = services.premises_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记场所：{p}")
            return redirect("stewardship:premises_detail", p.pk)
    return render(request, "stewardship/form.html", {"form": form, "title": "登记办公活动场所",
                                                     "back": "stewardship:premises"})


@login_required
def premises_detail(request, pk):
    require_perm(request.user, P.VIEW, what=WHAT)
    p = get_in_scope_or_404(selectors.premises(request.user), pk=pk)
    manage = selectors.can(request.user, P.MANAGE, p.region)
    room_form = RoomForm()
    rooms = selectors.rooms(request.user).filter(premises=p)
    units = selectors.lendable_units(request.user, p.region)
    loan_form = LoanForm(rooms=rooms.filter(lendable=True), units=units,
                         projects=_projects(units), initial={"start": services.today(), "end": services.today()})
    if request.method == "POST":
        if not manage:
            raise_forbidden()
        if request.POST.get("action") == "loan":
            loan_form = LoanForm(request.POST, rooms=rooms.filter(lendable=True), units=units,
                                 projects=_projects(units))
            if loan_form.is_valid():
                try:
                    services.loan_create(actor=request.user, **loan_form.cleaned_data)
                except ValidationError as exc:
                    add_errors(loan_form, exc)
                else:
                    messages.success(request, "已登记场地出借")
                    return redirect("stewardship:premises_detail", p.pk)
        else:
            room_form = RoomForm(request.POST)
            if room_form.is_valid():
                try:
                    services.room_add(actor=request.user, premises=p, **room_form.cleaned_data)
                except ValidationError as exc:
                    add_errors(room_form, exc)
                else:
                    messages.success(request, "已登记功能室")
                    return redirect("stewardship:premises_detail", p.pk)
    status = selectors.premises_statuses([p.region])[0]
    return render(request, "stewardship/premises_detail.html", {
        "p": p, "rooms": list(rooms.order_by("function", "id")), "status": status, "manage": manage,
        "room_form": room_form, "loan_form": loan_form,
        "loans": list(selectors.loans(request.user).filter(room__premises=p).order_by("-start")[:50]),
    })


def _projects(units):
    from cobuild.models import Project

    return Project.objects.filter(unit__in=units).order_by("-created_at")


# --- assets -----------------------------------------------------------------------------------

def _asset_qs(request):
    communities, chosen = _community_filter(request, request.user)
    qs = selectors.assets(request.user)
    if chosen:
        qs = qs.filter(region=chosen)
    status = request.GET.get("status", "")
    if status in AssetStatus.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(custodian__icontains=q))
    return communities, chosen, status, q, qs.order_by("region__path", "code")


@login_required
def assets(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    communities, chosen, status, q, qs = _asset_qs(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    inventories = selectors.inventories(request.user)
    if chosen:
        inventories = inventories.filter(region=chosen)
    return render(request, "stewardship/assets.html", {
        "page": page, "totals": selectors.asset_totals(qs), "communities": communities, "chosen": chosen,
        "status": status, "q": q, "statuses": AssetStatus.choices,
        "inventories": list(inventories.order_by("-year", "region__path")[:20]),
        "can_manage": has_perm(request.user, P.MANAGE), "query": request.GET.urlencode(),
        "this_year": services.today().year,
    })


@login_required
def assets_xlsx(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    communities, chosen, status, q, qs = _asset_qs(request)
    rows = list(qs[:20000])
    last = {}
    from .models import InventoryLine

    for line in (InventoryLine.objects.filter(asset__in=rows).select_related("inventory")
                 .order_by("inventory__year")):
        last[line.asset_id] = f"{line.inventory.year} 年 {line.get_result_display()}"
    title = chosen.name if chosen else "管辖范围内社区"
    data = exports.asset_ledger_xlsx(title, rows, last)
    return audited_download(request, data, filename=f"{title}固定资产台帐.xlsx", content_type=XLSX,
                            object_type="stewardship.asset", object_repr=f"{title}固定资产台帐（{len(rows)} 件）")


@login_required
def asset_new(request):
    require_perm(request.user, P.MANAGE, what="登记固定资产")
    communities = selectors.communities(request.user, P.MANAGE)
    initial = {"acquired_on": services.today()}
    if request.GET.get("community", "").isdigit():
        initial["region"] = int(request.GET["community"])
    form = AssetForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            a = services.asset_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记资产：{a}")
            return redirect("stewardship:asset", a.pk)
    return render(request, "stewardship/form.html", {"form": form, "title": "登记固定资产",
                                                     "back": "stewardship:assets"})


@login_required
def asset(request, pk):
    require_perm(request.user, P.VIEW, what=WHAT)
    a = get_in_scope_or_404(selectors.assets(request.user), pk=pk)
    manage = selectors.can(request.user, P.MANAGE, a.region)
    approve = selectors.can(request.user, P.APPROVE, a.region)
    form, decision_form = DisposalForm(), DecisionForm()
    pending = a.disposals.filter(status=DisposalStatus.PENDING).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "dispose" and manage:
            form = DisposalForm(request.POST)
            if form.is_valid():
                try:
                    services.disposal_request(actor=request.user, asset=a, **form.cleaned_data)
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, "已提出处置申请，等待街道审批")
                    return redirect("stewardship:asset", a.pk)
        elif action in ("approve", "reject") and approve and pending:
            decision_form = DecisionForm(request.POST)
            if decision_form.is_valid():
                try:
                    services.disposal_decide(actor=request.user, disposal=pending, approve=action == "approve",
                                             note=decision_form.cleaned_data["note"])
                except ValidationError as exc:
                    add_errors(decision_form, exc)
                else:
                    messages.success(request, "已批准处置，资产已下账" if action == "approve" else "已退回处置申请")
                    return redirect("stewardship:asset", a.pk)
        else:
            raise_forbidden()
    return render(request, "stewardship/asset.html", {
        "a": a, "manage": manage, "approve": approve, "pending": pending, "form": form,
        "decision_form": decision_form, "disposals": list(a.disposals.select_related("requested_by", "decided_by")),
        "counts": list(a.counts.select_related("inventory", "counted_by").order_by("-inventory__year")),
    })


# --- inventories ------------------------------------------------------------------------------

@login_required
@require_POST
def inventory_new(request):
    require_perm(request.user, P.MANAGE, what="清查资产")
    raw = request.POST.get("community", "")
    region = get_in_scope_or_404(selectors.communities(request.user, P.MANAGE), pk=int(raw)) if raw.isdigit() else None
    if region is None:
        messages.error(request, "请选择要清查的社区")
        return redirect("stewardship:assets")
    year = request.POST.get("year", "")
    try:
        inv = services.inventory_open(actor=request.user, region=region, year=int(year) if year.isdigit() else None)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(f"{_url('stewardship:assets')}?community={region.pk}")
    messages.success(request, f"已开始{inv}，请逐件清点")
    return redirect("stewardship:inventory", inv.pk)


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
def inventory(request, pk):
    require_perm(request.user, P.VIEW, what=WHAT)
    inv = get_in_scope_or_404(selectors.inventories(request.user), pk=pk)
    manage = selectors.can(request.user, P.MANAGE, inv.region) and not inv.closed_on
    form = CountForm()
    if request.method == "POST":
        if not selectors.can(request.user, P.MANAGE, inv.region):
            raise_forbidden()
        action = request.POST.get("action")
        if action == "close":
            try:
                counts = services.inventory_close(actor=request.user, inventory=inv)
            except ValidationError as exc:
                flash_errors(request, exc)
            else:
                messages.success(request, f"清查结束：盘亏 {counts['missing']} 件，地点变更 {counts['moved']} 件，"
                                          f"找回 {counts['recovered']} 件")
            return redirect("stewardship:inventory", inv.pk)
        form = CountForm(request.POST)
        raw = request.POST.get("asset", "")
        target = selectors.assets(request.user, P.MANAGE).filter(pk=int(raw)).first() if raw.isdigit() else None
        if target is None:
            form.add_error(None, "请选择要清点的资产")
        elif form.is_valid():
            try:
                services.inventory_count(actor=request.user, inventory=inv, asset=target, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已清点：{target}")
                return redirect(f"{_url('stewardship:inventory', inv.pk)}#asset-{target.pk}")
        if form.errors:
            flash_errors(request, ValidationError([e for errs in form.errors.values() for e in errs]))
            return redirect("stewardship:inventory", inv.pk)
    lines = {ln.asset_id: ln for ln in inv.lines.select_related("counted_by")}
    on_books = list(selectors.assets(request.user).filter(region=inv.region).exclude(
        Q(status=AssetStatus.DISPOSED) & ~Q(pk__in=list(lines))).order_by("code"))
    rows = [(a, lines.get(a.pk)) for a in on_books]
    diffs = [(a, ln) for a, ln in rows if ln and ln.result != CountResult.FOUND]
    return render(request, "stewardship/inventory.html", {
        "inv": inv, "rows": rows, "diffs": diffs, "manage": manage, "form": form, "results": CountResult.choices,
        "counted": len(lines), "total": len(rows),
    })


# --- standards --------------------------------------------------------------------------------

@login_required
def standards(request):
    require_perm(request.user, P.RULES, what="修改经费标准和阵地规则")
    st = selectors.standards()
    rules = selectors.StewardshipRules.current()
    communities = list(selectors.communities(request.user, P.RULES))
    types = selectors.community_types(communities)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "types":
                for c in communities:
                    value = request.POST.get(f"type_{c.pk}", "")
                    if value and value != types[c.pk]:
                        services.community_type_set(actor=request.user, region=c, community_type=value)
            else:
                services.standards_update(actor=request.user,
                                          amounts={k: request.POST.get(f"amount_{k}", "") for k in st},
                                          min_area=request.POST.get("min_area", ""))
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已保存")
        return redirect("stewardship:standards")
    return render(request, "stewardship/standards.html", {
        "standards": [st[c] for c in CommunityType.values], "rules": rules,
        "communities": [(c, types[c.pk]) for c in communities], "types": CommunityType.choices,
    })


__all__ = ["SpendingCategory"]
