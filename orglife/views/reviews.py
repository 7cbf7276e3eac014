"""Pages of 民主评议党员: the reviews of the scope, one review (ratings with votes, follow-ups, closing),
and the member's own self-assessment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from accounts.scope import has_perm

from .. import selectors, services
from ..models import FollowUp, Rating, ReviewEntry
from ..rules import P
from ..services.common import today
from ..services.reviews import VOTE_FIELDS
from .sessions import flash_errors, need


@login_required
def review_list(request):
    need(request)
    if request.method == "POST":
        need(request, P.MANAGE)
        org = get_object_or_404(selectors.living_orgs(request.user, P.MANAGE), pk=request.POST.get("org") or 0)
        year = request.POST.get("year", "")
        try:
            r = services.review_open(actor=request.user, org=org, year=int(year) if year.isdigit() else -1)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已开展{r}")
            return redirect("orglife:review", r.pk)
    rows = list(selectors.reviews(request.user).order_by("-year", "org__region__path")[:200])
    return render(request, "orglife/reviews.html", {
        "rows": rows, "orgs": selectors.living_orgs(request.user, P.MANAGE), "year": today().year - 1,
        "can_manage": has_perm(request.user, P.MANAGE)})


def _int(value) -> int | str:
    value = (value or "0").strip()
    return int(value) if value.isdigit() and len(value) < 6 else -1


@login_required
def review_detail(request, pk):
    need(request)
    r = selectors.review_get(request.user, pk)
    manage = selectors.can_manage(request.user, r.org)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not manage:
        raise PermissionDenied("您没有管理该民主评议的权限")
    if action in ("rate", "follow_up"):
        entry = get_object_or_404(ReviewEntry, pk=request.POST.get("entry") or 0, review=r)
        try:
            if action == "rate":
                services.review_rate(actor=request.user, entry=entry, rating=request.POST.get("rating", ""),
                                     votes={f: _int(request.POST.get(f)) for f, _ in VOTE_FIELDS})
            else:
                due = parse_date(request.POST.get("due") or "")
                services.review_follow_up(actor=request.user, entry=entry, measure=request.POST.get("measure", ""),
                                          note=request.POST.get("note", ""), due=due)
        except (ValidationError, ValueError) as exc:
            flash_errors(request, exc if isinstance(exc, ValidationError) else ValidationError("日期格式不正确"))
        else:
            messages.success(request, f"已保存{entry.member.name}的评议结果" if action == "rate" else "已登记组织处置")
        return redirect("orglife:review", r.pk)
    if action == "close":
        try:
            services.review_close(actor=request.user, review=r)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "本年度民主评议已结束")
        return redirect("orglife:review", r.pk)
    entries = selectors.review_entries(r)
    counts = {v: sum(1 for e in entries if e.rating == v) for v in Rating.values}
    return render(request, "orglife/review.html", {
        "r": r, "entries": entries, "manage": manage and r.is_open, "ratings": Rating.choices,
        "measures": FollowUp.choices, "vote_fields": VOTE_FIELDS,
        "counts": [(label, counts[v]) for v, label in Rating.choices]})


@login_required
@require_POST
def my_review(request, pk):
    member = selectors.own_member(request.user)
    entry = get_object_or_404(ReviewEntry.objects.select_related("review"), pk=pk, member=member) \
        if member else None
    if entry is None:
        raise PermissionDenied("您的账号尚未关联党员档案")
    try:
        services.review_self_assess(actor=request.user, entry=entry, text=request.POST.get("text", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已保存个人自评")
    return redirect("orglife:my")
