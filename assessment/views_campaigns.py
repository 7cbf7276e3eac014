"""Pages of the campaigns (五个好 / 一社一品 / 党建工作大比武): the list and the district's set-up, a
campaign's page (criteria, entering with evidence, the entries, the review and the award), an
entry's page (evidence, the district's scores), and the awards and criticisms on the organizations'
records (the organization's page shows them: dashboards.views.orgs)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, scope_filter, scope_paths
from accounts.views import add_errors
from audit.downloads import serve_private
from core import treepaths as paths
from orgs.models import OrgLevel, PartyOrg
from regions.models import Region, RegionKind

from . import campaigns as svc
from . import selectors
from .forms import CampaignForm, CriterionForm, EntryForm, HonorForm
from .models import CampaignStatus, Entry, EntryStatus, Evidence, EvidenceKind
from .rules import P
from .views import _bad, _errors, _need

TABS = [("campaigns", "评选活动"), ("honors", "表彰与批评")]
LEVELS = [(v, OrgLevel(v).label) for v in svc.ENTRANT_LEVELS]


def _districts(request):
    return scope_filter(Region.objects.filter(kind=RegionKind.DISTRICT), request.user, P.DIRECT).order_by("path")


def _orgs_directed(request):
    return scope_filter(PartyOrg.objects.select_related("region"), request.user, P.DIRECT,
                        "region__path").order_by("region__path", "name")


@login_required
def campaign_list(request):
    _need(request)
    tab = request.GET.get("tab") or "campaigns"
    user = request.user
    ctx = {"tab": tab, "tabs": TABS}
    if tab == "honors":
        orgs = _orgs_directed(request)
        if has_perm(user, P.DIRECT) and orgs.exists():
            form = HonorForm(request.POST or None, orgs=orgs, initial={"on": timezone.localdate()})
            if request.method == "POST" and form.is_valid():
                try:
                    h = svc.honor_record(actor=user, **form.cleaned_data)
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, f"已记入“{h.org}”的党组织档案")
                    return redirect(request.path + "?tab=honors")
            ctx["form"] = form
        elif request.method == "POST":
            _need(request, P.DIRECT)
        ctx["page"] = Paginator(selectors.honors(user), 30).get_page(request.GET.get("page"))
        return render(request, "assessment/campaigns.html", ctx)
    ctx["tab"] = "campaigns"
    districts = _districts(request)
    if districts.exists():
        today = timezone.localdate()
        form = CampaignForm(request.POST or None, levels=LEVELS,
                            initial={"year": today.year, "org_level": OrgLevel.COMMUNITY, "award_quota": 3})
        if request.method == "POST" and form.is_valid():
            try:
                c = svc.campaign_create(actor=user, region=districts.first(), **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已新建评选活动（草稿），请核对评选标准后发布")
                return redirect("assessment:campaign", pk=c.pk)
        ctx["form"] = form
    elif request.method == "POST":
        _need(request, P.DIRECT)
        return redirect("assessment:campaigns")
    ctx["page"] = Paginator(selectors.campaigns(user), 30).get_page(request.GET.get("page"))
    return render(request, "assessment/campaigns.html", ctx)


def _own_record_choices(request, region: Region | None):
    return selectors.record_choices(request.user, region) if region is not None else []


def _entry_orgs(request, c):
    """Organizations of the campaign's level the user may enter and that have not entered yet."""
    roots = scope_paths(request.user, P.REPORT)
    qs = PartyOrg.objects.filter(level=c.org_level).filter(paths.under("region__path", c.region.path))
    if roots is not None:
        qs = qs.filter(paths.under_any("region__path", roots))
    return qs.exclude(pk__in=c.entries.values("org_id")).select_related("region").order_by("region__path", "name")


def _home(request) -> Region | None:
    roots = scope_paths(request.user, P.REPORT)
    if not roots:
        return None
    return Region.objects.filter(path=roots[0]).first()


@login_required
def campaign_detail(request, pk: int):
    _need(request)
    user = request.user
    c = selectors.campaign_get(user, pk)
    direct = has_perm_at(user, P.DIRECT, c.region.path)
    entries = svc.ranked_entries(c)
    if not direct:
        entries = scope_filter(entries, user, P.VIEW)
    ctx = {"c": c, "direct": direct, "level_label": OrgLevel(c.org_level).label,
           "criteria": list(c.criteria.all()), "total": svc.weights_total(c),
           "entries": entries, "honors": c.honors.select_related("org").order_by("-entry__total", "id")}
    if direct and c.status == CampaignStatus.DRAFT:
        ctx["criterion_form"] = CriterionForm()
    if c.status == CampaignStatus.OPEN and timezone.localdate() <= c.entry_deadline and has_perm(user, P.REPORT):
        orgs = _entry_orgs(request, c)
        if orgs.exists():
            ctx["entry_form"] = EntryForm(orgs=orgs, records=_own_record_choices(request, _home(request)))
    if direct and c.status == CampaignStatus.REVIEW:
        ctx["unrated"] = sum(1 for e in entries if e.status == EntryStatus.SUBMITTED)
        ctx["preselected"] = {e.pk for e in list(entries)[:c.award_quota] if e.total is not None}
    return render(request, "assessment/campaign.html", ctx)


