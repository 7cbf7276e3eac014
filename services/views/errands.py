"""全程代办: errands a member or staff takes on for a resident, step by step, confirmed by the resident."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at
from core.forms import add_errors, flash_errors

from .. import selectors, services
from ..forms import ErrandForm
from ..models import ErrandState
from ..rules import P
from .common import form_page, manage_communities, need


@login_required
def errand_list(request):
    need(request)
    qs = selectors.errands(request.user)
    state = request.GET.get("state", "")
    if state in ErrandState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "services/errands.html", {
        "page": page, "states": ErrandState.choices, "state": state, "can_manage": has_perm(request.user, P.MANAGE),
        "today": services.today(),
    })


@login_required
def errand_new(request):
    need(request, P.MANAGE, what="登记全程代办")
    form = ErrandForm(request.POST or None, communities=manage_communities(request),
                      initial={"steps": "收取居民材料\n到办理部门递交\n领取办理结果\n送还居民并请居民确认"})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["steps"] = d["steps"].splitlines()
        try:
            e = services.errand_create(actor=request.user, **d)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已受理代办：{e.subject}")
            return redirect("services:errand", e.pk)
    return form_page(request, form, "受理全程代办", "services:errands")


@login_required
def errand_detail(request, pk):
    need(request)
    e = get_in_scope_or_404(selectors.errands(request.user), pk=pk)
    manage = has_perm_at(request.user, P.MANAGE, e.region.path)
    action = request.POST.get("action") if request.method == "POST" else None
    if action:
        if not manage:
            raise PermissionDenied("您没有办理该代办的权限")
        try:
            if action == "step":
                step = get_object_or_404(e.steps, pk=request.POST.get("step") or 0)
                services.errand_step_done(actor=request.user, step=step, note=request.POST.get("note", ""))
                messages.success(request, f"已完成：{step.title}")
            elif action == "confirm":
                services.errand_confirm(actor=request.user, errand=e, confirmed_by=request.POST.get("confirmed_by", ""),
                                        opinion=request.POST.get("opinion", ""))
                messages.success(request, "居民已确认，代办办结")
            else:
                raise Http404
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("services:errand", e.pk)
    return render(request, "services/errand.html", {"e": e, "steps": e.steps.all(), "manage": manage})
