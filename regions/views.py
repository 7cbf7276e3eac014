from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.roles import Perm
from accounts.scope import has_perm, has_perm_at
from orgs.selectors import coverage, org_list

from . import selectors, services
from .forms import RegionCreateForm, RegionForm, RegionMoveForm
from .models import ALLOWED_CHILDREN


def _require_view(request):
    if not has_perm(request.user, Perm.TREE_VIEW):
        raise PermissionDenied("您没有查看组织架构的权限")


@login_required
def tree(request):
    _require_view(request)
    rows = selectors.node_rows(request.user, selectors.region_roots(request.user))
    return render(request, "regions/tree.html", {"rows": rows})


@login_required
def children(request, pk: int):
    _require_view(request)
    region = selectors.region_get(request.user, pk)
    rows = selectors.node_rows(request.user, selectors.children_of(request.user, region))
    return render(request, "regions/_nodes.html", {"rows": rows, "parent": region})


@login_required
def detail(request, pk: int):
    _require_view(request)
    region = selectors.region_get(request.user, pk)
    can_edit = has_perm_at(request.user, Perm.TREE_EDIT, region.path)
    child_rows = selectors.node_rows(request.user, selectors.children_of(request.user, region))
    allowed = ALLOWED_CHILDREN.get(region.kind, set())
    ctx = {
        "region": region,
        "row": selectors.node_rows(request.user, [region])[0],
        "child_rows": child_rows,
        "crumbs": selectors.breadcrumbs(request.user, region),
        "orgs": org_list(actor=request.user, region=region).filter(region=region),
        "coverage": coverage(region),
        "can_edit": can_edit,
        "edit_form": RegionForm(initial={
            "name": region.name, "division_code": region.division_code, "town": region.town,
            "sort_order": region.sort_order,
        }),
        "create_form": RegionCreateForm(allowed_kinds=allowed) if allowed else None,
        "move_form": RegionMoveForm(targets=selectors.move_targets(request.user, region)),
    }
    return render(request, "regions/detail.html", ctx)


def _edit_post(request, pk: int, action):
    region = selectors.region_get(request.user, pk)
    try:
        result = action(region)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("regions:detail", pk=region.pk)
    return result


@login_required
@require_POST
def create_child(request, pk: int):
    def act(parent):
        form = RegionCreateForm(request.POST, allowed_kinds=ALLOWED_CHILDREN.get(parent.kind, set()))
        if not form.is_valid():
            errors = [
                f"{form.fields[f].label if f in form.fields else ''}：{e}" for f, es in form.errors.items() for e in es
            ]
            raise ValidationError(errors)
        d = form.cleaned_data
        child = services.region_create(
            actor=request.user, parent=parent, name=d["name"], kind=d["kind"], division_code=d["division_code"],
            town=d["town"], sort_order=d["sort_order"] or 0,
        )
        messages.success(request, f"已新建“{child}”")
        return redirect("regions:detail", pk=parent.pk)

    return _edit_post(request, pk, act)


@login_required
@require_POST
def edit(request, pk: int):
    def act(region):
        form = RegionForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for es in form.errors.values() for e in es])
        d = form.cleaned_data
        services.region_update(actor=request.user, region=region, name=d["name"], division_code=d["division_code"],
                               town=d["town"], sort_order=d["sort_order"] or 0)
        messages.success(request, "已保存")
        return redirect("regions:detail", pk=region.pk)

    return _edit_post(request, pk, act)


@login_required
@require_POST
def move(request, pk: int):
    def act(region):
        target = selectors.region_get(request.user, request.POST.get("new_parent") or 0, Perm.TREE_EDIT)
        services.region_move(actor=request.user, region=region, new_parent=target)
        messages.success(request, f"已将“{region}”移到“{target}”下")
        return redirect("regions:detail", pk=region.pk)

    return _edit_post(request, pk, act)


@login_required
@require_POST
def delete(request, pk: int):
    def act(region):
        parent_id = region.parent_id
        services.region_delete(actor=request.user, region=region)
        messages.success(request, f"已删除“{region}”")
        return redirect("regions:detail", pk=parent_id) if parent_id else redirect("regions:tree")

    return _edit_post(request, pk, act)
