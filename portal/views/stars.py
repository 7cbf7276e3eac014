from django.shortcuts import render

from cobuild import selectors as cobuild_selectors
from cobuild.views import _year


def public_stars(request):
    """The public five-star list (no sign-in): unit names, communities and their deeds count only."""
    year = _year(request)
    rows = cobuild_selectors.public_five_stars(year)
    if not rows.exists() and "year" not in request.GET:
        year -= 1
        rows = cobuild_selectors.public_five_stars(year)
    return render(request, "portal/stars.html", {"rows": rows, "year": year})
