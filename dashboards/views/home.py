from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..selectors.home import home_cards


@login_required
def home(request):
    return render(request, "dashboards/home.html", {"cards": home_cards(request.user)})
