"""Venues lent to units and groups with their booking calendar, and the 24-hour duty roster."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at
from core.forms import add_errors, flash_errors

from .. import selectors, services
from ..forms import BookingForm, ShiftForm, VenueForm
from ..models import DutyPost
from ..rules import P
from .common import form_page, manage_communities, need

WEEKDAYS = "一二三四五六日"


def _week_start(request):
    today = services.today()
    try:
        d = datetime.strptime(request.GET.get("week", ""), "%Y-%m-%d").date()
    except ValueError:
        d = today
    if abs((d - today).days) > 800:
        d = today
    return d - timedelta(days=d.weekday())


def _aware(d, t=time.min):
    return timezone.make_aware(datetime.combine(d, t))


@login_required
def venue_list(request):
    need(request)
    venues = selectors.venues(request.user)
    now = timezone.now()
    upcoming = selectors.bookings(request.user).filter(cancelled=False, end__gte=now)[:20]
    return render(request, "services/venues.html", {"venues": venues[:200], "upcoming": upcoming,
                                                    "can_manage": has_perm(request.user, P.MANAGE)})


@login_required
def venue_new(request):
    need(request, P.MANAGE, what="维护活动场所")
    form = VenueForm(request.POST or None, communities=manage_communities(request))
    if request.method == "POST" and form.is_valid():
        try:
            v = services.venue_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已添加场所：{v.name}")
            return redirect("services:venue", v.pk)
    return form_page(request, form, "添加活动场所", "services:venues")


@login_required
def venue_detail(request, pk):
    need(request)
    v = get_in_scope_or_404(selectors.venues(request.user), pk=pk)
    manage = has_perm_at(request.user, P.MANAGE, v.region.path)
    start = _week_start(request)
    form = BookingForm(initial={"start": _aware(start + timedelta(days=1), time(9)).strftime("%Y-%m-%dT%H:%M")})
    status = 200
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您没有预约该场所的权限")
        if request.POST.get("action") == "cancel":
            b = get_object_or_404(v.bookings, pk=request.POST.get("booking") or 0)
            try:
                services.booking_cancel(actor=request.user, booking=b)
            except ValidationError as exc:
                flash_errors(request, exc)
            else:
                messages.success(request, "已取消预约")
            return redirect("services:venue", v.pk)
        form = BookingForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                b = services.booking_create(actor=request.user, venue=v, **d)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "预约成功")
                day = timezone.localtime(b.start).date()
                return redirect(reverse("services:venue", args=[v.pk]) + f"?week={day:%Y-%m-%d}")
        status = 400
    days = [start + timedelta(days=i) for i in range(7)]
    week = list(v.bookings.filter(cancelled=False, start__lt=_aware(days[-1] + timedelta(days=1)),
                                  end__gt=_aware(days[0])))
    calendar = []
    for d in days:
        lo, hi = _aware(d), _aware(d + timedelta(days=1))
        calendar.append({"day": d, "weekday": WEEKDAYS[d.weekday()],
                         "bookings": [b for b in week if b.start < hi and b.end > lo]})
    return render(request, "services/venue.html", {
        "v": v, "manage": manage, "form": form, "calendar": calendar,
        "prev": start - timedelta(days=7), "next": start + timedelta(days=7),
    }, status=status)


@login_required
def duty(request):
    """The week's roster per post, the hours no one covers, and the hand-over notes."""
    need(request)
    comms = list(selectors.communities(request.user))
    wanted = request.GET.get("region", "")
    region = next((c for c in comms if str(c.pk) == wanted), comms[0] if comms else None)
    if region is None:
        raise Http404("没有可查看的社区")
    manage = has_perm_at(request.user, P.MANAGE, region.path)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您没有填写交接班记录的权限")
        shift = get_object_or_404(selectors.duty_shifts(request.user, P.MANAGE), pk=request.POST.get("shift") or 0)
        try:
            services.shift_hand_over(actor=request.user, shift=shift, note=request.POST.get("note", ""))
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已交班")
        return redirect(reverse("services:duty") + f"?region={region.pk}&week={request.GET.get('week', '')}")
    start = _week_start(request)
    now = timezone.now()
    days = []
    for i in range(7):
        d = start + timedelta(days=i)
        lo = _aware(d)
        posts = []
        for post, label in DutyPost.choices:
            shifts = list(selectors.duty_shifts(request.user).filter(region=region, post=post,
                                                                    start__lt=lo + timedelta(days=1), end__gt=lo))
            gaps = services.coverage_gaps(region, post, lo)
            posts.append({"post": post, "label": label, "shifts": shifts, "gaps": gaps})
        days.append({"day": d, "weekday": WEEKDAYS[d.weekday()], "posts": posts})
    on_duty = list(selectors.duty_shifts(request.user).filter(region=region, start__lte=now, end__gt=now))
    notes = selectors.duty_shifts(request.user).filter(region=region, handed_over_at__isnull=False) \
        .order_by("-handed_over_at")[:6]
    to_hand_over = selectors.duty_shifts(request.user).filter(region=region, handed_over_at__isnull=True,
                                                              start__lte=now).order_by("-start")[:5] if manage else []
    return render(request, "services/duty.html", {
        "region": region, "communities": comms, "days": days, "on_duty": on_duty, "notes": notes,
        "to_hand_over": to_hand_over, "manage": manage, "prev": start - timedelta(days=7),
        "next": start + timedelta(days=7), "week": start,
    })


@login_required
def shift_new(request):
    need(request, P.MANAGE, what="安排值班")
    form = ShiftForm(request.POST or None, communities=manage_communities(request))
    if request.method == "POST" and form.is_valid():
        try:
            s = services.shift_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已安排值班")
            day = timezone.localtime(s.start).date()
            return redirect(reverse("services:duty") + f"?region={s.region_id}&week={day:%Y-%m-%d}")
    return form_page(request, form, "安排值班", "services:duty")
