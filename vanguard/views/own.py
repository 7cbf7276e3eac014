"""The member's phone pages: my post, my pledges (六诺), 亮身份."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.forms import add_errors, flash_errors

from .. import selectors, services
from ..forms import ClaimForm, FulfilForm, PledgeForm, RegisterForm, ReviseForm
from ..models import ClaimStatus, Pledge, PledgeState, Post, PostClaim
from ..services.common import today
from .common import me_or_404, photo_response


@login_required
def my(request):
    member = me_or_404(request)
    held = list(selectors.open_claims_of(member))
    pledge_list = list(member.pledges.select_related("post").exclude(state=PledgeState.WITHDRAWN))
    day = today()
    return render(request, "vanguard/my.html", {
        "m": member, "held": held, "confirmed": [c for c in held if c.status == ClaimStatus.CONFIRMED],
        "pledges": pledge_list, "today": day,
        "overdue": [p for p in pledge_list if p.is_overdue(day)],
        "communities": selectors.member_communities(member),
    })


@login_required
def my_posts(request):
    member = me_or_404(request)
    mine = {c.post_id: c for c in selectors.open_claims_of(member)}
    return render(request, "vanguard/my_posts.html", {
        "m": member, "posts": selectors.posts_open_to(member), "mine": mine, "form": ClaimForm(),
        "communities": selectors.member_communities(member),
    })


@login_required
@require_POST
def my_claim(request, pk):
    member = me_or_404(request)
    post = get_object_or_404(selectors.posts_open_to(member), pk=pk)
    try:
        services.post_claim(actor=request.user, post=post, member=member, note=request.POST.get("note", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("vanguard:my_posts")
    messages.success(request, f"已申请认领“{post.title}”，等待社区审核")
    return redirect("vanguard:my")


@login_required
@require_POST
def my_leave(request, pk):
    member = me_or_404(request)
    claim = get_object_or_404(PostClaim, pk=pk, member=member)
    try:
        services.post_leave(actor=request.user, claim=claim)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已离开“{claim.post.title}”")
    return redirect("vanguard:my")


def _my_posts_qs(member):
    return Post.objects.filter(claims__member=member, claims__status=ClaimStatus.CONFIRMED)


@login_required
def my_pledge_new(request):
    member = me_or_404(request)
    form = PledgeForm(request.POST or None, posts=_my_posts_qs(member))
    if request.method == "POST" and form.is_valid():
        try:
            p = services.pledge_draft(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "承诺已提交（申诺），等待支部议诺")
            return redirect("vanguard:my_pledge", p.pk)
    return render(request, "vanguard/my_form.html", {"form": form, "title": "我要承诺", "multipart": False})


def _my_pledge(request, pk) -> Pledge:
    member = me_or_404(request)
    return get_object_or_404(Pledge.objects.select_related("post", "member"), pk=pk, member=member)


@login_required
def my_pledge(request, pk):
    p = _my_pledge(request, pk)
    fulfil = revise = None
    if p.state == PledgeState.PUBLISHED:
        fulfil = FulfilForm(request.POST or None, request.FILES or None, initial={"on": today()})
        if request.method == "POST" and fulfil.is_valid():
            try:
                services.pledge_fulfil(actor=request.user, pledge=p, photo=request.FILES.get("photo"),
                                       **{k: v for k, v in fulfil.cleaned_data.items() if k != "photo"})
            except ValidationError as exc:
                add_errors(fulfil, exc)
            else:
                messages.success(request, "已登记践诺，等待评诺")
                return redirect("vanguard:my_pledge", p.pk)
    elif p.state == PledgeState.DRAFT:
        revise = ReviseForm(request.POST or None, initial={"title": p.title, "content": p.content,
                                                            "due_on": p.due_on})
        if request.method == "POST" and revise.is_valid():
            try:
                services.pledge_revise(actor=request.user, pledge=p, **revise.cleaned_data)
            except ValidationError as exc:
                add_errors(revise, exc)
            else:
                messages.success(request, "承诺已修改，等待支部议诺")
                return redirect("vanguard:my_pledge", p.pk)
    return render(request, "vanguard/my_pledge.html", {
        "p": p, "events": p.events.all(), "ratings": p.ratings.all(), "fulfil": fulfil, "revise": revise,
        "today": today(),
        "overdue": p.is_overdue(today()),
    })


@login_required
@require_POST
def my_pledge_withdraw(request, pk):
    p = _my_pledge(request, pk)
    try:
        services.pledge_withdraw(actor=request.user, pledge=p, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("vanguard:my_pledge", p.pk)
    messages.success(request, "承诺已撤回")
    return redirect("vanguard:my")


@login_required
def my_pledge_photo(request, pk):
    return photo_response(_my_pledge(request, pk).photo)


@login_required
def my_register(request):
    """报到: the member registers with the community where they live (双报到)."""
    from members import services as member_services
    from regions.models import Region, RegionKind

    member = me_or_404(request)
    communities = Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path")
    form = RegisterForm(request.POST or None, communities=communities,
                        initial={"community": selectors.community_of(member.residence)})
    if request.method == "POST" and form.is_valid():
        try:
            member_services.dual_registration_request(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已向{form.cleaned_data['community']}报到，等待社区确认")
            return redirect("vanguard:my")
    return render(request, "vanguard/my_register.html", {
        "form": form, "registrations": member.dual_registrations.select_related("community"),
    })
