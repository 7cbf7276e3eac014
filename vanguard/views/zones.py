"""Responsibility zones: the community's pages and the member's 我的责任区."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm_at, require_perm, scope_filter
from core import treepaths as tree_paths
from core.forms import add_errors, flash_errors
from grid.models import Household
from members.models import ACTIVE_STATUSES, Decision, PartyMember
from regions.models import Region, RegionKind

from .. import selectors, services
from ..forms import ContactForm, ZoneBuildingForm, ZoneForm, ZoneMembersForm
from ..models import Zone
from ..rules import P
from ..services.common import today
from .common import me_or_404


@login_required
def zones(request):
    require_perm(request.user, P.VIEW)
    qs = selectors.zones(request.user).order_by("community__path", "name")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    day = today()
    return render(request, "vanguard/zones.html", {
        "page": page, "rules": selectors.rules(),
        "short": selectors.zones_short_of_members(selectors.zones(request.user))[:50],
        "no_zone_count": selectors.households_without_zone(request.user).count(),
        "silent": selectors.silent_zone_members(request.user, day)[:50],
        "can_manage": scope_filter(Region.objects.filter(kind=RegionKind.COMMUNITY), request.user,
                                   P.MANAGE).exists(),
    })


@login_required
def zone_new(request):
    require_perm(request.user, P.MANAGE)
    communities = scope_filter(Region.objects.filter(kind=RegionKind.COMMUNITY), request.user, P.MANAGE)
    form = ZoneForm(request.POST or None, communities=communities.order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            zone = services.zone_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已划分责任区：{zone.name}，请加入住户和负责党员")
            return redirect("vanguard:zone", zone.pk)
    return render(request, "vanguard/form.html", {"form": form, "title": "划分党员责任区", "back": "vanguard:zones"})


def _eligible_members(zone: Zone):
    c = zone.community
    within = tree_paths.under("org__region__path", c.path)
    registered = Q(dual_registrations__community=c, dual_registrations__status=Decision.CONFIRMED)
    return (PartyMember.objects.filter(within | registered, status__in=ACTIVE_STATUSES)
            .select_related("org").distinct().order_by("name_pinyin")[:300])


@login_required
def zone_detail(request, pk):
    require_perm(request.user, P.VIEW)
    zone = get_in_scope_or_404(Zone.objects.select_related("community"), request.user, P.VIEW, pk=pk)
    manage = has_perm_at(request.user, P.MANAGE, zone.community.path)
    building_form = members_form = None
    if manage:
        buildings = Region.objects.under(zone.community.path).filter(kind=RegionKind.BUILDING) \
            .select_related("parent").order_by("path")
        building_form = ZoneBuildingForm(request.POST if request.POST.get("action") == "building" else None,
                                         buildings=buildings)
        members_form = ZoneMembersForm(request.POST if request.POST.get("action") == "members" else None,
                                       members=_eligible_members(zone),
                                       initial={"members": list(zone.members.values_list("member_id", flat=True))})
        action = request.POST.get("action") if request.method == "POST" else None
        form = {"building": building_form, "members": members_form}.get(action)
        if form is not None and form.is_valid():
            try:
                if action == "building":
                    n = services.zone_add_households(actor=request.user, zone=zone, **form.cleaned_data)
                    messages.success(request, f"已加入 {n} 户")
                else:
                    services.zone_set_members(actor=request.user, zone=zone, members=list(form.cleaned_data["members"]))
                    messages.success(request, "已更新负责党员")
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("vanguard:zone", zone.pk)
    households = Household.objects.filter(zone_link__zone=zone).select_related("house").order_by("house__address")
    return render(request, "vanguard/zone.html", {
        "zone": zone, "rules": selectors.rules(), "manage": manage, "building_form": building_form,
        "members_form": members_form, "households": Paginator(households, 50).get_page(request.GET.get("page")),
        "members": zone.members.select_related("member__org"),
        "contacts": zone.contacts.select_related("member", "household__house")[:30],
    })


@login_required
@require_POST
def zone_household_remove(request, pk, household_pk):
    require_perm(request.user, P.MANAGE)
    zone = get_in_scope_or_404(Zone.objects.select_related("community"), request.user, P.VIEW, pk=pk)
    household = get_object_or_404(Household, pk=household_pk, zone_link__zone=zone)
    try:
        services.zone_remove_household(actor=request.user, zone=zone, household=household)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("vanguard:zone", zone.pk)


@login_required
def my_zone(request):
    member = me_or_404(request)
    return render(request, "vanguard/my_zone.html", {
        "m": member, "zones": Zone.objects.filter(members__member=member).select_related("community"),
        "households": selectors.my_zone_households(member), "today": today(),
        "contacts": member.zone_contacts.select_related("household__house")[:20],
    })


@login_required
def my_contact(request, household_pk):
    member = me_or_404(request)
    household = get_object_or_404(Household.objects.select_related("house"), pk=household_pk,
                                  zone_link__zone__members__member=member)
    from demands.models import Category

    form = ContactForm(request.POST or None, initial={"on": today()},
                       categories=Category.objects.filter(active=True).order_by("sort_order"))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.zone_contact_log(actor=request.user, member=member, household=household,
                                                **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已登记联系" + ("，问题已转为诉求交社区办理" if contact.demand_id else ""))
            return redirect("vanguard:my_zone")
    return render(request, "vanguard/my_contact.html", {"form": form, "household": household})
