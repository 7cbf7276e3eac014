"""党员责任区: a community draws zones over its households (from the grid registry), puts 2-3 members
in charge (rule as data); members log contacts, and a problem becomes a demand in one step."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import record
from core import treepaths as tree_paths
from demands import services as demand_services
from demands.models import Category as DemandCategory
from demands.models import Channel
from grid.models import Household, HouseholdStatus
from members.models import ACTIVE_STATUSES, PartyMember
from regions.models import Region, RegionKind

from .. import selectors
from ..models import Zone, ZoneContact, ZoneHousehold, ZoneMember
from ..rules import P
from .common import require_at, require_own, text, today

MAX_HOUSEHOLDS_PER_CALL = 5000


@transaction.atomic
def zone_create(*, actor, community: Region, name: str, description: str = "") -> Zone:
    if community.kind != RegionKind.COMMUNITY:
        raise ValidationError({"community": "责任区应划在社区内"})
    require_at(actor, P.MANAGE, community.path, f"在“{community}”划分责任区")
    name = text(name, "name", "责任区名称", max_len=60)
    if Zone.objects.filter(community=community, name=name).exists():
        raise ValidationError({"name": f"本社区已有名为“{name}”的责任区"})
    zone = Zone.objects.create(community=community, name=name, created_by=actor,
                               description=text(description, "description", "范围说明", max_len=200, required=False))
    record(actor=actor, action=AuditAction.CREATE, obj=zone, changes={"name": [None, name]})
    return zone


def _lock_zone(zone: Zone) -> Zone:
    return Zone.objects.select_for_update().select_related("community").get(pk=zone.pk)


@transaction.atomic
def zone_add_households(*, actor, zone: Zone, households=None, building: Region | None = None,
                        entrance: str = "") -> int:
    """Add households by list, or every active household of a building (optionally one staircase, 单元).
    A household lies in one zone at most; all or nothing."""
    zone = _lock_zone(zone)
    require_at(actor, P.MANAGE, zone.community.path, f"调整“{zone}”")
    if building is not None:
        if building.kind != RegionKind.BUILDING or not tree_paths.is_under(building.path, zone.community.path):
            raise ValidationError({"building": "请选择本社区的楼栋"})
        qs = Household.objects.filter(house__building=building, status=HouseholdStatus.ACTIVE)
        if entrance:
            qs = qs.filter(house__unit=entrance)
        chosen = list(qs.select_related("house", "grid"))
    else:
        ids = [int(h.pk if hasattr(h, "pk") else h) for h in (households or [])]
        chosen = list(Household.objects.filter(pk__in=ids).select_related("house", "grid"))
        if len(chosen) != len(set(ids)):
            raise ValidationError({"households": "有住户不存在"})
    if not chosen:
        raise ValidationError({"households": "没有可加入的住户"})
    if len(chosen) > MAX_HOUSEHOLDS_PER_CALL:
        raise ValidationError({"households": f"一次最多加入 {MAX_HOUSEHOLDS_PER_CALL} 户"})
    outside = [h for h in chosen if not tree_paths.is_under(h.grid.path, zone.community.path)]
    if outside:
        raise ValidationError({"households": f"住户“{outside[0].house.address}”不在{zone.community}"})
    taken = {zh.household_id: zh.zone for zh in ZoneHousehold.objects.filter(
        household__in=chosen).exclude(zone=zone).select_related("zone")}
    if taken:
        h = next(h for h in chosen if h.pk in taken)
        raise ValidationError({"households": f"住户“{h.house.address}”已在责任区“{taken[h.pk]}”，"
                                             "一户只能属于一个责任区"})
    have = set(zone.households.values_list("household_id", flat=True))
    new = [ZoneHousehold(zone=zone, household=h) for h in chosen if h.pk not in have]
    ZoneHousehold.objects.bulk_create(new)
    record(actor=actor, action=AuditAction.UPDATE, obj=zone, changes={"households": [len(have), len(have) + len(new)]})
    return len(new)


@transaction.atomic
def zone_remove_household(*, actor, zone: Zone, household: Household) -> None:
    zone = _lock_zone(zone)
    require_at(actor, P.MANAGE, zone.community.path, f"调整“{zone}”")
    n, _ = ZoneHousehold.objects.filter(zone=zone, household=household).delete()
    if n:
        record(actor=actor, action=AuditAction.UPDATE, obj=zone, changes={"household_removed": [household.pk, None]})


@transaction.atomic
def zone_set_members(*, actor, zone: Zone, members: list[PartyMember]) -> Zone:
    """Put 2-3 members (VanguardRules) in charge; members who may serve in the zone's community only."""
    zone = _lock_zone(zone)
    require_at(actor, P.MANAGE, zone.community.path, f"调整“{zone}”的负责党员")
    rules = selectors.rules()
    chosen = {m.pk: m for m in members}
    if not rules.zone_min_members <= len(chosen) <= rules.zone_max_members:
        raise ValidationError({"members": f"每个责任区应由 {rules.zone_min_members} 至 {rules.zone_max_members} "
                                          f"名党员负责，现选择了 {len(chosen)} 名"})
    for m in PartyMember.objects.filter(pk__in=chosen).select_related("org__region", "residence"):
        if m.status not in ACTIVE_STATUSES:
            raise ValidationError({"members": f"{m.name}不是在册党员"})
        if not any(c.pk == zone.community_id for c in selectors.member_communities(m)):
            raise ValidationError({"members": f"{m.name}不在本社区，也未向本社区报到"})
    before = sorted(zone.members.values_list("member_id", flat=True))
    zone.members.exclude(member_id__in=chosen).delete()
    keep = set(zone.members.values_list("member_id", flat=True))
    ZoneMember.objects.bulk_create([ZoneMember(zone=zone, member_id=pk, since=today()) for pk in chosen
                                    if pk not in keep])
    record(actor=actor, action=AuditAction.UPDATE, obj=zone, changes={"members": [before, sorted(chosen)]})
    return zone


