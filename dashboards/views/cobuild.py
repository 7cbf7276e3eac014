"""The co-building pages that take facts from the meetings domain: the star board (its computation
counts each unit's meeting attendance) and the chronicle (its generation adds the meetings held).
URLs and names stay in the cobuild namespace (/cobuild/stars/, /cobuild/chronicle/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.scope import has_perm, require_perm
from cobuild import selectors as cobuild_selectors
from cobuild import services as cobuild_services
from cobuild.forms import ChronicleNewForm
from cobuild.rules import P, can_rate, unit_only
from cobuild.views import _page, _year
from core.forms import add_errors, flash_errors
from meetings.selectors import chronicle_lines, unit_attendance


def _recent_years():
    return range(timezone.localdate().year, timezone.localdate().year - 5, -1)


@login_required
def chronicle(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    user = request.user
    if unit_only(user):
        raise PermissionDenied("大事记由社区及以上编写")
    year = _year(request)
    can_edit = has_perm(user, P.EDIT)
    new_form = ChronicleNewForm(request.POST or None, regions=cobuild_selectors.communities(user)) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您没有编写大事记的权限")
        if request.POST.get("action") == "generate":
            try:
                n = cobuild_services.chronicle_generate(actor=user, year=year, more_lines=chronicle_lines)
                messages.success(request, f"已从台帐和会议生成 {n} 条大事记")
            except ValidationError as exc:
                flash_errors(request, exc)
            return redirect(reverse("cobuild:chronicle") + f"?year={year}")
        if new_form.is_valid():
            try:
                cobuild_services.chronicle_create(actor=user, **new_form.cleaned_data)
            except ValidationError as exc:
                add_errors(new_form, exc)
            else:
                messages.success(request, "已添加")
                return redirect(reverse("cobuild:chronicle") + f"?year={year}")
    entries = cobuild_selectors.chronicle(user).filter(date__year=year)
    return render(request, "dashboards/chronicle.html", {
        "page": _page(request, entries, 50), "year": year, "new_form": new_form, "can_edit": can_edit,
        "years": _recent_years(),
    })


@login_required
def stars(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    user = request.user
    year = _year(request)
    can_refresh = not can_rate(user) and has_perm(user, P.EDIT) and not unit_only(user)
    if request.method == "POST":
        try:
            if can_refresh:
                n = cobuild_services.star_board_refresh(actor=user, year=year, attendance_of=unit_attendance)
                messages.success(request, f"已按最新台帐刷新 {year} 年度星光榜（{n} 个单位）")
            else:
                n = cobuild_services.star_board_compute(actor=user, year=year, attendance_of=unit_attendance)
                messages.success(request, f"已计算 {year} 年度星光榜（{n} 个单位）")
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect(reverse("cobuild:stars") + f"?year={year}")
    qs = cobuild_selectors.star_ratings(user, year)
    stars_filter = request.GET.get("stars")
    if stars_filter and stars_filter.isdigit():
        qs = qs.filter(stars=int(stars_filter))
    counts = dict(cobuild_selectors.star_ratings(user, year).values_list("stars").annotate(n=Count("id")).order_by())
    computed_at = cobuild_selectors.star_ratings(user, year).aggregate(at=Max("computed_at"))["at"]
    return render(request, "dashboards/stars.html", {
        "page": _page(request, qs, 50), "year": year, "rules": cobuild_selectors.rules(), "can_rate": can_rate(user),
        "can_refresh": can_refresh, "computed_at": computed_at,
        "counts": [(s, counts.get(s, 0)) for s in range(5, 0, -1)], "stars_filter": stars_filter or "",
        "criticisms": cobuild_selectors.criticisms(user).filter(year=year)[:50],
        "years": _recent_years(),
    })
