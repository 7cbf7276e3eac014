"""Quarterly service stars (the community proposes, the street approves), the member's 三亮 consent, and
the community's view of members who fall short, with reminders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, require_perm, scope_filter
from core.forms import flash_errors
from members.models import PartyMember
from regions.models import Region, RegionKind

from .. import selectors, services
from ..forms import ConsentForm
from ..models import ServiceStar
from ..rules import P
from ..services.common import today
from ..services.community import REMINDERS
from ..services.stars import quarter_of
from .common import me_or_404


def _community(request, perm=P.VIEW):
    communities = scope_filter(Region.objects.filter(kind=RegionKind.COMMUNITY), request.user, perm) \
        .select_related("parent").order_by("path")
    cid = request.GET.get("community") or request.POST.get("community")
    if cid:
        try:
            return get_object_or_404(communities, pk=int(cid)), communities
        except ValueError:
            pass
    first = communities.first()
    if first is None:
        return None, communities
    return first, communities


def _quarter(request):
    y, q = quarter_of(today())
    try:
        y, q = int(request.GET.get("year", y)), int(request.GET.get("quarter", q))
    except ValueError:
        pass
    if (y, q) > quarter_of(today()) or q not in (1, 2, 3, 4) or y < 2000:
        y, q = quarter_of(today())
    return y, q


@login_required
def stars(request):
    require_perm(request.user, P.VIEW)
    community, communities = _community(request)
    year, quarter = _quarter(request)
    candidates = []
    proposed = set()
    if community is not None:
        members = list(selectors.community_members(community).select_related("org")[:300])
        stats = selectors.quarter_stats(members, year, quarter)
        proposed = set(ServiceStar.objects.filter(year=year, quarter=quarter, member__in=members)
                       .values_list("member_id", flat=True))
        candidates = sorted(((m, stats[m.pk], selectors.star_shortfalls(stats[m.pk])) for m in members),
                            key=lambda t: (bool(t[2]), -t[1]["fulfilled"], -t[1]["contacts"], -t[1]["hours"]))[:60]
    star_list = scope_filter(ServiceStar.objects.select_related("member", "community"), request.user, P.VIEW) \
        .filter(year=year, quarter=quarter)
    return render(request, "vanguard/stars.html", {
        "community": community, "communities": communities, "year": year, "quarter": quarter,
        "candidates": candidates, "proposed": proposed, "stars": star_list, "rules": selectors.rules(),
        "can_propose": community is not None and has_perm_at(request.user, P.MANAGE, community.path),
        "can_decide": has_perm(request.user, P.STARS),
    })


@login_required
@require_POST
def star_propose(request):
    require_perm(request.user, P.MANAGE)
    community, _ = _community(request, P.MANAGE)
    member = get_object_or_404(PartyMember, pk=request.POST.get("member"))
    year, quarter = int(request.POST.get("year", 0)), int(request.POST.get("quarter", 0))
    try:
        services.star_propose(actor=request.user, community=community, member=member, year=year, quarter=quarter,
                              reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已推荐{member.name}为服务标兵，等待街道审定")
    return redirect(f"/vanguard/stars/?community={community.pk}&year={year}&quarter={quarter}")


@login_required
@require_POST
def star_decide(request, pk):
    require_perm(request.user, P.STARS)
    star = get_in_scope_or_404(ServiceStar.objects.select_related("member"), request.user, P.STARS, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.star_decide(actor=request.user, star=star, approve=approve, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{star.member.name}：{'已审定' if approve else '已退回'}")
    return redirect(f"/vanguard/stars/?community={star.community_id}&year={star.year}&quarter={star.quarter}")


@login_required
def my_consent(request):
    member = me_or_404(request)
    current = selectors.current_consent([member.pk]).get(member.pk, (False, False))
    form = ConsentForm(request.POST or None, initial={"show_name": current[0], "show_photo": current[1]})
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_set(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            from core.forms import add_errors

            add_errors(form, exc)
        else:
            messages.success(request, "已保存三亮公开授权，可随时修改或撤回")
            return redirect("vanguard:my")
    return render(request, "vanguard/my_form.html", {"form": form, "title": "三亮公开授权", "multipart": False,
                                                     "hint": "社区三亮公示栏公开党员的岗位、承诺和业绩。未经您同意，"
                                                             "公示栏只显示您的姓氏，不显示照片。"})


@login_required
def community_view(request):
    """社区党员一览: members living here never registered, with no post, no pledge or no hours this year."""
    require_perm(request.user, P.VIEW)
    community, communities = _community(request)
    lists = selectors.members_short(community, today().year) if community else {}
    rows = [(kind, REMINDERS[kind][0], lists[kind].select_related("org")[:100], lists[kind].count())
            for kind in REMINDERS] if community else []
    return render(request, "vanguard/community.html", {
        "community": community, "communities": communities, "rows": rows,
        "can_remind": community is not None and has_perm_at(request.user, P.MANAGE, community.path),
    })


@login_required
@require_POST
def community_remind(request):
    require_perm(request.user, P.MANAGE)
    community, _ = _community(request, P.MANAGE)
    try:
        n = services.members_remind(actor=request.user, community=community, kind=request.POST.get("kind", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已提醒 {n} 名有平台账号的党员" if n
                         else "名单中的党员都没有平台账号，请电话或上门提醒")
    return redirect(f"/vanguard/community/?community={community.pk}")