@transaction.atomic
def zone_contact_log(*, actor, member: PartyMember, household: Household, on: date, note: str,
                     problem: str = "", to_demand: bool = False, demand_category=None) -> ZoneContact:
    """A member's contact with a household of their zone. With `to_demand` the problem becomes a demand
    of the household's grid at once (channel 党员责任区上报), linked both ways."""
    require_own(actor, member, "登记责任区联系")
    link = ZoneHousehold.objects.select_related("zone__community").filter(household=household).first()
    if link is None or not ZoneMember.objects.filter(zone=link.zone, member=member).exists():
        raise ValidationError({"household": "只能登记您负责的责任区内的住户"})
    if not isinstance(on, date):
        raise ValidationError({"on": "请填写联系日期"})
    if on > today():
        raise ValidationError({"on": "联系日期不能晚于今天"})
    if on < today() - timedelta(days=90):
        raise ValidationError({"on": "只能补登 90 天内的联系"})
    note = text(note, "note", "联系情况", max_len=300)
    problem = text(problem, "problem", "发现的问题", max_len=300, required=to_demand)
    contact = ZoneContact.objects.create(zone=link.zone, household=household, member=member, on=on, note=note,
                                         problem=problem)
    if to_demand:
        category = demand_category or DemandCategory.objects.filter(active=True).order_by("id").first()
        demand = demand_services.demand_create(
            actor=actor, channel=Channel.ZONE, category=category, region=household.grid,
            title=problem[:100], description=f"{problem}\n（党员{member.name}在责任区“{link.zone}”联系住户时发现）",
            address=household.house.address, household_id=household.pk, caller_name=member.name,
        )
        contact.demand_id = demand.pk
        contact.save(update_fields=["demand_id"])
    record(actor=actor, action=AuditAction.CREATE, obj=contact,
           changes={"household": [None, household.pk], "demand": [None, contact.demand_id]})
    return contact
