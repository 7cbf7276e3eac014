"""Pages of key people: shown only with their own permission, inside the scope, after the viewer has
stated a purpose; every list and record shown is one audit entry with that purpose."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at
from core.masking import mask_id_number, mask_mobile
from grid.models import Resident

from .. import selectors, services
from ..models import KeyCategory, KeyStatus, RiskLevel, VisitWay
from ..rules import P
from ..services.common import secretaries_of, today
from .common import PURPOSES, ask_purpose, audit_view, day, flash, need, purpose_of, purpose_set


@login_required
@require_POST
def purpose(request):
    need(request, P.KEY_VIEW, "查看重点人员")
    choice = request.POST.get("purpose", "")
    detail = (request.POST.get("detail") or "").strip()[:100]
    nxt = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) or not nxt.startswith("/"):
        nxt = "/stability/people/"
    if choice not in PURPOSES or (choice == "其他" and not detail) or any(c in detail for c in "<>\x00"):
        messages.error(request, "请选择查看用途；选“其他”须写明具体用途")
        return redirect(nxt)
    purpose_set(request, choice + (f"：{detail}" if detail else ""))
    return redirect(nxt)


@login_required
def people(request):
    need(request, P.KEY_VIEW, "查看重点人员")
    why = purpose_of(request)
    if why is None:
        return ask_purpose(request)
    qs = selectors.key_people(request.user)
    status, cat, flag = request.GET.get("status", "open"), request.GET.get("category", ""), request.GET.get("overdue")
    if status == "open":
        qs = qs.exclude(status=KeyStatus.RELEASED)
    elif status in KeyStatus.values:
        qs = qs.filter(status=status)
    if cat.isdigit():
        qs = qs.filter(category_id=int(cat))
    if flag:
        qs = qs.filter(status=KeyStatus.ACTIVE, next_visit_due__lt=today())
    page = Paginator(qs.order_by("next_visit_due", "id"), 30).get_page(request.GET.get("page"))
    audit_view(request, why, object_repr=f"重点人员名单（第 {page.number} 页，{len(page.object_list)} 人）",
               ids=[p.pk for p in page.object_list], page="list")
    return render(request, "stability/people.html", {
        "page": page, "status": status, "category": cat, "overdue": flag, "statuses": KeyStatus.choices,
        "categories": KeyCategory.objects.filter(active=True), "today": today(), "purpose": why,
        "can_register": has_perm(request.user, P.KEY_MANAGE)})


def _resident_in_scope(request, raw):
    """The resident picked on the form, inside the scope of key-person management (else None)."""
    from accounts.scope import scope_filter

    if not (raw or "").strip().isdigit():
        return None
    return scope_filter(Resident.objects.select_related("grid"), request.user, P.KEY_MANAGE).filter(
        pk=int(raw)).first()


@login_required
def person_new(request):
    need(request, P.KEY_MANAGE, "登记重点人员")
    why = purpose_of(request)
    if why is None:
        return ask_purpose(request)
    from accounts.scope import scope_filter

    q = (request.GET.get("q") or request.POST.get("q") or "").strip()[:30]
    found = []
    if q:
        found = list(scope_filter(Resident.objects.select_related("grid", "household__house"), request.user,
                                  P.KEY_MANAGE).filter(name__startswith=q, status="active").order_by("name")[:20])
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        resident = _resident_in_scope(request, request.POST.get("resident"))
        cat = KeyCategory.objects.filter(pk=int(v), active=True).first() if (v := request.POST.get("category", "")
                                                                             ).isdigit() else None
        leader = None
        if (v := request.POST.get("leader", "")).isdigit():
            leader = User.objects.filter(pk=int(v), is_active=True).first()
        try:
            person = services.key_person_register(
                actor=request.user, resident=resident, category=cat, reason=request.POST.get("reason", ""),
                registered_on=day(request.POST.get("registered_on")), risk=request.POST.get("risk", ""),
                leader=leader, helpers=request.POST.get("helpers", ""), plan=request.POST.get("plan", ""))
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, f"已将{person.resident.name}列为{person.category.name}")
            return redirect("stability:person", person.pk)
    return render(request, "stability/person_new.html", {
        "q": q, "found": found, "categories": KeyCategory.objects.filter(active=True), "risks": RiskLevel.choices,
        "values": values, "today": today(), "purpose": why})


@login_required
def person(request, pk: int):
    need(request, P.KEY_VIEW, "查看重点人员")
    p = get_in_scope_or_404(selectors.key_people(request.user), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    if action:
        try:
            if action == "visit":
                if not has_perm_at(request.user, P.KEY_VISIT, p.grid.path):
                    raise PermissionDenied("您没有走访该重点人员的权限")
                services.key_visit_record(actor=request.user, person=p, visited_on=day(request.POST.get("visited_on")),
                                          way=request.POST.get("way", ""), findings=request.POST.get("findings", ""),
                                          concern=request.POST.get("concern") == "1")
                messages.success(request, "已登记走访")
            elif action == "plan":
                if not has_perm_at(request.user, P.KEY_MANAGE, p.grid.path):
                    raise PermissionDenied("您没有修改帮教计划的权限")
                leader = None
                if (v := request.POST.get("leader", "")).isdigit():
                    leader = User.objects.filter(pk=int(v), is_active=True).first()
                services.key_person_update(actor=request.user, person=p, risk=request.POST.get("risk", ""),
                                           helpers=request.POST.get("helpers", ""), plan=request.POST.get("plan", ""),
                                           leader=leader, expected_version=request.POST.get("version"))
                messages.success(request, "已保存帮教计划")
            elif action == "status":
                if not has_perm_at(request.user, P.KEY_MANAGE, p.grid.path):
                    raise PermissionDenied("您没有变更该人员状态的权限")
                services.key_person_set_status(actor=request.user, person=p, status=request.POST.get("status", ""),
                                               on=day(request.POST.get("on")), note=request.POST.get("note", ""))
                messages.success(request, "已变更状态")
            else:
                raise ValidationError("未知的操作")
        except ValidationError as exc:
            flash(request, exc)
        return redirect("stability:person", p.pk)
    why = purpose_of(request)
    if why is None:
        return ask_purpose(request)
    audit_view(request, why, obj=p, page="detail")
    r = p.resident
    return render(request, "stability/person.html", {
        "p": p, "r": r, "id_masked": mask_id_number(r.id_number), "phone_masked": mask_mobile(r.phone),
        "visits": p.visits.select_related("visitor")[:50], "events": p.events.select_related("actor")[:50],
        "can_visit": has_perm_at(request.user, P.KEY_VISIT, p.grid.path),
        "can_manage": has_perm_at(request.user, P.KEY_MANAGE, p.grid.path),
        "secretaries": secretaries_of(p.grid), "ways": VisitWay.choices, "risks": RiskLevel.choices,
        "statuses": [s for s in KeyStatus.choices if s[0] != p.status], "today": today(), "purpose": why})
