"""Volunteering pages: the organizer's list, publish form and activity page (QR code for check-in, hours),
the member's 附近的志愿活动, and the check-in address the QR code opens."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, require_perm, scope_filter
from core import treepaths as tree_paths
from core.forms import add_errors, flash_errors
from regions.models import Region, RegionKind

from .. import selectors
from ..forms import ActivityForm
from ..models import Activity, SignUp
from ..rules import P
from ..services import volunteer as services
from ..services.common import own_member


def _qr_svg(url: str) -> str:
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2, xmldecl=False, svgns=True)
    return buf.getvalue().decode()


def _scoped_activities(user, perm=P.VIEW):
    return scope_filter(Activity.objects.select_related("region"), user, perm).annotate(
        signed=Count("signups", distinct=True))


@login_required
def activities(request):
    require_perm(request.user, P.VIEW)
    qs = _scoped_activities(request.user).order_by("-starts_at")
    return render(request, "vanguard/activities.html", {
        "page": Paginator(qs, 30).get_page(request.GET.get("page")), "now": timezone.now(),
        "can_manage": has_perm(request.user, P.MANAGE),
    })


@login_required
def activity_new(request):
    require_perm(request.user, P.MANAGE)
    regions = scope_filter(Region.objects.filter(kind__in=[RegionKind.COMMUNITY, RegionKind.GRID]), request.user,
                           P.MANAGE).select_related("parent").order_by("path")
    form = ActivityForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            a = services.activity_publish(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已发布志愿服务活动：{a.title}")
            return redirect("vanguard:activity", a.pk)
    return render(request, "vanguard/form.html", {"form": form, "title": "发布志愿服务活动",
                                                  "back": "vanguard:activities"})


@login_required
def activity_detail(request, pk):
    require_perm(request.user, P.VIEW)
    a = get_in_scope_or_404(Activity.objects.select_related("region"), request.user, P.VIEW, pk=pk)
    manage = has_perm_at(request.user, P.MANAGE, a.region.path)
    if request.method == "POST" and manage:
        signup = get_object_or_404(SignUp, pk=request.POST.get("signup"), activity=a)
        try:
            services.hours_confirm(actor=request.user, signup=signup, hours=request.POST.get("hours", ""))
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已确认{signup.name}的服务时长")
        return redirect("vanguard:activity", a.pk)
    checkin_url = request.build_absolute_uri(reverse("vanguard:checkin", args=[a.pk, a.checkin_token]))
    return render(request, "vanguard/activity.html", {
        "a": a, "manage": manage, "signups": a.signups.select_related("member"), "limit": services.activity_hours(a),
        "qr": _qr_svg(checkin_url) if manage else "", "checkin_url": checkin_url if manage else "",
        "checked": a.signups.filter(checked_in_at__isnull=False).count(),
        "addable": (selectors.community_members(selectors.community_of(a.region) or a.region)
                    .exclude(signups__activity=a).order_by("name_pinyin")[:300]) if manage else [],
    })


@login_required
@require_POST
def signup_add(request, pk):
    require_perm(request.user, P.MANAGE)
    a = get_in_scope_or_404(Activity.objects.select_related("region"), request.user, P.MANAGE, pk=pk)

    member = get_object_or_404(selectors.community_members(selectors.community_of(a.region) or a.region),
                               pk=request.POST.get("member") or 0)
    try:
        services.signup_add(actor=request.user, activity=a, member=member)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已为{member.name}现场登记并签到")
    return redirect("vanguard:activity", a.pk)


@login_required
def my_activities(request):
    """附近的志愿活动: upcoming activities of the member's communities (or, for a resident's account, the
    open ones), with sign-up; the member's own sign-ups and hours this year."""
    member = own_member(request.user)
    now = timezone.now()
    qs = Activity.objects.filter(cancelled=False, ends_at__gt=now).select_related("region")
    if member is not None:
        qs = qs.filter(tree_paths.under_any("region__path", [c.path for c in selectors.member_communities(member)]))
    else:
        qs = qs.filter(open_to_residents=True)
    mine = SignUp.objects.filter(user=request.user).select_related("activity").order_by("-activity__starts_at")
    year_hours = mine.filter(activity__starts_at__year=timezone.localdate().year).aggregate(h=Sum("hours"))["h"]
    signed = set(mine.values_list("activity_id", flat=True))
    return render(request, "vanguard/my_activities.html", {
        "activities": qs.annotate(signed=Count("signups")).order_by("starts_at")[:50], "mine": mine[:30],
        "signed": signed, "year_hours": year_hours or 0, "member": member,
    })


@login_required
@require_POST
def signup(request, pk):
    a = get_object_or_404(Activity, pk=pk)
    try:
        services.signup_create(actor=request.user, activity=a)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已报名：{a.title}。活动当天请扫描组织人手机上的二维码签到")
    return redirect("vanguard:my_activities")


@login_required
@require_POST
def signup_cancel(request, pk):
    s = get_object_or_404(SignUp, pk=pk, user=request.user)
    try:
        services.signup_cancel(actor=request.user, signup=s)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已取消报名")
    return redirect("vanguard:my_activities")


@login_required
def checkin(request, pk, token):
    """The address in the QR code: shows the activity, and checks in on the button."""
    a = get_object_or_404(Activity.objects.select_related("region"), pk=pk, checkin_token=token)
    done = None
    if request.method == "POST":
        try:
            done = services.checkin(actor=request.user, activity=a, token=token)
        except ValidationError as exc:
            flash_errors(request, exc)
    signup_ = SignUp.objects.filter(activity=a, user=request.user).first()
    return render(request, "vanguard/checkin.html", {"a": a, "done": done, "signup": signup_})
