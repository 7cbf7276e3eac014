"""Reads of the territory tree that depend on who asks (all through the data scope)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from accounts.roles import Perm
from accounts.scope import get_in_scope_or_404, has_perm_at, scope_filter, scope_paths

from . import paths
from .models import Region, RegionKind

# Later apps register per-node counters here: fn(list of nodes) -> {node id: (label, number)}.
NodeCounter = Callable[[list[Region]], dict[int, tuple[str, int]]]
NODE_COUNTERS: list[NodeCounter] = []


def visible_regions(actor, perm: str = Perm.TREE_VIEW) -> QuerySet[Region]:
    return scope_filter(Region.objects.all(), actor, perm)


def region_get(actor, pk: int, perm: str = Perm.TREE_VIEW) -> Region:
    return get_in_scope_or_404(Region.objects.select_related("parent"), actor, perm, pk=pk)


def region_roots(actor) -> list[Region]:
    """The top nodes the user may browse: their scope roots (every root for a superuser)."""
    roots = scope_paths(actor, Perm.TREE_VIEW)
    if roots is None:
        return list(Region.objects.filter(parent__isnull=True))
    return list(Region.objects.filter(path__in=roots))


@dataclass
class NodeRow:
    region: Region
    sub_counts: list[tuple[str, int]] = field(default_factory=list)
    extra_counts: list[tuple[str, int]] = field(default_factory=list)
    org: object | None = None
    has_children: bool = False
    can_edit: bool = False


_KIND_ORDER = [k.value for k in RegionKind]


def node_rows(actor, regions: list[Region]) -> list[NodeRow]:
    """Rows for the tree browser: descendant counts by kind, leading organization, extra counters.

    All siblings share one path length, so one grouped query counts every node's subtree.
    """
    from orgs.selectors import leading_orgs  # orgs sits beside regions on the same layer

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
    orgs = leading_orgs(regions)
    extras: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for counter in NODE_COUNTERS:
        for node_id, pair in counter(regions).items():
            extras[node_id].append(pair)
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


def children_of(actor, region: Region) -> list[Region]:
    """Children of a node the user may see (the node itself was already checked)."""
    return list(visible_regions(actor).filter(parent=region).order_by("sort_order", "name"))


def breadcrumbs(actor, region: Region) -> list[tuple[Region, bool]]:
    """Ancestors root first, each with whether the user may open it."""
    return [(a, has_perm_at(actor, Perm.TREE_VIEW, a.path)) for a in region.ancestors()]


def move_targets(actor, region: Region) -> QuerySet[Region]:
    """Nodes the subtree may be moved under: editable, of the right kind, not inside itself."""
    from .models import ALLOWED_CHILDREN

    kinds = [k for k, allowed in ALLOWED_CHILDREN.items() if k and region.kind in allowed]
    return (
        visible_regions(actor, Perm.TREE_EDIT)
        .filter(kind__in=kinds)
        .exclude(path__gte=region.path, path__lt=paths.upper_bound(region.path))
        .exclude(pk=region.parent_id)
    )
