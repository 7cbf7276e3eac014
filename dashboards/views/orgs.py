"""The organization's page (/orgs/<pk>/, `orgs:detail`): its facts and editing come from orgs, its
record of awards and criticisms (campaign awards, 通报批评) from assessment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required

from accounts.roles import Perm
from accounts.scope import get_in_scope_or_404, has_perm_at, require_perm
from assessment.campaigns import org_record
from assessment.rules import P as AP
from orgs import views as org_views
from orgs.models import PartyOrg


@login_required
def org_detail(request, pk: int):
    require_perm(request.user, Perm.TREE_VIEW, what="查看党组织")
    org = get_in_scope_or_404(PartyOrg.objects.select_related("region"), request.user, Perm.TREE_VIEW, pk=pk)
    record = list(org_record(org)[:50])
    awards = sum(1 for h in record if h.kind == "award")
    return org_views.org_detail(request, pk, template="dashboards/org_detail.html", extra={
        "record": record, "record_awards": awards, "record_criticisms": len(record) - awards,
        "record_can_add": has_perm_at(request.user, AP.DIRECT, org.region.path),
    })
