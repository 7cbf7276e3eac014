"""Reads of the territory tree that depend on who asks (all through the data scope)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.roles import Perm
from accounts.scope import get_in_scope_or_404, has_perm_at, scope_filter, scope_paths
from core import treepaths as paths

from .models import Region


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
        .exclude(paths.under("path", region.path))
        .exclude(pk=region.parent_id)
    )
