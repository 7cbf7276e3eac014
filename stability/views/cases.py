"""Pages of petitions and mediation: the list (with the open dispute demands waiting to become cases),
a new case, one case (parties, steps, agreement, follow-up, closing) and its agreement as .docx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, scope_filter
from audit.downloads import audited_download
from regions.models import Region, RegionKind

from .. import selectors, services
from ..documents import agreement_docx
from ..models import CaseKind, CaseStatus, DisputeType, PartyRole
from ..rules import P
from ..services.common import today
from .common import day, flash, need

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _dispute_demands(actor):
    """Open demands of the dispute group (矛盾调解) in the scope that are not yet a case."""
    from demands.models import OPEN_STATES
    from demands.selectors import visible_demands

    return (visible_demands(actor).filter(category__group="矛盾调解", state__in=OPEN_STATES,
                                          stability_case__isnull=True, duplicate_of__isnull=True,
                                          region__kind__in=[RegionKind.COMMUNITY, RegionKind.GRID])
            .select_related("region", "category").order_by("submitted_at"))


@login_required
def case_list(request):
    need(request, P.VIEW, "查看信访与调解")
    qs = selectors.cases(request.user)
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    if kind in CaseKind.values:
        qs = qs.filter(kind=kind)
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    manage = has_perm(request.user, P.MANAGE)
    waiting = list(_dispute_demands(request.user)[:20]) if manage else []
    return render(request, "stability/cases.html", {
        "page": page, "kind": kind, "status": status, "kinds": CaseKind.choices, "statuses": CaseStatus.choices,
        "can_manage": manage, "waiting": waiting})


@login_required
@require_POST
def case_from_demand(request):
    need(request, P.MANAGE, "受理调解案件")
    from demands.selectors import visible_demands

    raw = request.POST.get("demand", "")
    demand = get_in_scope_or_404(visible_demands(request.user), pk=int(raw) if raw.isdigit() else 0)
    try:
        case = services.case_from_demand(actor=request.user, demand=demand,
                                         dispute_type=request.POST.get("dispute_type", ""))
    except ValidationError as exc:
        flash(request, exc)
        return redirect("stability:cases")
    messages.success(request, f"诉求已转为调解案件 {case.number}")
    return redirect("stability:case", case.pk)


def _regions(actor):
    return scope_filter(Region.objects.filter(kind__in=[RegionKind.COMMUNITY, RegionKind.GRID]), actor, P.MANAGE,
                        "path").order_by("path")[:300]


@login_required
def case_new(request):
    need(request, P.MANAGE, "受理信访和调解案件")
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        raw = request.POST.get("region", "")
        region = _regions(request.user).model.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if region is not None and not has_perm_at(request.user, P.MANAGE, region.path):
            region = None
        parties = [{"role": role, "name": request.POST.get(f"{role}_name", ""),
                    "phone": request.POST.get(f"{role}_phone", ""), "address": request.POST.get(f"{role}_address", "")}
                   for role in (PartyRole.APPLICANT, PartyRole.RESPONDENT)
                   if (request.POST.get(f"{role}_name") or "").strip() or role == PartyRole.APPLICANT]
        try:
            case = services.case_create(actor=request.user, region=region, kind=request.POST.get("kind", ""),
                                        dispute_type=request.POST.get("dispute_type", ""),
                                        title=request.POST.get("title", ""), facts=request.POST.get("facts", ""),
                                        received_on=day(request.POST.get("received_on")), parties=parties)
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, f"已受理案件 {case.number}")
            return redirect("stability:case", case.pk)
    return render(request, "stability/case_new.html", {
        "regions": _regions(request.user), "kinds": CaseKind.choices, "types": DisputeType.choices,
        "values": values, "today": today()})


@login_required
def case_detail(request, pk: int):
    need(request, P.VIEW, "查看信访与调解")
    case = get_in_scope_or_404(selectors.cases(request.user), pk=pk)
    manage = has_perm_at(request.user, P.MANAGE, case.region.path)
    action = request.POST.get("action") if request.method == "POST" else None
    if action:
        if not manage:
            raise PermissionDenied("您没有办理该案件的权限")
        p = request.POST
        try:
            if action == "party":
                services.case_add_party(actor=request.user, case=case, role=p.get("role", ""), name=p.get("name", ""),
                                        phone=p.get("phone", ""), address=p.get("address", ""))
                messages.success(request, "已添加当事人")
            elif action == "step":
                services.case_step_add(actor=request.user, case=case, action=p.get("step", ""), on=day(p.get("on")),
                                       note=p.get("note", ""))
                messages.success(request, "已登记办理过程")
            elif action == "agree":
                services.case_agree(actor=request.user, case=case, agreement=p.get("agreement", ""),
                                    agreed_on=day(p.get("agreed_on")), performance=p.get("performance", ""),
                                    follow_up_due=day(p.get("follow_up_due")), expected_version=p.get("version"))
                messages.success(request, "已登记调解协议，可下载协议书")
            elif action == "fail":
                services.case_fail(actor=request.user, case=case, on=day(p.get("on")), note=p.get("note", ""))
                messages.success(request, "已登记调解不成")
            elif action == "follow":
                services.case_follow_up(actor=request.user, case=case, on=day(p.get("on")), note=p.get("note", ""))
                messages.success(request, "已登记回访")
            elif action == "close":
                services.case_close(actor=request.user, case=case, on=day(p.get("on")))
                messages.success(request, "案件已结案")
            else:
                raise ValidationError("未知的操作")
        except ValidationError as exc:
            flash(request, exc)
        return redirect("stability:case", case.pk)
    parties = list(case.parties.all())
    for party in parties:
        party.phone_masked = _mask_phone(party.phone)
    return render(request, "stability/case.html", {
        "c": case, "parties": parties, "steps": case.steps.select_related("actor"), "manage": manage,
        "roles": PartyRole.choices, "step_actions": services.STEP_ACTIONS, "today": today(),
        "demand": case.demand})


def _mask_phone(value: str) -> str:
    from core.masking import mask_mobile

    if not value:
        return ""
    return mask_mobile(value) if len(value) == 11 else value[:3] + "****" + value[-2:]


@login_required
def case_agreement(request, pk: int):
    need(request, P.VIEW, "查看信访与调解")
    case = get_in_scope_or_404(selectors.cases(request.user), pk=pk)
    if not case.agreement:
        messages.error(request, "该案件尚未达成协议，没有协议书")
        return redirect("stability:case", case.pk)
    return audited_download(request, agreement_docx(case), filename=f"人民调解协议书-{case.number}.docx",
                            content_type=DOCX, obj=case)
