"""我的档案: a Party member's own record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import treepaths as paths
from core.forms import flash_errors
from regions.models import Region, RegionKind

from .. import selectors, services
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
    open_this_year = [r for r in registrations if r.status != Decision.RETURNED
                      and timezone.localtime(r.requested_at).year == today.year]
    return render(request, "members/me.html", {
        "m": member, "today": today, "settings": settings_, "photo_url": _photo_url(member, "members:my_photo"),
        "events": member.events.all()[:50], "dues": member.dues.all()[:24],
        "standing": selectors.dues_standing(member, today=today, settings_=settings_),
        "deeds": deeds, "deeds_year": len(deeds), "deeds_short": max(0, settings_.deed_quota_min - len(deeds)),
        "quota_applies": member.category == Category.EMPLOYED or any(r.status == Decision.CONFIRMED
                                                                     for r in registrations),
        "registrations": registrations,
        "can_register": member.category == Category.EMPLOYED and not open_this_year,
        "communities": _communities() if member.category == Category.EMPLOYED and not open_this_year else [],
        "home_community": _home_community(member),
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


def _communities() -> list[Region]:
    return list(Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path")[:500])


def _home_community(member: PartyMember) -> int | None:
    """The community the member lives in (their residence, or the community above it)."""
    where = member.residence
    if where is None:
        return None
    if where.kind == RegionKind.COMMUNITY:
        return where.pk
    return Region.objects.filter(id__in=paths.ancestor_ids(where.path), kind=RegionKind.COMMUNITY).values_list(
        "pk", flat=True).first()


@login_required
@require_POST
def my_register(request):
    """报到: the member registers with the community where they live (confirmed by its secretary)."""
    if _own_member(request) is None:
        raise Http404("您的账号尚未关联党员档案")
    raw = request.POST.get("community", "")
    community = Region.objects.filter(pk=int(raw), kind=RegionKind.COMMUNITY).first() if raw.isdigit() else None
    try:
        reg = services.dual_registration_self(actor=request.user, community=community,
                                              note=request.POST.get("note", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已向{reg.community}报到，等待社区党组织确认")
    return redirect("members:me")
