from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import condition, require_POST

from . import selectors, services


@login_required
def notification_list(request):
    qs = selectors.notifications_for(request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "unread": selectors.unread_count(request.user), "only_unread": request.GET.get("unread") == "1",
    })


@login_required
@require_POST
def notification_open(request, pk: int):
    n = selectors.notification_get(request.user, pk)
    services.notification_mark_read(actor=request.user, notification=n)
    return redirect(n.safe_link or "notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    services.notification_mark_all_read(actor=request.user)
    return redirect("notifications:list")


def _badge_etag(request) -> str | None:
    if not request.user.is_authenticated:
        return None
    return f"u{request.user.pk}-{selectors.unread_count(request.user)}"


@login_required
@condition(etag_func=_badge_etag)
def badge(request):
    """Polled every minute by every open page: the browser revalidates with its ETag and an unchanged
    count answers 304 with no body (and, with the shared cache, no query of the notification table)."""
    response = render(request, "notifications/_badge.html",
                      {"unread_count": selectors.unread_count(request.user)})
    response["Cache-Control"] = "private, no-cache"
    return response
