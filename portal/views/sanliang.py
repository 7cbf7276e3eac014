"""The public 三亮 board of a community (亮身份, 亮承诺, 亮业绩): no sign-in. Names and photos only where
the member consented (otherwise the surname and asterisks, no photo); no ID or phone numbers ever."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from members.models import ACTIVE_STATUSES, PartyMember
from members.services import member_photo_bytes
from regions.models import Region, RegionKind
from vanguard import selectors as vanguard_selectors


def board_index(request):
    communities = Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path")
    return render(request, "portal/sanliang_index.html", {"communities": communities})


def board(request, community_id):
    community = get_object_or_404(Region.objects.select_related("parent"), pk=community_id,
                                  kind=RegionKind.COMMUNITY)
    people, stars = vanguard_selectors.sanliang_board(community)
    return render(request, "portal/sanliang.html", {"community": community, "people": people, "stars": stars})


def photo(request, member_id):
    """A member's photo on the public board: only while their latest consent allows it."""
    member = get_object_or_404(PartyMember, pk=member_id, status__in=ACTIVE_STATUSES)
    if not vanguard_selectors.current_consent([member.pk]).get(member.pk, (False, False))[1]:
        raise Http404("未公开")
    data = member_photo_bytes(member)
    if data is None:
        raise Http404("没有照片")
    resp = HttpResponse(data, content_type="image/jpeg")
    resp["Cache-Control"] = "no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