@login_required
@require_POST
def campaign_action(request, pk: int, action: str):
    user = request.user
    c = selectors.campaign_get(user, pk)
    if action == "enter":
        _need(request, P.REPORT)
        form = EntryForm(request.POST, request.FILES, orgs=_entry_orgs(request, c),
                         records=_own_record_choices(request, _home(request)))
        if not form.is_valid():
            return _bad(request, form, "assessment:campaign", c.pk)
        d = form.cleaned_data
        try:
            e = svc.entry_submit(actor=user, campaign=c, org=d["org"], title=d["title"], summary=d["summary"],
                                 files=request.FILES.getlist("files"), photos=request.FILES.getlist("photos"),
                                 records=d["records"])
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("assessment:campaign", pk=c.pk)
        messages.success(request, f"“{e.org}”已申报")
        return redirect("assessment:entry", pk=e.pk)
    _need(request, P.DIRECT)
    if not has_perm_at(user, P.DIRECT, c.region.path):
        _errors(request, ValidationError("只有组织评选的区（县）委组织部可以操作"))
        return redirect("assessment:campaign", pk=c.pk)
    try:
        if action == "criterion":
            form = CriterionForm(request.POST)
            if not form.is_valid():
                return _bad(request, form, "assessment:campaign", c.pk)
            svc.criterion_add(actor=user, campaign=c, **form.cleaned_data)
            messages.success(request, "已添加评选标准")
        elif action == "criterion-delete":
            k = get_object_or_404(c.criteria, pk=request.POST.get("criterion") or 0)
            svc.criterion_delete(actor=user, criterion=k)
            messages.success(request, "已删除评选标准")
        elif action == "open":
            svc.campaign_open(actor=user, campaign=c)
            messages.success(request, "已发布，各党组织可以申报")
        elif action == "review":
            svc.campaign_review(actor=user, campaign=c)
            messages.success(request, "已截止申报，开始评审")
        elif action == "award":
            ids = [int(x) for x in request.POST.getlist("entries") if x.isdigit()]
            honors = svc.campaign_award(actor=user, campaign=c, entries=list(Entry.objects.filter(pk__in=ids)))
            messages.success(request, f"已评定 {len(honors)} 个{c.award_title}，记入党组织档案")
        else:
            _errors(request, ValidationError("不支持的操作"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:campaign", pk=c.pk)


def _entry_get(request, pk: int) -> Entry:
    """An entry: the district that runs the campaign reads every entry; others only those in scope."""
    e = get_object_or_404(Entry.objects.select_related("campaign__region", "org", "region", "submitted_by",
                                                       "rated_by"), pk=pk)
    if has_perm_at(request.user, P.DIRECT, e.campaign.region.path):
        return e
    return get_in_scope_or_404(Entry.objects.select_related("campaign__region", "org", "region", "submitted_by",
                                                            "rated_by"), request.user, P.VIEW, pk=pk)


@login_required
def entry_detail(request, pk: int):
    _need(request)
    e = _entry_get(request, pk)
    c = e.campaign
    can_rate = c.status == CampaignStatus.REVIEW and has_perm_at(request.user, P.DIRECT, c.region.path)
    given = {s.criterion_id: s.value for s in e.scores.all()}
    if request.method == "POST":
        _need(request, P.DIRECT)
        values = {k.pk: request.POST.get(f"c{k.pk}", "").strip() for k in c.criteria.all()}
        try:
            svc.entry_rate(actor=request.user, entry=e, values=values, note=request.POST.get("review_note", ""))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已评分")
            return redirect("assessment:campaign", pk=c.pk)
        given = {int(k): v for k, v in values.items()}
    rows = [(k, given.get(k.pk)) for k in c.criteria.all()]
    return render(request, "assessment/entry.html", {
        "e": e, "c": c, "rows": rows, "can_rate": can_rate,
        "evidence": list(e.evidence.all()), "honor": getattr(e, "honor", None),
    })


@login_required
def entry_file(request, pk: int, evidence_pk: int):
    _need(request)
    e = _entry_get(request, pk)
    ev = get_object_or_404(Evidence, pk=evidence_pk, entry=e, kind__in=[EvidenceKind.FILE, EvidenceKind.PHOTO])
    return serve_private(request, ev.file, obj=e, label="评选申报佐证材料", filename=ev.label,
                         attachment=ev.kind == EvidenceKind.FILE)
