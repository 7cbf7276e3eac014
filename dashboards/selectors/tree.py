"""The tree browser's rows: each node's descendants by kind, its leading Party organization, and the
counts the domains keep under it (members, residents, units, open demands), plus a node's coverage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import Substr

from accounts.roles import Perm
from accounts.scope import has_perm_at
from cobuild import selectors as cobuild_selectors
from demands.selectors import open_counts_by_grid
from grid import selectors as grid_selectors
from members.selectors import node_member_counts
from orgs import selectors as org_selectors
from regions.models import Region, RegionKind


@dataclass
class NodeRow:
    region: Region
    sub_counts: list[tuple[str, int]] = field(default_factory=list)
    extra_counts: list[tuple[str, int]] = field(default_factory=list)
    org: object | None = None
    has_children: bool = False
    can_edit: bool = False


_KIND_ORDER = [k.value for k in RegionKind]


def domain_counts(nodes: list[Region]) -> dict[int, list[tuple[str, int]]]:
    """{node id: [(label, number), ...]} from every domain that counts something under a node."""
    open_demands = open_counts_by_grid([n.pk for n in nodes])
    extras: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for counts in (
        node_member_counts(nodes),
        grid_selectors.resident_counter(nodes),
        grid_selectors.unit_party_counter(nodes),
        {k: ("未办结诉求", v) for k, v in open_demands.items()},
        cobuild_selectors.unit_counter(nodes),
    ):
        for node_id, pair in counts.items():
            extras[node_id].append(pair)
    return extras


def node_rows(actor, regions: list[Region]) -> list[NodeRow]:
    """Rows for the tree browser: descendant counts by kind, leading organization, domain counts.

    All siblings share one path length, so one grouped query counts every node's subtree.
    """
    if not regions:
        return []
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    by_len: dict[int, list[Region]] = defaultdict(list)
    for r in regions:
        by_len[len(r.path)].append(r)
    for length, group in by_len.items():
        q = Region.objects.none()
        for r in group:
            q = q | Region.objects.under(r.path, include_self=False)
        rows = (
            q.annotate(root=Substr("path", 1, length)).values("root", "kind").annotate(n=Count("id")).order_by()
        )
        for row in rows:
            counts[row["root"]][row["kind"]] = row["n"]
    orgs = org_selectors.leading_orgs(regions)
    extras = domain_counts(regions)
    labels = dict(RegionKind.choices)
    result = []
    for r in regions:
        c = counts.get(r.path, {})
        result.append(NodeRow(
            region=r,
            sub_counts=[(labels[k], c[k]) for k in _KIND_ORDER if c.get(k)],
            extra_counts=extras.get(r.pk, []),
            org=orgs.get(r.pk),
            has_children=bool(c),
            can_edit=has_perm_at(actor, Perm.TREE_EDIT, r.path),
        ))
    return result


def coverage(region: Region) -> list[org_selectors.CoverageLine]:
    """Party organization coverage under a node: the territorial bodies (orgs), then the firms and
    social organizations in the grids (grid)."""
    return org_selectors.coverage(region) + grid_selectors.unit_coverage(region)
