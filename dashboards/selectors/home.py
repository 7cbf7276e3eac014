"""The home page's cards: (label, value, url or None), each group read through its domain's selectors."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from accounts.roles import Perm
from accounts.scope import has_perm
from cobuild import selectors as cobuild_selectors
from cobuild.rules import P as CobuildPerm
from demands import selectors as demand_selectors
from demands.models import OPEN_STATES
from demands.rules import DemandPerm
from meetings import selectors as meeting_selectors
from members import selectors as member_selectors
from members.perms import MembersPerm
from notifications.selectors import unread_count
from orgs.selectors import org_list
from regions.models import RegionKind
from regions.selectors import visible_regions

Card = tuple[str, object, str | None]


def home_cards(actor) -> list[Card]:
    """The summary under the workbench: counts that each lead to a list (the counts of the territory
    itself, which lead nowhere, are on the tree browser, not on a working page)."""
    return [
        *notification_cards(actor),
        *member_cards(actor),
        *my_record_cards(actor),
        *demand_cards(actor),
        *cobuild_cards(actor),
        *unit_meeting_cards(actor),
    ]


def tree_cards(actor) -> list[Card]:
    """Streets, communities and grids in the scope, and the Party organizations over them."""
    if not has_perm(actor, Perm.TREE_VIEW):
        return []
    counts = dict.fromkeys([RegionKind.STREET, RegionKind.COMMUNITY, RegionKind.GRID], 0)
    for row in visible_regions(actor).filter(kind__in=list(counts)).values("kind").annotate(n=Count("id")):
        counts[row["kind"]] = row["n"]
    return [
        ("街道（镇）", counts[RegionKind.STREET], None),
        ("社区", counts[RegionKind.COMMUNITY], None),
        ("网格", counts[RegionKind.GRID], None),
        ("党组织", org_list(actor=actor).count(), None),
    ]


def notification_cards(actor) -> list[Card]:
    return [("未读消息", unread_count(actor), reverse("notifications:list"))]


def member_cards(actor) -> list[Card]:
    if not has_perm(actor, MembersPerm.VIEW):
        return []
    pending = member_selectors.pending_counts(actor)
    return [
        # “辖区党员”: the register of the account's scope, next to 我的党员档案 for staff who are members too.
        ("辖区党员", member_selectors.member_list(actor=actor).count(), reverse("members:list")),
        ("待确认双报到", pending["dual"], reverse("members:dual") + "?status=pending"),
    ]


def my_record_cards(actor) -> list[Card]:
    """For any account linked to a member record (whatever its roles)."""
    name = member_selectors.own_record_name(actor)
    return [("我的党员档案", name, reverse("members:me"))] if name else []


def demand_cards(actor) -> list[Card]:
    if not has_perm(actor, DemandPerm.VIEW):
        return []
    open_demands = demand_selectors.visible_demands(actor).filter(state__in=OPEN_STATES)
    return [
        ("未办结诉求", open_demands.count(), reverse("demands:list") + "?state=open"),
        ("我的待办诉求", demand_selectors.handler_queue(actor).count(), reverse("demands:queue")),
    ]


def cobuild_cards(actor) -> list[Card]:
    if not has_perm(actor, CobuildPerm.VIEW):
        return []
    return [
        ("驻区单位", cobuild_selectors.units(actor).count(), reverse("cobuild:index")),
        ("驻区单位结对（单位×社区）", cobuild_selectors.unit_link_count(actor), reverse("cobuild:agreements")),
        ("待对接需求", cobuild_selectors.unmatched_needs(actor).count(), reverse("cobuild:matching")),
    ]


def unit_meeting_cards(actor) -> list[Card]:
    """A unit liaison's card: the date of their unit's next meeting."""
    if not meeting_selectors.is_unit_liaison(actor):
        return []
    nxt = meeting_selectors.liaison_next_meeting(actor)
    return [("我单位下次会议", f"{nxt.date:%m-%d}" if nxt else "暂无", reverse("meetings:unit_meetings"))]
