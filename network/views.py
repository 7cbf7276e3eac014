"""Pages of the network around each community: the overview, county leaders with their communities,
visits and problems, the leaders not seen this quarter, the 委员制 committees, owners' committees and
property firms, social organizations in incubation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, require_perm, scope_filter
from cobuild.models import ResidentUnit
from core import treepaths
from core.forms import add_errors, flash_errors
from orgs.models import PartyOrg
from regions.models import Region, RegionKind

from . import selectors, services
from .forms import (
    AssignForm,
    CommitteeForm,
    CommitteeMemberForm,
    CompoundBodyForm,
    CompoundMemberForm,
    GuideForm,
    LeaderForm,
    ProblemForm,
    ProblemUpdateForm,
    RulesForm,
    SocialOrgForm,
    StageForm,
    VisitForm,
)
from .models import CountyLeader, ProblemStatus
from .rules import P

WHAT = "查看联系社区网络"


def _view(request) -> None:
    require_perm(request.user, P.VIEW, what=WHAT)


def _may(request, perm: str, region: Region) -> None:
    if not selectors.can(request.user, perm, region):
        raise PermissionDenied("您没有修改此项的权限")


def _community(request, pk) -> Region:
    return get_in_scope_or_404(selectors.communities(request.user), pk=pk)


def _party_orgs(actor, region: Region):
    return scope_filter(PartyOrg.objects.filter(treepaths.under("region__path", region.path)), actor, P.VIEW)


# --- overview ---------------------------------------------------------------------------------

@login_required
def index(request):
    _view(request)
    today = services.today()
    rows = selectors.community_rows(request.user, today)
    return render(request, "network/index.html", {
        "rows": rows, "totals": selectors.community_totals(rows), "period": selectors.current_period(today),
        "rules": selectors.rules(),
    })


# --- county leaders ---------------------------------------------------------------------------

@login_required
def leaders(request):
    _view(request)
    today = services.today()
    district = Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path").first()
    can_lead = district is not None and selectors.can(request.user, P.LEADERS, district)
    form = LeaderForm(prefix="leader")
    rules = selectors.rules()
    rules_form = RulesForm(prefix="rules", initial={"leaders_per_community": rules.leaders_per_community,
                                                    "visit_months": rules.visit_months})
    if request.method == "POST":
        if not can_lead:
            raise PermissionDenied("只有区委组织部管理员可以登记县领导")
        if request.POST.get("action") == "rules":
            rules_form = RulesForm(request.POST, prefix="rules")
            if rules_form.is_valid():
                try:
                    services.rules_update(actor=request.user, **rules_form.cleaned_data)
                except ValidationError as exc:
                    add_errors(rules_form, exc)
                else:
                    messages.success(request, "规则已保存")
                    return redirect("network:leaders")
        else:
            form = LeaderForm(request.POST, prefix="leader")
            if form.is_valid():
                try:
                    leader = services.leader_create(actor=request.user, region=district, **form.cleaned_data)
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, f"已登记县领导{leader.name}，请安排联系社区")
                    return redirect("network:leader", leader.pk)
    qs = selectors.leaders(request.user).filter(active=True).order_by("id")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(post__icontains=q))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "network/leaders.html", {
        "page": page, "rows": selectors.leader_rows(request.user, list(page), today), "q": q,
        "form": form, "rules_form": rules_form, "rules": rules, "can_lead": can_lead,
        "period": selectors.current_period(today),
    })


@login_required
def leader(request, pk):
    _view(request)
    ldr = get_in_scope_or_404(selectors.leaders(request.user), pk=pk)
    can_lead = selectors.can(request.user, P.LEADERS, ldr.region)
    form = AssignForm(request.POST or None, communities=selectors.communities(request.user, P.LEADERS)
                      if can_lead else Region.objects.none())
    if request.method == "POST":
        if not can_lead:
            raise PermissionDenied("只有区委组织部管理员可以安排县领导联系社区")
        if form.is_valid():
            try:
                a = services.leader_assign(actor=request.user, leader=ldr, community=form.cleaned_data["community"],
                                           since=form.cleaned_data["since"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已安排{ldr.name}联系{a.community.name}")
                return redirect("network:leader", ldr.pk)
    today = services.today()
    return render(request, "network/leader.html", {
        "leader": ldr, "form": form, "can_lead": can_lead,
        "assignments": selectors.assignments(request.user).filter(leader=ldr).order_by("ended_on", "community__path"),
        "visits": selectors.visits(request.user).filter(leader=ldr)[:100],
        "problems": selectors.problems(request.user).filter(leader=ldr).order_by("status", "deadline"),
        "today": today, "period": selectors.current_period(today),
    })


@login_required
@require_POST
def assignment_end(request, pk):
    _view(request)
    a = get_in_scope_or_404(selectors.assignments(request.user), pk=pk)
    try:
        services.assignment_end(actor=request.user, assignment=a)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已结束{a.leader.name}对{a.community.name}的联系")
    return redirect("network:leader", a.leader_id)


@login_required
def unvisited(request):
    _view(request)
    today = services.today()
    rows = selectors.unvisited(request.user, today)
    return render(request, "network/unvisited.html", {"rows": rows, "period": selectors.current_period(today),
                                                      "today": today})


# --- a community ------------------------------------------------------------------------------

@login_required
def community(request, pk):
    _view(request)
    region = _community(request, pk)
    today = services.today()
    net = selectors.community_network(request.user, region, today)
    committee = selectors.committees(request.user).filter(region=region).first()
    return render(request, "network/community.html", {
        "net": net, "region": region, "today": today,
        "can_manage": selectors.can(request.user, P.MANAGE, region),
        "committee": committee,
        "members": selectors.committee_members(committee) if committee else [],
        "bodies": selectors.compound_bodies(request.user).filter(treepaths.under("compound__path", region.path)),
        "counts": selectors.compound_counts([region])[region.pk],
        "social_orgs": selectors.social_orgs(request.user).filter(community=region),
    })


def _leaders_of(region: Region, *, active_only: bool = False):
    q = Q(assignments__community=region)
    if active_only:
        q &= Q(assignments__ended_on__isnull=True)  # one join: active at this community, not elsewhere
    return CountyLeader.objects.filter(q).distinct().order_by("name")


@login_required
def visit_new(request, pk):
    _view(request)
    region = _community(request, pk)
    _may(request, P.MANAGE, region)
    form = VisitForm(request.POST or None, leaders=_leaders_of(region, active_only=True),
                     meetings=services.joint_meetings(region).filter(date__lte=services.today()),
                     initial={"date": services.today(), "leader": request.GET.get("leader")})
    if request.method == "POST" and form.is_valid():
        try:
            v = services.visit_record(actor=request.user, community=region, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记{v.leader.name} {v.date:%Y-%m-%d} 走访{region.name}")
            return redirect("network:community", region.pk)
    return render(request, "network/form.html", {"form": form, "title": f"登记县领导走访 · {region.name}",
                                                 "back": ("network:community", region.pk), "form_id": "visit-form"})


@login_required
def problem_new(request, pk):
    _view(request)
    region = _community(request, pk)
    _may(request, P.MANAGE, region)
    form = ProblemForm(request.POST or None, leaders=_leaders_of(region), initial={"leader": request.GET.get("leader")})
    if request.method == "POST" and form.is_valid():
        try:
            p = services.problem_create(actor=request.user, community=region, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记{p.leader.name}领办的问题")
            return redirect("network:community", region.pk)
    return render(request, "network/form.html", {"form": form, "title": f"登记县领导领办问题 · {region.name}",
                                                 "back": ("network:community", region.pk), "form_id": "problem-form"})


# --- problems ---------------------------------------------------------------------------------

@login_required
def problems(request):
    _view(request)
    today = services.today()
    qs = selectors.problems(request.user)
    overdue = request.GET.get("overdue") == "1"
    status = request.GET.get("status", "")
    if overdue:
        qs = qs.exclude(status=ProblemStatus.RESOLVED).filter(deadline__lt=today)
    elif status in ProblemStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("status", "deadline", "id"), 30).get_page(request.GET.get("page"))
    return render(request, "network/problems.html", {"page": page, "today": today, "overdue": overdue,
                                                     "status": status, "statuses": ProblemStatus.choices})


@login_required
def problem(request, pk):
    _view(request)
    p = get_in_scope_or_404(selectors.problems(request.user), pk=pk)
    can_manage = selectors.can(request.user, P.MANAGE, p.community)
    form = ProblemUpdateForm(request.POST or None, initial={"status": p.status, "resolution": p.resolution,
                                                            "resolved_on": p.resolved_on or services.today()})
    if request.method == "POST":
        _may(request, P.MANAGE, p.community)
        if form.is_valid():
            try:
                services.problem_update(actor=request.user, problem=p, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已保存办理情况")
                return redirect("network:problem", p.pk)
    return render(request, "network/problem.html", {"p": p, "form": form, "can_manage": can_manage,
                                                    "today": services.today()})


# --- 委员制 -------------------------------------------------------------------------------------

@login_required
def committees(request):
    _view(request)
    regions = selectors.regions(request.user, RegionKind.STREET, P.MANAGE) | selectors.regions(
        request.user, RegionKind.COMMUNITY, P.MANAGE)
    form = CommitteeForm(request.POST or None, regions=regions.order_by("path"))
    if request.method == "POST":
        if not has_perm(request.user, P.MANAGE):
            raise PermissionDenied("您没有设立委员制组织的权限")
        if form.is_valid():
            try:
                c = services.committee_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已设立{c.name}")
                return redirect("network:committee", c.pk)
    qs = selectors.committees(request.user).order_by("region__path", "kind")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "network/committees.html", {"page": page, "form": form,
                                                       "can_manage": has_perm(request.user, P.MANAGE)})


def _units_serving(region: Region):
    under = treepaths.under("region__path", region.path)
    return (ResidentUnit.objects.filter(under | Q(agreements__region__in=Region.objects.filter(
        treepaths.under("path", region.path)))).distinct().order_by("name"))


@login_required
def committee(request, pk):
    _view(request)
    c = get_in_scope_or_404(selectors.committees(request.user), pk=pk)
    can_manage = selectors.can(request.user, P.MANAGE, c.region)
    comms = Region.objects.filter(treepaths.under("path", c.region.path), kind=RegionKind.COMMUNITY).select_related(
        "parent").order_by("path")
    form = CommitteeMemberForm(request.POST or None, units=_units_serving(c.region), communities=comms,
                               initial={"unit_community": comms.first() if c.region.kind == RegionKind.COMMUNITY
                                        else None, "term_start": services.today()})
    if request.method == "POST":
        _may(request, P.MANAGE, c.region)
        if request.POST.get("action") == "end":
            m = get_in_scope_or_404(c.members.all(), pk=request.POST.get("member", "0") or 0)
            try:
                services.committee_member_end(actor=request.user, member=m, term_end=services.today())
            except ValidationError as exc:
                flash_errors(request, exc)
            else:
                messages.success(request, f"{m.person_name}的任期已结束")
            return redirect("network:committee", c.pk)
        if form.is_valid():
            try:
                m = services.committee_member_add(actor=request.user, committee=c, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已登记{m.org_name}的兼职委员{m.person_name}")
                return redirect("network:committee", c.pk)
    return render(request, "network/committee.html", {"c": c, "members": selectors.committee_members(c),
                                                      "form": form, "can_manage": can_manage,
                                                      "today": services.today()})


# --- owners' committees and property firms -------------------------------------------------------

@login_required
def compounds(request):
    _view(request)
    comms = list(selectors.communities(request.user))
    counts = selectors.compound_counts(comms)
    rows = [(c, counts[c.pk]) for c in comms]
    manage_compounds = selectors.compounds(request.user, P.MANAGE).select_related("parent__parent")
    form = CompoundBodyForm(request.POST or None, compounds=manage_compounds,
                            party_orgs=scope_filter(PartyOrg.objects.all(), request.user, P.MANAGE))
    if request.method == "POST":
        if not has_perm(request.user, P.MANAGE):
            raise PermissionDenied("您没有登记业委会（物业）的权限")
        if form.is_valid():
            try:
                b = services.compound_body_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已登记{b.name}")
                return redirect("network:compound_body", b.pk)
    qs = selectors.compound_bodies(request.user).order_by("compound__path", "kind")
    chosen = request.GET.get("community", "")
    if chosen.isdigit():
        c = next((c for c in comms if c.pk == int(chosen)), None)
        if c:
            qs = qs.filter(treepaths.under("compound__path", c.path))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    totals = {k: sum(v[k] for _, v in rows) for k in ("compounds", "covered", "with_party_org", "with_cross")}
    return render(request, "network/compounds.html", {"rows": rows, "totals": totals, "page": page, "form": form,
                                                      "can_manage": has_perm(request.user, P.MANAGE)})


@login_required
def compound_body(request, pk):
    _view(request)
    b = get_in_scope_or_404(selectors.compound_bodies(request.user), pk=pk)
    can_manage = selectors.can(request.user, P.MANAGE, b.compound)
    form = CompoundMemberForm(request.POST or None)
    if request.method == "POST":
        _may(request, P.MANAGE, b.compound)
        if form.is_valid():
            try:
                m = services.compound_body_member_add(actor=request.user, body=b, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已登记{m.person_name}")
                return redirect("network:compound_body", b.pk)
    return render(request, "network/compound_body.html", {"b": b, "members": b.members.all(), "form": form,
                                                          "can_manage": can_manage})


# --- social organizations -----------------------------------------------------------------------

@login_required
def social_orgs(request):
    _view(request)
    form = SocialOrgForm(request.POST or None, communities=selectors.communities(request.user, P.MANAGE),
                         initial={"cultivated_on": services.today()})
    if request.method == "POST":
        if not has_perm(request.user, P.MANAGE):
            raise PermissionDenied("您没有登记社会组织的权限")
        if form.is_valid():
            try:
                org = services.social_org_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已登记{org.name}")
                return redirect("network:social_org", org.pk)
    page = Paginator(selectors.social_orgs(request.user).order_by("community__path", "name"), 30).get_page(
        request.GET.get("page"))
    return render(request, "network/social_orgs.html", {"page": page, "form": form,
                                                        "can_manage": has_perm(request.user, P.MANAGE)})


@login_required
def social_org(request, pk):
    _view(request)
    org = get_in_scope_or_404(selectors.social_orgs(request.user), pk=pk)
    can_manage = selectors.can(request.user, P.MANAGE, org.community)
    stage_form = StageForm(prefix="stage", party_orgs=_party_orgs(request.user, org.community),
                           initial={"date": services.today()})
    guide_form = GuideForm(prefix="guide", initial={"since": services.today()})
    if request.method == "POST":
        _may(request, P.MANAGE, org.community)
        if request.POST.get("action") == "guide":
            guide_form = GuideForm(request.POST, prefix="guide")
            if guide_form.is_valid():
                try:
                    g = services.social_org_guide_add(actor=request.user, org=org, **guide_form.cleaned_data)
                except ValidationError as exc:
                    add_errors(guide_form, exc)
                else:
                    messages.success(request, f"已登记{g.get_role_display()}{g.person_name}")
                    return redirect("network:social_org", org.pk)
        else:
            stage_form = StageForm(request.POST, prefix="stage", party_orgs=_party_orgs(request.user, org.community))
            if stage_form.is_valid():
                try:
                    s = services.social_org_stage_add(actor=request.user, org=org, **stage_form.cleaned_data)
                except ValidationError as exc:
                    add_errors(stage_form, exc)
                else:
                    messages.success(request, f"已登记“{s.get_stage_display()}”阶段")
                    return redirect("network:social_org", org.pk)
    return render(request, "network/social_org.html", {"org": org, "stage_form": stage_form,
                                                       "guide_form": guide_form, "can_manage": can_manage})
