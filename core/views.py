from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.roles import Perm
from accounts.scope import has_perm
from regions.models import RegionKind
from regions.selectors import visible_regions

# Later apps add dashboard cards: fn(request) -> list of (label, value, url or None).
HOME_CARDS = []


@login_required
def home(request):
    cards = []
    if has_perm(request.user, Perm.TREE_VIEW):
        counts = dict.fromkeys([RegionKind.STREET, RegionKind.COMMUNITY, RegionKind.GRID], 0)
        from django.db.models import Count

        for row in visible_regions(request.user).filter(kind__in=list(counts)).values("kind").annotate(n=Count("id")):
            counts[row["kind"]] = row["n"]
        from orgs.selectors import org_list

        cards += [
            ("街道（镇）", counts[RegionKind.STREET], None),
            ("社区", counts[RegionKind.COMMUNITY], None),
            ("网格", counts[RegionKind.GRID], None),
            ("党组织", org_list(actor=request.user).count(), None),
        ]
    for card_fn in HOME_CARDS:
        cards += card_fn(request)
    return render(request, "core/home.html", {"cards": cards})
