from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.scope import has_perm
from grid.apps import GridPerm

from ..selectors.home import home_cards
from ..selectors.leader import DASH_VIEW
from ..selectors.search import can_search
from ..selectors.workbench import workbench


@login_required
def home(request):
    """工作台: what the person's roles must act on today, then the counts that lead to the lists."""
    user = request.user
    return render(request, "dashboards/home.html", {
        "blocks": workbench(user), "cards": home_cards(user), "can_search": can_search(user),
        "can_dashboard": has_perm(user, DASH_VIEW),
        # The leaders' map (一张图) one tap from their workbench, next to the dashboard.
        "can_map": has_perm(user, DASH_VIEW) and has_perm(user, GridPerm.VIEW),
    })
