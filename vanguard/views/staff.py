"""Staff pages: posts and claims, pledges through 议诺 / 审诺 / 示诺 / 评诺."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, require_perm, scope_filter
from core.forms import add_errors, flash_errors
from regions.models import Region

from .. import selectors, services
from ..forms import DeliberateForm, PostForm, RateForm, ReviewForm
from ..models import ClaimStatus, Pledge, PledgeState, PostClaim
from ..rules import P
from ..services.common import today
from ..services.pledges import branch_path, community_path, superior_path
from ..services.posts import POST_REGION_KINDS
from .common import photo_response


@login_required
def posts(request):
    require_perm(request.user, P.VIEW)
    qs = selectors.posts_with_counts(selectors.posts(request.user)).order_by("region__path", "kind", "title")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    pending = selectors.claims(request.user, P.MANAGE).filter(status=ClaimStatus.PENDING)[:100]
    without = selectors.members_without_post(request.user)
    return render(request, "vanguard/posts.html", {
        "page": page, "pending": pending, "without": without[:50], "without_count": without.count(),
        "can_manage": has_perm(request.user, P.MANAGE),
    })


@login_required
def post_new(request):
    require_perm(request.user, P.MANAGE)
    regions = scope_filter(Region.objects.filter(kind__in=POST_REGION_KINDS), request.user, P.MANAGE) \
        .select_related("parent").order_by("path")
    form = PostForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已设岗：{post.title}")
            return redirect("vanguard:posts")
    return render(request, "vanguard/form.html", {"form": form, "title": "设置党员岗位", "back": "vanguard:posts"})


@login_required
@require_POST
def claim_decide(request, pk):
    require_perm(request.user, P.MANAGE)
    claim = get_in_scope_or_404(PostClaim.objects.select_related("post", "member"), request.user, P.MANAGE, pk=pk)
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.post_claim_decide(actor=request.user, claim=claim, confirm=confirm,
                                   reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{claim.member.name}：{'已同意认岗' if confirm else '已退回'}")
    return redirect("vanguard:posts")


@login_required
def pledges(request):
    require_perm(request.user, P.VIEW)
    qs = selectors.pledges(request.user).order_by("due_on", "id")
    state = request.GET.get("state", "")
    if state in PledgeState.values:
        qs = qs.filter(state=state)
    if request.GET.get("overdue"):
        qs = selectors.overdue_pledges(qs, today())
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "vanguard/pledges.html", {
        "page": page, "states": PledgeState.choices, "state": state, "today": today(),
        "overdue_count": selectors.overdue_pledges(selectors.pledges(request.user), today()).count(),
        "can_manage": has_perm(request.user, P.MANAGE),
    })


def _pledge(request, pk) -> Pledge:
    return get_in_scope_or_404(selectors.pledges(request.user), pk=pk)


ACTIONS = {
    "deliberate": (DeliberateForm, "pledge_deliberate", "已记录议诺"),
    "review": (ReviewForm, "pledge_review", "已审诺"),
    "rate": (RateForm, "pledge_rate", "已记录评诺"),
}


@login_required
def pledge_detail(request, pk):
    require_perm(request.user, P.VIEW)
    p = _pledge(request, pk)
    u = request.user
    can = {
        "deliberate": p.state == PledgeState.DRAFT and has_perm_at(u, P.MANAGE, branch_path(p)),
        "review": p.state == PledgeState.DELIBERATED and has_perm_at(u, P.MANAGE, superior_path(p)),
        "publish": p.state == PledgeState.APPROVED and has_perm_at(u, P.MANAGE, branch_path(p)),
        "rate": p.state == PledgeState.FULFILLED and (has_perm_at(u, P.MANAGE, branch_path(p))
                                                      or has_perm_at(u, P.MANAGE, community_path(p))),
    }
    forms = {name: cls(initial={"meeting_on": today()} if name == "deliberate" else None)
             for name, (cls, _, _) in ACTIONS.items() if can[name]}
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "publish" and can["publish"]:
        try:
            services.pledge_publish(actor=u, pledge=p)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已公开示诺")
        return redirect("vanguard:pledge", p.pk)
    if action in forms:
        cls, fn, done = ACTIONS[action]
        form = forms[action] = cls(request.POST)
        if form.is_valid():
            try:
                getattr(services, fn)(actor=u, pledge=p, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("vanguard:pledge", p.pk)
    return render(request, "vanguard/pledge.html", {
        "p": p, "events": p.events.all(), "ratings": p.ratings.all(), "forms": forms, "can": can, "today": today(),
        "overdue": p.is_overdue(today()),
    })


@login_required
def pledge_photo(request, pk):
    require_perm(request.user, P.VIEW)
    return photo_response(_pledge(request, pk).photo)


@login_required
@require_POST
def remind_overdue(request):
    require_perm(request.user, P.MANAGE)
    n = services.pledges_remind_overdue()
    messages.success(request, f"已提醒 {n} 条逾期承诺的党员" if n else "没有需要提醒的逾期承诺")
    return redirect("vanguard:pledges")
