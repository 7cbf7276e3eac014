from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.roles import Perm
from core.forms import flash_errors

from . import selectors, services
from .forms import RegionCreateForm, RegionForm
from .models import ALLOWED_CHILDREN


def _edit_post(request, pk: int, action):
    region = selectors.region_get(request.user, pk)
    try:
        result = action(region)
    except ValidationError as exc:
        flash_errors(request, exc)
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
