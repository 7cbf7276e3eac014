"""The breadcrumb trail of the grid pages: built here, shown by grid/_crumbs.html (through grid/base.html).

A page passes the object it sits under (or, for a form, the object it edits) and gets the path from the grid
list down to it: 网格列表 › community › grid › compound › building › house › household › resident, then any
`tail` (a list page of the grid, such as 设施). Only nodes from the community down are listed (the pages are
about one grid); a node the viewer may not open (a grid worker's community) is named without a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from accounts.scope import has_perm_at
from regions.models import Region, RegionKind

from .apps import GridPerm
from .models import House, Household, Resident

ROOT = "网格列表"
# Tree nodes named in a trail (a street or district only when it is the object itself, e.g. a list's filter).
_SHOWN = (RegionKind.COMMUNITY, RegionKind.GRID, RegionKind.COMPOUND, RegionKind.BUILDING)


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None = None   # None: named, not linked


def list_url(name: str, region: Region | None = None) -> str:
    """A list page's URL, filtered to `region` when given."""
    return reverse(name) + (f"?{urlencode({'region': region.pk})}" if region is not None else "")


def house_label(house: House) -> str:
    return f"{house.unit and house.unit + '单元'}{house.number}"


def _region_crumb(user, node: Region) -> Crumb:
    if node.kind == RegionKind.COMPOUND:
        return Crumb(node.name)     # a compound has no page of its own
    if not has_perm_at(user, GridPerm.VIEW, node.path):
        return Crumb(node.name)
    if node.kind == RegionKind.GRID:
        return Crumb(node.name, reverse("grid:detail", args=[node.pk]))
    if node.kind == RegionKind.BUILDING:
        return Crumb(node.name, reverse("grid:building", args=[node.pk]))
    return Crumb(node.name, list_url("grid:list", node))


def _region_chain(user, region: Region) -> list[Crumb]:
    nodes = [a for a in region.ancestors() if a.kind in _SHOWN] + [region]
    return [_region_crumb(user, n) for n in nodes]


def _chain(user, obj) -> list[Crumb]:
    if obj is None:
        return []
    if isinstance(obj, Region):
        return _region_chain(user, obj)
    if isinstance(obj, House):
        return [*_chain(user, obj.building), Crumb(house_label(obj), reverse("grid:house", args=[obj.pk]))]
    if isinstance(obj, Household):
        return [*_chain(user, obj.house), Crumb(f"户主 {obj.head_name}", reverse("grid:household", args=[obj.pk]))]
    if isinstance(obj, Resident):
        return [*_chain(user, obj.household), Crumb(obj.name, reverse("grid:resident", args=[obj.pk]))]
    raise TypeError(f"no breadcrumb for {type(obj).__name__}")


def trail(user, obj=None, *, tail=()) -> list[Crumb]:
    """网格列表 › … › `obj` (a tree node, house, household or resident; included) › `tail`."""
    return [Crumb(ROOT, reverse("grid:list")), *_chain(user, obj), *tail]
