from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from accounts.roles import Perm
from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, require_perm, scope_filter
from core.forms import add_errors, flash_errors
from regions.selectors import visible_regions

from . import services
from .forms import OrgCreateForm, OrgEditForm
from .models import OrgLevel, PartyOrg
from .selectors import org_list


def _parents(user):
    return scope_filter(PartyOrg.objects.all(), user, Perm.TREE_VIEW)


@login_required
def org_index(request):
    require_perm(request.user, Perm.TREE_VIEW, what="查看党组织")
    level = request.GET.get("level", "")
    q = request.GET.get("q", "").strip()
    qs = org_list(actor=request.user, level=level or None)
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    can_create = has_perm(request.user, Perm.TREE_EDIT)
    form = None
    if can_create:
        form = OrgCreateForm(
            request.POST or None, regions=visible_regions(request.user, Perm.TREE_EDIT),
            parents=_parents(request.user),
        )
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                org = services.org_create(actor=request.user, **d)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已新建党组织“{org}”")
                return redirect("orgs:detail", pk=org.pk)
    elif request.method == "POST":
        raise PermissionDenied("您没有新建党组织的权限")
    return render(request, "orgs/list.html", {
        "page": page, "level": level, "q": q, "levels": OrgLevel.choices, "form": form,
    })


@login_required
def org_detail(request, pk: int, *, template: str = "orgs/detail.html", extra: dict | None = None):
    """The organization's facts and its editing. The page served at this address is the top floor's
    (`dashboards.views.orgs.org_detail`, which adds the record of awards and criticisms through
    `template` and `extra`); orgs reads no app above it."""
    require_perm(request.user, Perm.TREE_VIEW, what="查看党组织")
    org = get_in_scope_or_404(PartyOrg.objects.select_related("region", "parent"), request.user, Perm.TREE_VIEW, pk=pk)
    can_edit = has_perm_at(request.user, Perm.TREE_EDIT, org.region.path)
    # The current parent stays a choice even above the editor's scope (a community secretary keeps
    # the street's organization as the parent they may not change to another one out of scope).
    parents = (_parents(request.user) | PartyOrg.objects.filter(pk=org.parent_id)).exclude(pk=org.pk).distinct()
    form = OrgEditForm(
        request.POST or None, parents=parents,
        initial={"name": org.name, "form": org.form, "parent": org.parent_id, "host_name": org.host_name,
                 "secretary_name": org.secretary_name, "established_on": org.established_on},
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您没有修改此党组织的权限")
        if request.POST.get("action") == "delete":
            try:
                services.org_delete(actor=request.user, org=org)
            except ValidationError as exc:
                flash_errors(request, exc)
                return redirect("orgs:detail", pk=org.pk)
            messages.success(request, f"已删除党组织“{org}”")
            return redirect("orgs:list")
        if form.is_valid():
            try:
                services.org_update(actor=request.user, org=org, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect("orgs:detail", pk=org.pk)
    children = scope_filter(org.children.select_related("region"), request.user, Perm.TREE_VIEW)
    return render(request, template, {"org": org, "form": form, "can_edit": can_edit, "children": children,
                                      **(extra or {})})
