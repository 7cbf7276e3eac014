"""四知四清四掌握: the households of the grid worker's scope with their latest check, and the check form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render

from accounts.scope import get_in_scope_or_404, scope_filter
from grid.models import Household, HouseholdStatus

from ..models import CHECKLIST, HouseholdCheck
from ..rules import P
from ..services import household_check
from ..services.common import today
from .common import day, flash, need


def _households(actor):
    latest = HouseholdCheck.objects.filter(household=OuterRef("pk")).order_by("-checked_on", "-id")
    return (scope_filter(Household.objects.filter(status=HouseholdStatus.ACTIVE), actor, P.REPORT)
            .select_related("house", "grid").annotate(last_checked=Subquery(latest.values("checked_on")[:1]),
                                                      last_items=Subquery(latest.values("items")[:1])))


@login_required
def checks(request):
    need(request, P.REPORT, "核查四知四清四掌握")
    qs = _households(request.user)
    if request.GET.get("todo"):
        qs = qs.filter(last_checked__isnull=True)
    total = qs.count() if not request.GET.get("todo") else _households(request.user).count()
    done = _households(request.user).filter(last_checked__isnull=False).count()
    page = Paginator(qs.order_by("grid__path", "house__address", "id"), 30).get_page(request.GET.get("page"))
    for hh in page.object_list:
        hh.known = len(hh.last_items or []) if hh.last_checked else 0
    return render(request, "stability/checks.html", {
        "page": page, "total": total, "done": done, "items": len(CHECKLIST), "todo": request.GET.get("todo")})


@login_required
def check(request, pk: int):
    need(request, P.REPORT, "核查四知四清四掌握")
    hh = get_in_scope_or_404(_households(request.user), pk=pk)
    if request.method == "POST":
        try:
            household_check(actor=request.user, household=hh, items=request.POST.getlist("items"),
                            checked_on=day(request.POST.get("checked_on")), note=request.POST.get("note", ""))
        except ValidationError as exc:
            flash(request, exc)
            return redirect("stability:check", hh.pk)
        messages.success(request, "已保存核查")
        return redirect("stability:checks")
    last = HouseholdCheck.objects.filter(household=hh).order_by("-checked_on", "-id").first()
    return render(request, "stability/check.html", {
        "hh": hh, "last": last, "checked": set(last.items) if last else set(), "checklist": CHECKLIST,
        "today": today()})
