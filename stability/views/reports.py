"""Pages of 社会稳定信息反馈: the reports of the scope, a new report, one report and its answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, scope_filter
from regions.models import Region, RegionKind

from .. import selectors, services
from ..models import ReportKind, ReportStatus, Urgency
from ..rules import P
from .common import flash, moment, need, now_local, number


@login_required
def report_list(request):
    need(request, P.VIEW, "查看稳定信息")
    qs = selectors.reports(request.user)
    urgency, status = request.GET.get("urgency", ""), request.GET.get("status", "")
    if urgency in Urgency.values:
        qs = qs.filter(urgency=urgency)
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "stability/reports.html", {
        "page": page, "urgency": urgency, "status": status, "urgencies": Urgency.choices,
        "statuses": ReportStatus.choices, "can_report": has_perm(request.user, P.REPORT)})


def _regions(actor):
    return scope_filter(Region.objects.filter(kind__in=[RegionKind.COMMUNITY, RegionKind.GRID]), actor, P.REPORT,
                        "path").order_by("path")[:300]


@login_required
def report_new(request):
    need(request, P.REPORT, "报送稳定信息")
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        raw = request.POST.get("region", "")
        region = _regions(request.user).model.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if region is not None and not has_perm_at(request.user, P.REPORT, region.path):
            region = None
        try:
            report = services.report_create(
                actor=request.user, region=region, kind=request.POST.get("kind", ""),
                urgency=request.POST.get("urgency", ""), title=request.POST.get("title", ""),
                content=request.POST.get("content", ""), occurred_at=moment(request.POST.get("occurred_at")),
                people=number(request.POST.get("people")), measures=request.POST.get("measures", ""))
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, "已报送" + ("，街道已收到紧急提醒" if report.urgency == Urgency.URGENT else ""))
            return redirect("stability:report", report.pk)
    return render(request, "stability/report_new.html", {
        "regions": _regions(request.user), "kinds": ReportKind.choices, "urgencies": Urgency.choices,
        "values": values, "now": now_local()})


@login_required
def report_detail(request, pk: int):
    need(request, P.VIEW, "查看稳定信息")
    report = get_in_scope_or_404(selectors.reports(request.user), pk=pk)
    answer = has_perm_at(request.user, P.MANAGE, report.region.path) and report.reporter_id != request.user.pk
    if request.method == "POST":
        if not answer:
            raise PermissionDenied("您没有阅处该稳定信息的权限")
        try:
            services.report_answer(actor=request.user, report=report, reply=request.POST.get("reply", ""),
                                   handled=request.POST.get("handled") == "1")
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, "已阅处")
        return redirect("stability:report", report.pk)
    return render(request, "stability/report.html", {
        "r": report, "answer": answer and report.status != ReportStatus.HANDLED})
