"""Transfers of members between organizations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, require_perm
from core.forms import add_errors, flash_errors
from orgs.models import PartyOrg
from orgs.selectors import leading_org
from regions.models import Region, RegionKind

from .. import selectors, services
from ..forms import (
    BatchTransferForm,
)
from ..models import (
    Category,
    Decision,
    PartyMember,
    Transfer,
    TransferBatch,
)
from ..perms import MembersPerm as P


@login_required
def transfer_index(request):
    require_perm(request.user, P.VIEW, what="查看党员信息")
    status = request.GET.get("status", "pending")
    qs = selectors.transfers(actor=request.user)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [(t, has_perm_at(request.user, P.CONFIRM, t.to_org.region.path)) for t in page.object_list]
    # Batches with pending transfers into organizations the user may confirm: one confirmation per organization.
    batch_rows = []
    pending = (Transfer.objects.filter(status=Decision.PENDING, batch__isnull=False)
               .values("batch_id", "batch__title", "to_org_id", "to_org__name", "to_org__region__path"))
    grouped: dict[tuple, int] = {}
    for p in pending:
        if has_perm_at(request.user, P.CONFIRM, p["to_org__region__path"]):
            key = (p["batch_id"], p["batch__title"], p["to_org_id"], p["to_org__name"])
            grouped[key] = grouped.get(key, 0) + 1
    batch_rows = [(*k, n) for k, n in grouped.items()]
    batch_form = BatchTransferForm(request.POST or None, orgs=selectors.orgs_in_scope(request.user, P.EDIT))
    if request.method == "POST":
        require_perm(request.user, P.EDIT, what="批量转接")
        if batch_form.is_valid():
            from_org = batch_form.cleaned_data["from_org"]
            retirees = list(PartyMember.objects.filter(org=from_org, category=Category.RETIRED,
                                                       status__in=["probationary", "full"]).select_related("residence"))
            moves, skipped = [], []
            for m in retirees:
                community = _community_of(m.residence)
                to_org = leading_org(community) if community else None
                if to_org is None or to_org.pk == from_org.pk:
                    skipped.append(m.name)
                else:
                    moves.append((m, to_org))
            try:
                batch = services.transfer_batch_create(actor=request.user, title=batch_form.cleaned_data["title"],
                                                       from_org=from_org, moves=moves)
            except ValidationError as exc:
                add_errors(batch_form, exc)
            else:
                msg = f"已发起批量转接“{batch.title}”：{len(moves)} 名退休党员，等待各居住地社区确认"
                if skipped:
                    msg += f"；{len(skipped)} 人未登记居住社区，未纳入：{'、'.join(skipped[:10])}"
                messages.success(request, msg)
                return redirect("members:transfers")
    return render(request, "members/transfers.html", {
        "rows": rows, "page": page, "status": status, "statuses": Decision.choices, "batch_rows": batch_rows,
        "batch_form": batch_form, "can_edit": has_perm(request.user, P.EDIT),
    })


def _community_of(region: Region | None) -> Region | None:
    while region is not None and region.kind != RegionKind.COMMUNITY:
        region = region.parent
    return region


@login_required
@require_POST
def transfer_decide(request, pk):
    t = selectors.transfers(actor=request.user).filter(pk=pk).first()
    if t is None:
        raise Http404("不存在或不在您的管辖范围内")
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.transfer_decide(actor=request.user, transfer=t, confirm=confirm,
                                 reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已确认转入" if confirm else "已退回转接申请")
    return redirect("members:transfers")


@login_required
@require_POST
def batch_confirm(request, pk, org_id):
    batch = TransferBatch.objects.filter(pk=pk).first()
    to_org = get_in_scope_or_404(PartyOrg.objects.select_related("region"), request.user, P.CONFIRM, pk=org_id)
    if batch is None:
        raise Http404()
    try:
        n = services.transfer_batch_confirm(actor=request.user, batch=batch, to_org=to_org)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已确认 {n} 名党员转入“{to_org}”")
    return redirect("members:transfers")
