"""Pages of inspections (督查), rectifications and 督办通报/约谈."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, scope_filter
from accounts.views import add_errors
from audit.downloads import serve_private
from regions.models import Region, RegionKind

from . import inspections, selectors
from .forms import CloseForm, FindingForm, InspectionForm, SanctionForm
from .models import CheckResult, Evidence, EvidenceKind, Inspection, RectificationStatus
from .rules import P
from .services import is_receiver
from .views import _bad, _errors, _need


def _targets(request):
    return scope_filter(Region.objects.filter(kind__in=[RegionKind.STREET, RegionKind.COMMUNITY]), request.user,
                        P.DIRECT).order_by("path")


@login_required
def inspection_list(request):
    _need(request)
    tab = request.GET.get("tab") or "inspections"
    form = None
    if has_perm(request.user, P.DIRECT):
        form = InspectionForm(request.POST or None, regions=_targets(request),
                              initial={"date": timezone.localdate(), "kind": "unannounced"})
        if request.method == "POST" and form.is_valid():
            try:
                ins = inspections.inspection_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已登记督查，请逐项登记检查结果和发现的问题")
                return redirect("assessment:inspection", pk=ins.pk)
    if tab == "rectifications":
        qs = selectors.findings(request.user).order_by("status", "deadline", "id")
    elif tab == "sanctions":
        qs = selectors.sanctions(request.user)
    else:
        tab = "inspections"
        qs = selectors.inspections(request.user)
    return render(request, "assessment/inspections.html", {
        "form": form, "tab": tab, "page": Paginator(qs, 30).get_page(request.GET.get("page")),
        "today": timezone.localdate(),
        "tabs": [("inspections", "督查记录"), ("rectifications", "整改台账"), ("sanctions", "督办通报与约谈")],
    })


@login_required
def inspection_detail(request, pk: int):
    _need(request)
    ins = get_in_scope_or_404(Inspection.objects.select_related("region", "created_by"), request.user, P.VIEW, pk=pk)
    can_edit = has_perm_at(request.user, P.DIRECT, ins.region.path)
    findings = list(selectors.findings(request.user).filter(inspection=ins).prefetch_related("evidence"))
    for f in findings:
        f.can_close = f.status == RectificationStatus.OPEN and is_receiver(request.user, f.region) and has_perm(
            request.user, P.REPORT)
        f.close_form = CloseForm(records=selectors.record_choices(request.user, f.region), prefix=f"f{f.pk}") \
            if f.can_close else None
        for e in f.evidence.all():
            e.link = selectors.record_link(e.kind, e.record_id) if e.record_id else ""
    regions = Region.objects.under(ins.region.path).filter(kind__in=[RegionKind.STREET, RegionKind.COMMUNITY])
    return render(request, "assessment/inspection.html", {
        "ins": ins, "can_edit": can_edit, "checks": ins.checks.all(), "results": CheckResult.choices,
        "findings": findings, "today": timezone.localdate(),
        "sanctions": scope_filter(ins.sanctions.select_related("region"), request.user, P.VIEW),
        "finding_form": FindingForm(regions=regions.order_by("path"), initial={"region": ins.region}) if can_edit
        else None,
        "sanction_form": SanctionForm(regions=regions.order_by("path"), initial={
            "region": ins.region, "date": timezone.localdate()}) if can_edit else None,
    })


def _get_for_edit(request, pk):
    _need(request, P.DIRECT)
    return get_in_scope_or_404(Inspection.objects.select_related("region"), request.user, P.DIRECT, pk=pk)


@login_required
@require_POST
def inspection_checks(request, pk: int):
    ins = _get_for_edit(request, pk)
    results = {item.pk: (request.POST.get(f"c-{item.pk}", item.result), request.POST.get(f"n-{item.pk}", item.note))
               for item in ins.checks.all()}
    try:
        inspections.check_update(actor=request.user, inspection=ins, results=results)
        messages.success(request, "已保存检查结果")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:inspection", pk=ins.pk)


@login_required
@require_POST
def finding_new(request, pk: int):
    ins = _get_for_edit(request, pk)
    regions = Region.objects.under(ins.region.path).filter(kind__in=[RegionKind.STREET, RegionKind.COMMUNITY])
    form = FindingForm(request.POST, request.FILES, regions=regions)
    if not form.is_valid():
        return _bad(request, form, "assessment:inspection", ins.pk)
    try:
        inspections.finding_add(actor=request.user, inspection=ins, **form.cleaned_data)
        messages.success(request, "已登记问题并交整改单位整改")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:inspection", pk=ins.pk)


@login_required
@require_POST
def finding_close(request, pk: int):
    _need(request, P.REPORT)
    f = get_object_or_404(selectors.findings(request.user), pk=pk)
    form = CloseForm(request.POST, request.FILES, records=selectors.record_choices(request.user, f.region),
                     prefix=f"f{f.pk}")
    if not form.is_valid():
        return _bad(request, form, "assessment:inspection", f.inspection_id)
    try:
        inspections.finding_close(actor=request.user, finding=f, note=form.cleaned_data["note"],
                                  files=request.FILES.getlist(f"f{f.pk}-files"),
                                  photos=request.FILES.getlist(f"f{f.pk}-photos"), records=form.cleaned_data["records"])
        messages.success(request, "已报送整改情况，问题销号")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:inspection", pk=f.inspection_id)


@login_required
@require_POST
def sanction_new(request, pk: int):
    ins = _get_for_edit(request, pk)
    regions = Region.objects.under(ins.region.path).filter(kind__in=[RegionKind.STREET, RegionKind.COMMUNITY])
    form = SanctionForm(request.POST, regions=regions)
    if not form.is_valid():
        return _bad(request, form, "assessment:inspection", ins.pk)
    try:
        s = inspections.sanction_record(actor=request.user, inspection=ins, **form.cleaned_data)
        messages.success(request, f"已登记{s.get_kind_display()}")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:inspection", pk=ins.pk)


@login_required
def finding_file(request, pk: int, evidence_pk: int = 0):
    _need(request)
    f = get_object_or_404(selectors.findings(request.user), pk=pk)
    if evidence_pk:
        e = get_object_or_404(Evidence, pk=evidence_pk, finding=f, kind__in=[EvidenceKind.FILE, EvidenceKind.PHOTO])
        return serve_private(request, e.file, obj=f, label="整改佐证材料", filename=e.label,
                             attachment=e.kind == EvidenceKind.FILE)
    return serve_private(request, f.photo, obj=f, label="督查现场照片")



