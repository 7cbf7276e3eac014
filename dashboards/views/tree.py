"""The tree browser (/regions/): nodes with their organizations, coverage and every domain's counts.
The node's edit actions (create, edit, move, delete) stay in regions.views."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.roles import Perm
from accounts.scope import has_perm_at, require_perm
from orgs.selectors import org_list
from regions import selectors as region_selectors
from regions.forms import RegionCreateForm, RegionForm, RegionMoveForm
from regions.models import ALLOWED_CHILDREN

from ..selectors.tree import coverage, node_rows


@login_required
def tree(request):
    require_perm(request.user, Perm.TREE_VIEW, what="查看组织架构")
    rows = node_rows(request.user, region_selectors.region_roots(request.user))
    return render(request, "dashboards/tree.html", {"rows": rows})


@login_required
def children(request, pk: int):
    require_perm(request.user, Perm.TREE_VIEW, what="查看组织架构")
    region = region_selectors.region_get(request.user, pk)
    rows = node_rows(request.user, region_selectors.children_of(request.user, region))
    return render(request, "dashboards/_nodes.html", {"rows": rows, "parent": region})


@login_required
def detail(request, pk: int):
    require_perm(request.user, Perm.TREE_VIEW, what="查看组织架构")
    region = region_selectors.region_get(request.user, pk)
    allowed = ALLOWED_CHILDREN.get(region.kind, set())
    ctx = {
        "region": region,
        "row": node_rows(request.user, [region])[0],
        "child_rows": node_rows(request.user, region_selectors.children_of(request.user, region)),
        "crumbs": region_selectors.breadcrumbs(request.user, region),
        "orgs": org_list(actor=request.user, region=region).filter(region=region),
        "coverage": coverage(region),
        "can_edit": has_perm_at(request.user, Perm.TREE_EDIT, region.path),
        "edit_form": RegionForm(initial={
            "name": region.name, "division_code": region.division_code, "town": region.town,
            "sort_order": region.sort_order,
        }),
        "create_form": RegionCreateForm(allowed_kinds=allowed) if allowed else None,
        "move_form": RegionMoveForm(targets=region_selectors.move_targets(request.user, region)),
    }
    return render(request, "dashboards/node.html", ctx)
