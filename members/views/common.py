"""What the member pages share: the permission check, the member in scope, files, photos, the card."""

from __future__ import annotations

from django.http import HttpResponse

from accounts.roles import Perm
from accounts.scope import get_in_scope_or_404, scope_filter
from audit.downloads import audited_download, serve_private
from orgs.models import UNIT_LEVELS, PartyOrg
from regions.models import Region, RegionKind

from .. import documents, selectors
from ..models import (
    PartyMember,
)
from ..perms import MembersPerm as P

MEMBER_FIELDS = ["name", "id_number", "gender", "ethnicity", "mobile", "education", "occupation", "joined_on",
                 "full_member_on", "status", "category", "residence", "address", "employer", "unit_org",
                 "monthly_income"]


def _member_or_404(request, pk, perm=P.VIEW) -> PartyMember:
    return get_in_scope_or_404(PartyMember.objects.select_related("org__region", "residence", "unit_org", "user"),
                               request.user, perm, pk=pk)


def _form_kwargs(user, perm):
    orgs = selectors.orgs_in_scope(user, perm)
    return {
        "orgs": orgs,
        "regions": scope_filter(Region.objects.filter(kind__in=[RegionKind.COMMUNITY, RegionKind.GRID,
                                                                RegionKind.COMPOUND, RegionKind.BUILDING]),
                                user, Perm.TREE_VIEW).order_by("path"),
        "unit_orgs": PartyOrg.objects.filter(level__in=list(UNIT_LEVELS)).order_by("name"),
    }


def _photo_url(member: PartyMember, name: str = "members:photo") -> str:
    """The scoped photo address (versioned so a replaced photo is not taken from the browser cache)."""
    from django.urls import reverse

    if not member.photo:
        return ""
    args = [member.pk] if name == "members:photo" else []
    return f"{reverse(name, args=args)}?v={int(member.updated_at.timestamp())}"


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _photo_response(request, member: PartyMember) -> HttpResponse:
    """The photo of a member the view fetched through the scope (or the viewer's own), the read audited."""
    return serve_private(request, member.photo, obj=member, label="党员照片")


def _card(request, member: PartyMember, fmt: str, purpose: str = "") -> HttpResponse:
    """The member's registration card as a file, its export audited (with `purpose` when given)."""
    card = documents.member_card(member)
    content, content_type = ((documents.card_pdf(card), "application/pdf") if fmt == "pdf" else
                             (documents.card_docx(card), DOCX_CONTENT_TYPE))
    return audited_download(request, content, filename=f"社区党员登记卡-{member.name}.{fmt}", content_type=content_type,
                            obj=member, changes={"file": f"党员登记卡.{fmt}"}, purpose=purpose)
