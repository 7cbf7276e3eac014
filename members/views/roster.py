"""The roster (花名册) and the organization activity card."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from accounts.scope import get_in_scope_or_404, has_perm, require_perm
from audit.downloads import audited_download
from bulkimport import XLSX_CONTENT_TYPE
from orgs.models import PartyOrg

from .. import documents, selectors
from ..perms import MembersPerm as P
from .common import DOCX_CONTENT_TYPE


def _roster_org(request, perm):
    orgs = selectors.orgs_in_scope(request.user, perm)
    org_id = request.GET.get("org")
    org = None
    if org_id and org_id.isdigit():
        org = orgs.filter(pk=int(org_id)).first()
        if org is None:
            raise Http404("不存在或不在您的管辖范围内")
    return orgs, org


@login_required
def roster(request):
    require_perm(request.user, P.VIEW, what="查看党员信息")
    orgs, org = _roster_org(request, P.VIEW)
    members = selectors.member_list(actor=request.user, org=org.pk if org else None).order_by("org_id", "joined_on")
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(request, "members/roster.html", {
        "orgs": orgs.filter(members__isnull=False).distinct(), "org": org, "page": page,
        "rows": documents.roster_rows(page.object_list), "header": documents.ROSTER_HEADER,
        "can_export": has_perm(request.user, P.EXPORT),
        "offset": page.start_index() - 1 if page.object_list else 0,
    })


@login_required
def roster_export(request):
    require_perm(request.user, P.EXPORT, what="导出党员名册")
    orgs, org = _roster_org(request, P.EXPORT)
    members = selectors.member_list(actor=request.user, org=org.pk if org else None, perm=P.EXPORT)
    members = members.order_by("org_id", "joined_on")
    title = org.name if org else "管辖范围内"
    n = members.count()
    return audited_download(request, documents.roster_xlsx(title, members), filename=f"{title}党员基本情况一览表.xlsx",
                            content_type=XLSX_CONTENT_TYPE, obj=org, object_type="members.roster",
                            object_repr=f"{title}党员一览表", changes={"rows": n})


@login_required
def org_card(request, org_id, fmt):
    require_perm(request.user, P.EXPORT, what="打印党组织活动登记卡")
    org = get_in_scope_or_404(PartyOrg.objects.select_related("region"), request.user, P.EXPORT, pk=org_id)
    if fmt not in ("pdf", "docx"):
        raise Http404()
    card = documents.org_activity_card(org)
    content, content_type = ((documents.card_pdf(card), "application/pdf") if fmt == "pdf" else
                             (documents.card_docx(card), DOCX_CONTENT_TYPE))
    return audited_download(request, content, filename=f"社区党组织活动登记卡-{org.name}.{fmt}",
                            content_type=content_type, obj=org, changes={"file": f"党组织活动登记卡.{fmt}"})
