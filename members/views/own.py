"""我的档案: a Party member's own record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from .. import selectors
from ..models import (
    Category,
    Decision,
    PartyMember,
    RegistrySettings,
)
from .common import _card, _photo_response, _photo_url


def _own_member(request) -> PartyMember | None:
    if not request.user.is_authenticated:
        return None
    return (PartyMember.objects.select_related("org__region", "residence", "unit_org")
            .filter(user=request.user).first())


@login_required
def my_record(request):
    """The signed-in Party member's own record, masked; nothing of anyone else."""
    member = _own_member(request)
    if member is None:
        return render(request, "members/me.html", {"m": None})
    today = timezone.localdate()
    settings_ = RegistrySettings.current()
    deeds = list(member.deeds.filter(date__year=today.year))
    registrations = list(member.dual_registrations.select_related("community"))
    return render(request, "members/me.html", {
        "m": member, "today": today, "settings": settings_, "photo_url": _photo_url(member, "members:my_photo"),
        "events": member.events.all()[:50], "dues": member.dues.all()[:24],
        "standing": selectors.dues_standing(member, today=today, settings_=settings_),
        "deeds": deeds, "deeds_year": len(deeds), "deeds_short": max(0, settings_.deed_quota_min - len(deeds)),
        "quota_applies": member.category == Category.EMPLOYED or any(r.status == Decision.CONFIRMED
                                                                     for r in registrations),
        "registrations": registrations,
        "mobility": member.mobility.select_related("origin_org", "destination_org"),
        "transfers": member.transfers.select_related("from_org", "to_org"),
    })


@login_required
def my_card(request, fmt):
    member = _own_member(request)
    if member is None or fmt not in ("pdf", "docx"):
        raise Http404("您的账号尚未关联党员档案")
    return _card(request, member, fmt, purpose="本人打印党员登记卡")


@login_required
def my_photo(request):
    member = _own_member(request)
    if member is None:
        raise Http404("您的账号尚未关联党员档案")
    return _photo_response(request, member)
