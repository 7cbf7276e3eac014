"""我的积分 (the member's ledger, brought up to date on opening) and the rankings of a node."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.scope import get_in_scope_or_404, require_perm, scope_paths
from members.models import PartyMember
from regions.models import Region, RegionKind
from vanguard.selectors import community_of

from . import selectors, services
from .rules import P


def _year(request) -> int:
    this = timezone.localdate().year
    try:
        y = int(request.GET.get("year", this))
    except ValueError:
        return this
    return y if this - 5 <= y <= this else this


@login_required
def my_points(request):
    member = PartyMember.objects.select_related("org__region").filter(user=request.user).first()
    if member is None:
        raise Http404("您的账号尚未关联党员档案")
    year = _year(request)
    services.points_sync(year=year, member_ids=[member.pk])
    community = community_of(member.org.region) or member.org.region
    rank, of = selectors.member_rank(member, year, community)
    entries = selectors.member_entries(member, year)
    return render(request, "points/my.html", {
        "m": member, "year": year, "total": selectors.member_total(member, year), "rank": rank, "of": of,
        "community": community, "page": Paginator(entries, 50).get_page(request.GET.get("page")),
        "rules": services.rules().values(),
    })


@login_required
def ranking(request):
    require_perm(request.user, P.VIEW, what="查看积分排行")
    year = _year(request)
    node_id = request.GET.get("node")
    if node_id:
        try:
            node = get_in_scope_or_404(Region.objects.all(), request.user, P.VIEW, pk=int(node_id))
        except ValueError:
            raise Http404("不存在或不在您的管辖范围内") from None
    else:
        roots = scope_paths(request.user, P.VIEW)
        node = (Region.objects.filter(path__in=roots).order_by("path").first() if roots
                else Region.objects.order_by("path").first())
        if node is None:
            raise Http404("没有可查看的区划")
    children = Region.objects.filter(parent=node, kind__in=[RegionKind.STREET, RegionKind.COMMUNITY,
                                                            RegionKind.GRID]).order_by("name")
    page = Paginator(selectors.ranking(node, year), 50).get_page(request.GET.get("page"))
    return render(request, "points/ranking.html", {"node": node, "year": year, "page": page, "children": children,
                                                   "ancestors": node.ancestors().exclude(pk=node.pk)})
