"""Pages of the police officer and patrol teams: teams and officers of the scope, one team (members,
shifts, the holiday roster), one shift (posts, check-in, incidents), and a member's own patrols."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, scope_filter
from core.masking import mask_mobile
from regions.models import Region, RegionKind

from .. import selectors, services
from ..models import PatrolKind, ShiftKind, ShiftPost
from ..rules import P
from ..services.common import today
from .common import day, flash, moment, need, number


def _communities(actor):
    return scope_filter(Region.objects.filter(kind=RegionKind.COMMUNITY), actor, P.MANAGE, "path").order_by("path")


@login_required
def patrols(request):
    need(request, P.VIEW, "查看民警与联防队")
    if request.method == "POST":
        need(request, P.MANAGE, "管理联防队")
        raw = request.POST.get("community", "")
        community = _communities(request.user).filter(pk=int(raw)).first() if raw.isdigit() else None
        try:
            if request.POST.get("action") == "officer":
                services.officer_set(actor=request.user, community=community, name=request.POST.get("name", ""),
                                     badge=request.POST.get("badge", ""), phone=request.POST.get("phone", ""),
                                     station=request.POST.get("station", ""), office=request.POST.get("office", ""),
                                     duty=request.POST.get("duty", ""))
                messages.success(request, "已设置社区民警")
            else:
                team = services.team_create(actor=request.user, community=community, name=request.POST.get("name", ""),
                                            leader_name=request.POST.get("leader_name", ""))
                messages.success(request, f"已组建{team.name}")
                return redirect("stability:team", team.pk)
        except ValidationError as exc:
            flash(request, exc)
        return redirect("stability:patrols")
    officers = list(selectors.officers(request.user).order_by("community__path")[:200])
    for o in officers:
        o.phone_masked = mask_mobile(o.phone) if len(o.phone) == 11 else o.phone
    teams = list(selectors.teams(request.user)[:200])
    return render(request, "stability/patrols.html", {
        "officers": officers, "teams": teams, "communities": _communities(request.user)[:300],
        "can_manage": has_perm(request.user, P.MANAGE)})


@login_required
def team(request, pk: int):
    need(request, P.VIEW, "查看联防队")
    t = get_in_scope_or_404(selectors.teams(request.user), pk=pk)
    manage = services.can_manage_team(request.user, t)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您没有管理该联防队的权限")
        p = request.POST
        try:
            if p.get("action") == "member":
                services.team_member_add(actor=request.user, team=t, name=p.get("name", ""), kind=p.get("kind", ""),
                                         phone=p.get("phone", ""))
                messages.success(request, "已添加队员")
            elif p.get("action") == "roster":
                shifts = services.holiday_roster(
                    actor=request.user, team=t, occasion=p.get("occasion", ""), first_day=day(p.get("first_day")),
                    last_day=day(p.get("last_day")), start=_time(p.get("start")), end=_time(p.get("end")),
                    per_shift=number(p.get("per_shift"), 0), route=p.get("route", ""))
                messages.success(request, f"已排{len(shifts)}个节日班次")
            elif p.get("action") == "shift":
                services.shift_create(actor=request.user, team=t, kind=p.get("kind", ""),
                                      starts_at=moment(p.get("starts_at")), ends_at=moment(p.get("ends_at")),
                                      route=p.get("route", ""), occasion=p.get("occasion", ""),
                                      members=[int(v) for v in p.getlist("members") if v.isdigit()])
                messages.success(request, "已排班")
            else:
                raise ValidationError("未知的操作")
        except ValidationError as exc:
            flash(request, exc)
        return redirect("stability:team", t.pk)
    members = list(t.members.filter(active=True).select_related("user"))
    for m in members:
        m.phone_masked = mask_mobile(m.phone) if len(m.phone) == 11 else m.phone
    now = timezone.now()
    upcoming = list(t.shifts.filter(ends_at__gte=now - timezone.timedelta(days=7))
                    .prefetch_related("posts__member").order_by("starts_at")[:60])
    return render(request, "stability/team.html", {
        "t": t, "members": members, "shifts": upcoming, "manage": manage, "kinds": PatrolKind.choices,
        "shift_kinds": ShiftKind.choices, "today": today(), "now": now})


def _time(value):
    from django.utils.dateparse import parse_time

    try:
        return parse_time((value or "").strip()[:8]) if value else None
    except ValueError:
        return None


@login_required
def shift(request, pk: int):
    own = selectors.my_posts(request.user).filter(shift_id=pk).exists()
    if own:
        from ..models import PatrolShift

        s = get_object_or_404(PatrolShift.objects.select_related("team__community"), pk=pk)
    else:
        need(request, P.VIEW, "查看巡逻班次")
        s = get_in_scope_or_404(selectors.shifts(request.user), pk=pk)
    manage = services.can_manage_team(request.user, s.team)
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "check_in":
                post = get_object_or_404(ShiftPost, pk=number(p.get("post"), 0) if (p.get("post") or "").isdigit()
                                         else 0, shift=s)
                services.check_in(actor=request.user, post=post, lat=p.get("lat") or None, lng=p.get("lng") or None)
                messages.success(request, f"{post.member.name}已签到")
            elif p.get("action") == "incident":
                incident = services.incident_report(actor=request.user, shift=s, place=p.get("place", ""),
                                                    description=p.get("description", ""))
                messages.success(request, f"已上报，生成诉求 {incident.demand.tracking_code}")
            elif p.get("action") == "post":
                if not manage:
                    raise PermissionDenied("您没有为该联防队排班的权限")
                member = get_object_or_404(s.team.members, pk=number(p.get("member"), 0)
                                           if (p.get("member") or "").isdigit() else 0)
                services.shift_post_add(actor=request.user, shift=s, member=member)
                messages.success(request, f"已安排{member.name}")
            else:
                raise ValidationError("未知的操作")
        except ValidationError as exc:
            flash(request, exc)
        return redirect("stability:shift", s.pk)
    posts = list(s.posts.select_related("member"))
    for post in posts:
        post.mine = post.member.user_id == request.user.pk
    return render(request, "stability/shift.html", {
        "s": s, "posts": posts, "manage": manage, "incidents": s.incidents.select_related("demand", "reporter"),
        "others": s.team.members.filter(active=True).exclude(posts__shift=s) if manage else [],
        "can_report": own or manage or has_perm_at(request.user, P.REPORT, s.team.community.path),
        "now": timezone.now()})


@login_required
def my_patrols(request):
    if not (has_perm(request.user, P.PATROL_SELF) or selectors.has_patrol_posts(request.user)):
        raise PermissionDenied("您没有访问此页面的权限")
    posts = list(selectors.my_posts(request.user).filter(ends_at__gte=timezone.now() - timezone.timedelta(days=30)))
    return render(request, "stability/my_patrols.html", {"posts": posts, "now": timezone.now()})

