"""One search box (全局搜索) over residents, Party members, households, demands, units and meetings,
each through its own domain's scope: a name, pinyin initials or full pinyin (people), an address, a
tracking code, or a whole phone or ID number (found by its keyed hash, never by its digits).

Containment (`contains`, i.e. LIKE '%…%') is answered on PostgreSQL by the trigram indexes of
dashboards/migrations/0002 (pg_trgm, GIN); SQLite scans (the embedded database is small)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from accounts.scope import has_perm
from core.crypto import blind_index
from core.phone import normalize_mobile

PER_GROUP = 10
MAX_QUERY = 50
_ID_RE = re.compile(r"^[0-9]{17}[0-9Xx]$")
_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_CODE_RE = re.compile(r"^[A-Za-z0-9]{12}$")
_ASCII_RE = re.compile(r"^[A-Za-z]+$")


@dataclass
class Hit:
    title: str
    detail: str
    url: str


@dataclass
class Group:
    key: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more_url: str = ""


def kind_of(q: str) -> str:
    compact = q.replace(" ", "")
    if _ID_RE.match(compact):
        return "id_number"
    if _MOBILE_RE.match(normalize_mobile(compact) or ""):
        return "mobile"
    if _CODE_RE.match(compact) and any(c.isdigit() for c in compact):
        return "code"
    if _ASCII_RE.match(compact):
        return "pinyin"
    return "text"


def _residents(actor, q: str, kind: str) -> Group | None:
    from grid.apps import GridPerm
    from grid.selectors import resident_search

    if not has_perm(actor, GridPerm.VIEW) or kind == "code":
        return None
    g = Group("residents", "居民", more_url=reverse("grid:residents") + f"?q={q}")
    for r in resident_search(actor, q=q).select_related("grid")[:PER_GROUP]:
        g.hits.append(Hit(r.name, r.grid.name,
                          reverse("grid:resident", args=[r.pk])))
    return g


def _members(actor, q: str, kind: str) -> Group | None:
    from members.perms import MembersPerm
    from members.selectors import member_list

    if not has_perm(actor, MembersPerm.VIEW) or kind in ("code", "mobile"):
        return None
    g = Group("members", "党员", more_url=reverse("members:list") + f"?q={q}")
    for m in member_list(actor=actor, q=q, status="")[:PER_GROUP]:
        g.hits.append(Hit(m.name, m.org.name if m.org_id else "", reverse("members:detail", args=[m.pk])))
    return g


def _households(actor, q: str, kind: str) -> Group | None:
    from grid.apps import GridPerm
    from grid.selectors import households_in_scope

    if not has_perm(actor, GridPerm.VIEW) or kind != "text":
        return None
    g = Group("households", "住户")
    qs = households_in_scope(actor).filter(Q(head_name__contains=q) | Q(house__address__contains=q))
    for h in qs.order_by("grid_id", "id")[:PER_GROUP]:
        g.hits.append(Hit(f"{h.house.address}", f"户主 {h.head_name} · {h.grid.name}",
                          reverse("grid:household", args=[h.pk])))
    return g


def _demands(actor, q: str, kind: str) -> Group | None:
    from demands.rules import DemandPerm
    from demands.selectors import visible_demands

    if not has_perm(actor, DemandPerm.VIEW) or kind == "id_number":
        return None
    if kind == "pinyin":
        # Twelve letters may be a 编号 without digits (they happen) as well as a name's pinyin.
        if not _CODE_RE.match(q.replace(" ", "")):
            return None
        kind, q = "code", q.replace(" ", "")
    qs = visible_demands(actor)
    if kind == "code":
        qs = qs.filter(tracking_code=q.upper())
    elif kind == "mobile":
        qs = qs.filter(caller_phone_hash=blind_index(normalize_mobile(q.replace(" ", "")), purpose="mobile"))
    else:
        qs = qs.filter(Q(title__contains=q) | Q(address__contains=q))
    g = Group("demands", "诉求", more_url=reverse("demands:list") + f"?q={q}" if kind in ("text", "code") else "")
    for d in qs.order_by("-submitted_at", "-id")[:PER_GROUP]:
        g.hits.append(Hit(d.title, f"{d.tracking_code} · {d.get_state_display()} · {d.region.name}",
                          reverse("demands:detail", args=[d.pk])))
    return g


def _units(actor, q: str, kind: str) -> Group | None:
    from cobuild import selectors as cobuild_selectors
    from cobuild.rules import P as CobuildPerm
    from grid.apps import GridPerm
    from grid.selectors import unit_list

    if kind != "text":
        return None
    g = Group("units", "单位")
    if has_perm(actor, CobuildPerm.VIEW):
        for u in cobuild_selectors.units(actor).filter(name__contains=q).order_by("name", "id")[:PER_GROUP]:
            g.hits.append(Hit(u.name, f"驻区单位 · {u.region.name}", reverse("cobuild:unit", args=[u.pk])))
    if has_perm(actor, GridPerm.VIEW):
        for u in unit_list(actor).filter(Q(name__contains=q) | Q(address__contains=q))[:PER_GROUP - len(g.hits)]:
            g.hits.append(Hit(u.name, f"网格内单位 · {u.grid.name}", reverse("grid:units") + f"?q={u.name}"))
    return g if (has_perm(actor, CobuildPerm.VIEW) or has_perm(actor, GridPerm.VIEW)) else None


def _meetings(actor, q: str, kind: str) -> Group | None:
    from meetings import selectors as meeting_selectors
    from meetings.rules import P as MeetingPerm

    if not has_perm(actor, MeetingPerm.VIEW) or kind != "text":
        return None
    g = Group("meetings", "会议")
    qs = meeting_selectors.meetings(actor).filter(Q(title__contains=q) | Q(body__name__contains=q))
    for m in qs.order_by("-date", "-id")[:PER_GROUP]:
        when = f"{m.date.year}年{m.date.month}月{m.date.day}日"
        g.hits.append(Hit(m.title, f"{when} · {m.body.name}", reverse("meetings:meeting", args=[m.pk])))
    return g


SEARCH_PERMS = ("grid.view", "members.view", "demands.view", "cobuild.view", "meetings.view")


def can_search(user) -> bool:
    return bool(user.is_authenticated) and any(has_perm(user, p) for p in SEARCH_PERMS)


def search(actor, q: str) -> list[Group]:
    """Groups the actor may see, each with up to PER_GROUP hits; groups with hits first."""
    q = q.strip()[:MAX_QUERY]
    if not q:
        return []
    kind = kind_of(q)
    groups = []
    for fn in (_residents, _members, _households, _demands, _units, _meetings):
        g = fn(actor, q, kind)
        if g is not None:
            groups.append(g)
    return sorted(groups, key=lambda g: not g.hits)  # groups with hits first
