from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.roles import Role
from accounts.scope import get_in_scope_or_404, has_perm, require_perm, scope_filter
from audit.downloads import audited_download, serve_private
from core.forms import add_errors, flash_errors
from orgs.models import UNIT_LEVELS, PartyOrg

from . import exports, selectors, services
from .forms import (
    AcceptForm,
    AgreementForm,
    ChronicleForm,
    DeedForm,
    DocumentForm,
    NeedForm,
    OverrideForm,
    PairingForm,
    ResourceForm,
    RulesForm,
    UnitForm,
    VisitForm,
)
from .models import Activity, NeedStatus, ProjectStatus, StarRating
from .rules import P, can_edit_at, can_edit_unit, can_log_for_unit, unit_only

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return max(2000, min(year, timezone.localdate().year))


def _page(request, qs, per=25):
    return Paginator(qs, per).get_page(request.GET.get("page"))


# --- units --------------------------------------------------------------------------------------

@login_required
def index(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    user = request.user
    year = timezone.localdate().year
    qs = selectors.units(user).annotate(
        n_deeds=Count("deeds", filter=Q(deeds__date__year=year), distinct=True),
        n_served=Count("agreements__region", distinct=True))
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    region_id = request.GET.get("region")
    regions = selectors.communities(user, P.VIEW).filter(kind="community")
    if region_id and region_id.isdigit():
        chosen = regions.filter(pk=int(region_id)).first()
        qs = qs.serving(chosen.path) if chosen else qs.none()
    cards = [
        ("驻区单位", selectors.units(user).count(), None),
        ("单位与社区结对", selectors.unit_link_count(user), reverse("cobuild:agreements")),
        ("共建协议", selectors.agreements(user).count(), reverse("cobuild:agreements")),
        ("待对接需求", selectors.unmatched_needs(user).count(), reverse("cobuild:matching")),
    ]
    return render(request, "cobuild/index.html", {
        "page": _page(request, qs.order_by("name")), "cards": cards, "q": q, "year": year,
        "regions": regions, "region_id": region_id,
        "can_edit": has_perm(user, P.EDIT) and not unit_only(user), "unit_only": unit_only(user),
    })


def _home_regions(user):
    """Where a unit may be located: the communities and streets of the user's scope and the nodes
    above them (a county bureau is located at the county)."""
    from accounts.scope import scope_paths
    from core.treepaths import SEGMENT, under_any
    from regions.models import Region

    kinds = ["district", "street", "community"]
    roots = scope_paths(user, P.EDIT)
    if roots is None:
        return Region.objects.filter(kind__in=kinds).order_by("path")
    above = {r[:n] for r in roots for n in range(SEGMENT, len(r), SEGMENT)}
    return (Region.objects.filter(kind__in=kinds).filter(under_any("path", roots) | Q(path__in=above))
            .order_by("path"))


def _unit_form(request, data=None, initial=None):
    user = request.user
    regions = _home_regions(user)
    orgs = scope_filter(PartyOrg.objects.filter(level__in=UNIT_LEVELS), user, P.VIEW)
    # Liaison accounts whose role sits inside the user's editing scope.
    from accounts.models import RoleAssignment

    assignments = scope_filter(RoleAssignment.objects.filter(role=Role.UNIT_LIAISON), user, P.EDIT,
                               "region__path")
    liaisons = User.objects.filter(pk__in=assignments.values("user_id")).order_by("username")
    return UnitForm(data, initial=initial, regions=regions, orgs=orgs, liaisons=liaisons)


@login_required
def unit_new(request):
    require_perm(request.user, P.EDIT, what="访问共驻共建")
    if unit_only(request.user):
        raise PermissionDenied("联络员不能登记驻区单位")
    form = _unit_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记驻区单位“{unit}”")
            return redirect("cobuild:unit", pk=unit.pk)
    return render(request, "cobuild/form.html", {"form": form, "title": "登记驻区单位", "back": "cobuild:index"})


@login_required
def unit_detail(request, pk: int):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    user = request.user
    unit = selectors.unit_get(user, pk)
    year = _year(request)
    edit_form = None
    if can_edit_unit(user, unit):
        edit_form = _unit_form(request, request.POST if request.method == "POST" else None, initial={
            "name": unit.name, "kind": unit.kind, "region": unit.region_id, "address": unit.address,
            "party_org": unit.party_org_id, "leader_name": unit.leader_name, "liaison": unit.liaison_id,
            "has_volunteer_team": unit.has_volunteer_team,
        })
        from regions.models import Region

        # where the unit is located, even when that is outside the editor's own choices
        edit_form.fields["region"].queryset = Region.objects.filter(
            Q(pk__in=edit_form.fields["region"].queryset.values("pk")) | Q(pk=unit.region_id)).order_by("path")
        edit_form.fields["region"].disabled = True
        if request.method == "POST" and edit_form.is_valid():
            d = dict(edit_form.cleaned_data)
            d.pop("region")
            try:
                services.unit_update(actor=user, unit=unit, **d)
            except ValidationError as exc:
                add_errors(edit_form, exc)
            else:
                messages.success(request, "已保存")
                return redirect("cobuild:unit", pk=unit.pk)
    elif request.method == "POST":
        raise PermissionDenied("您没有修改该驻区单位的权限")
    deeds = selectors.deeds(user).filter(unit=unit)
    served = selectors.unit_communities(user, unit, year)
    log_regions = [c.region for c in served if can_log_for_unit(user, unit, c.region)]
    return render(request, "cobuild/unit.html", {
        "unit": unit, "edit_form": edit_form, "year": year, "served": served,
        "served_total": unit.agreements.values("region_id").distinct().count(),
        "agreements": selectors.agreements(user).filter(unit=unit),
        "resources": selectors.resources(user).filter(unit=unit),
        "projects": selectors.projects(user).filter(unit=unit)[:20],
        "deeds": deeds[:20], "deed_count": deeds.filter(date__year=year).count(),
        "criticisms": selectors.criticisms(user).filter(unit=unit, year=year),
        "ratings": selectors.star_ratings(user, year).filter(unit=unit),
        "dual_members": selectors.unit_dual_members(unit),
        "resource_form": ResourceForm(regions=_regions(log_regions)) if log_regions else None,
        "can_log": bool(log_regions),
    })


@login_required
@require_POST
def resource_new(request, pk: int):
    require_perm(request.user, P.DEED, what="访问共驻共建")
    unit = selectors.unit_get(request.user, pk)
    form = ResourceForm(request.POST, regions=_regions(list(unit.communities())))
    agreement = None
    if request.POST.get("agreement"):
        agreement = selectors.agreement_get(request.user, request.POST["agreement"])
    if form.is_valid():
        try:
            services.resource_create(actor=request.user, unit=unit, agreement=agreement, **form.cleaned_data)
            messages.success(request, "已登记资源")
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e}" for f, es in form.errors.items() for e in es))
    if agreement:
        return redirect("cobuild:agreement", pk=agreement.pk)
    return redirect("cobuild:unit", pk=unit.pk)


# --- agreements ---------------------------------------------------------------------------------

def _regions(regions: list):
    from regions.models import Region

    return Region.objects.filter(pk__in=[r.pk for r in regions]).select_related("parent").order_by("path")


@login_required
def agreement_list(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    qs = selectors.agreements(request.user).annotate(
        n_needs=Count("needs", distinct=True), n_resources=Count("resources", distinct=True),
        n_projects=Count("projects", distinct=True)).order_by("-start", "id")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(unit__name__icontains=q))
    return render(request, "cobuild/agreements.html", {
        "page": _page(request, qs), "q": q,
        "can_edit": has_perm(request.user, P.EDIT) and not unit_only(request.user),
    })


@login_required
def agreement_new(request):
    require_perm(request.user, P.EDIT, what="访问共驻共建")
    if unit_only(request.user):
        raise PermissionDenied("联络员不能签订协议")
    user = request.user
    form = AgreementForm(request.POST or None, request.FILES or None, units=selectors.all_units(),
                         regions=selectors.communities(user), initial={"unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        try:
            a = services.agreement_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记共建协议“{a}”")
            return redirect("cobuild:agreement", pk=a.pk)
    return render(request, "cobuild/form.html", {"form": form, "title": "新建共建协议", "back": "cobuild:agreements",
                                                 "multipart": True})


@login_required
def agreement_detail(request, pk: int):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    user = request.user
    a = selectors.agreement_get(user, pk)
    can_edit = can_edit_at(user, a.region.path)
    return render(request, "cobuild/agreement.html", {
        "a": a, "can_edit": can_edit, "can_log": can_log_for_unit(user, a.unit, a.region),
        "needs": selectors.needs(user).filter(agreement=a),
        "resources": selectors.resources(user).filter(agreement=a),
        "projects": selectors.projects(user).filter(agreement=a),
        "need_form": NeedForm() if can_edit else None,
        "resource_form": ResourceForm() if can_log_for_unit(user, a.unit, a.region) else None,
        "doc_form": DocumentForm() if can_edit else None,
    })


@login_required
@require_POST
def agreement_document(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问共驻共建")
    a = selectors.agreement_get(request.user, pk)
    try:
        services.agreement_attach_document(actor=request.user, agreement=a, document=request.FILES.get("document"))
        messages.success(request, "已上传协议文本")
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("cobuild:agreement", pk=a.pk)


@login_required
@require_POST
def need_new(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问共驻共建")
    a = selectors.agreement_get(request.user, pk)
    form = NeedForm(request.POST)
    if form.is_valid():
        try:
            need = services.need_create(actor=request.user, region=a.region, agreement=a, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已登记需求“{need}”，请查看推荐的资源")
            return redirect("cobuild:need", pk=need.pk)
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e}" for f, es in form.errors.items() for e in es))
    return redirect("cobuild:agreement", pk=a.pk)


@login_required
def need_detail(request, pk: int):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    user = request.user
    need = selectors.need_get(user, pk)
    can_edit = can_edit_at(user, need.region.path)
    form = AcceptForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您没有对接该需求的权限")
        if form.is_valid():
            d = form.cleaned_data
            from .models import Resource

            resource = Resource.objects.filter(pk=d["resource"]).first()
            if resource is None:
                form.add_error(None, "所选资源不存在")
            else:
                try:
                    project = services.need_accept(actor=user, need=need, resource=resource, title=d["title"],
                                                   owner_name=d["owner_name"], deadline=d["deadline"],
                                                   budget=d["budget"])
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, f"已对接，项目“{project}”已建立")
                    return redirect("cobuild:project", pk=project.pk)
    return render(request, "cobuild/need.html", {
        "need": need, "proposals": selectors.proposals(need) if can_edit else [], "form": form,
        "can_edit": can_edit, "project": getattr(need, "project", None) if need.status == NeedStatus.MATCHED
        else None,
    })


@login_required
def matching(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    return render(request, "cobuild/matching.html", {
        "needs": selectors.unmatched_needs(request.user)[:100],
        "resources": selectors.idle_resources(request.user)[:100],
    })


# --- projects -----------------------------------------------------------------------------------

@login_required
def project_list(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    qs = selectors.projects(request.user)
    status = request.GET.get("status")
    if status in ProjectStatus.values:
        qs = qs.filter(status=status)
    return render(request, "cobuild/projects.html", {"page": _page(request, qs), "status": status,
                                                     "statuses": ProjectStatus.choices})


@login_required
def project_detail(request, pk: int):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    user = request.user
    project = selectors.project_get(user, pk)
    if request.method == "POST":
        try:
            services.project_complete(actor=user, project=project)
            messages.success(request, "项目已标记为完成")
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("cobuild:project", pk=project.pk)
    can_update = can_edit_at(user, project.region.path) or (
        project.unit and can_log_for_unit(user, project.unit, project.region))
    return render(request, "cobuild/project.html", {
        "project": project, "deeds": selectors.deeds(user).filter(project=project),
        "can_update": can_update and project.status == ProjectStatus.ACTIVE,
        "can_log": bool(project.unit and can_log_for_unit(user, project.unit, project.region)),
    })


# --- deeds and ledger ---------------------------------------------------------------------------

def _ledger_qs(request):
    qs = selectors.deeds(request.user).filter(date__year=_year(request))
    unit_id = request.GET.get("unit")
    if unit_id and unit_id.isdigit():
        qs = qs.filter(unit_id=int(unit_id))
    activity = request.GET.get("activity")
    if activity in Activity.values:
        qs = qs.filter(activity=activity)
    return qs


@login_required
def ledger(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    qs = _ledger_qs(request)
    return render(request, "cobuild/ledger.html", {
        "page": _page(request, qs.prefetch_related("participants")), "year": _year(request),
        "totals": selectors.ledger_totals(qs), "activities": Activity.choices,
        "activity": request.GET.get("activity") or "", "can_log": has_perm(request.user, P.DEED),
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    })


@login_required
def ledger_export(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    qs = _ledger_qs(request)
    year = _year(request)
    return audited_download(request, exports.ledger_xlsx(qs), filename=f"共驻共建台帐-{year}.xlsx", content_type=XLSX,
                            object_type="cobuild.deed", object_id=str(year), object_repr=f"{year} 年共驻共建台帐",
                            changes={"rows": [None, qs.count()]})


@login_required
def deed_new(request):
    require_perm(request.user, P.DEED, what="访问共驻共建")
    user = request.user
    unit_qs = selectors.units(user, P.DEED)
    project_qs = selectors.projects(user).filter(status=ProjectStatus.ACTIVE)
    initial = {"date": timezone.localdate(), "unit": request.GET.get("unit"), "project": request.GET.get("project")}
    if request.GET.get("project", "").isdigit():
        p = project_qs.filter(pk=int(request.GET["project"])).first()
        if p:
            initial.update(unit=p.unit_id, title=p.title)
    if unit_qs.count() == 1:
        initial["unit"] = unit_qs.first().pk
    if unit_only(user):
        from regions.models import Region

        deed_regions = Region.objects.filter(pk__in=selectors.agreements(user).values("region_id")).order_by("path")
    else:
        deed_regions = selectors.communities(user, P.DEED).filter(kind="community").order_by("path")
    form = DeedForm(request.POST or None, request.FILES or None, units=unit_qs, projects=project_qs,
                    regions=deed_regions.select_related("parent"), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d.pop("photos", None)
        try:
            deed = services.deed_create(actor=user, photos=request.FILES.getlist("photos"), **d)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记实事“{deed}”")
            if deed.project_id:
                return redirect("cobuild:project", pk=deed.project_id)
            return redirect(reverse("cobuild:ledger") + f"?year={deed.date.year}")
    return render(request, "cobuild/form.html", {"form": form, "title": "登记实事", "back": "cobuild:ledger",
                                                 "multipart": True})


@login_required
def deed_photo(request, pk: int, photo_pk: int):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    deed = selectors.deed_get(request.user, pk)
    ph = deed.photos.filter(pk=photo_pk).first()
    if ph is None:
        raise Http404("照片不存在")
    return serve_private(request, ph.image, obj=deed, label="实事照片")


@login_required
def agreement_file(request, pk: int):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    a = selectors.agreement_get(request.user, pk)
    ext = a.document.name.rsplit(".", 1)[-1] if "." in a.document.name else "pdf"
    return serve_private(request, a.document, obj=a, label="协议文本", filename=f"{a.title}.{ext}")


@login_required
def deed_detail(request, pk: int):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    deed = selectors.deed_get(request.user, pk)
    return render(request, "cobuild/deed.html", {"deed": deed})


@login_required
def shortfalls(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    year = _year(request)
    members = selectors.member_lines(request.user, year)
    return render(request, "cobuild/shortfalls.html", {
        "year": year, "rules": selectors.rules(), "deed_quota": selectors.deed_quota(),
        "units": selectors.unit_shortfalls(request.user, year),
        "members": members[:300], "members_total": len(members),
        "members_short": sum(1 for m in members if m.short),
    })


# --- pairings -----------------------------------------------------------------------------------

@login_required
def pairings(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    user = request.user
    regions = selectors.communities(user).filter(kind="community")
    can_add = has_perm(user, P.EDIT) and not unit_only(user)
    form = PairingForm(request.POST or None, regions=regions) if can_add else None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("您没有登记结对帮扶的权限")
        if form.is_valid():
            try:
                services.pairing_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已登记结对")
                return redirect("cobuild:pairings")
    return render(request, "cobuild/pairings.html", {
        "page": _page(request, selectors.pairings(user)), "form": form, "visit_form": VisitForm(
            initial={"date": timezone.localdate()}),
    })


@login_required
@require_POST
def pairing_visit(request, pk: int):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    pairing = get_in_scope_or_404(selectors.pairings(request.user), pk=pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            services.pairing_visit(actor=request.user, pairing=pairing, **form.cleaned_data)
            messages.success(request, "已登记走访")
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e}" for f, es in form.errors.items() for e in es))
    return redirect("cobuild:pairings")


# --- chronicle (the list and its generation are a page of dashboards/: they add the meetings held) ---

@login_required
def chronicle_edit(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问共驻共建")
    entry = get_in_scope_or_404(selectors.chronicle(request.user), pk=pk)
    form = ChronicleForm(request.POST or None, initial={"date": entry.date, "title": entry.title, "body": entry.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.chronicle_update(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect(reverse("cobuild:chronicle") + f"?year={entry.date.year}")
    return render(request, "cobuild/form.html", {"form": form, "title": "修改大事记", "back": "cobuild:chronicle"})


@login_required
def chronicle_export(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    if unit_only(request.user):
        raise PermissionDenied("大事记由社区及以上编写")
    year = _year(request)
    entries = selectors.chronicle(request.user).filter(date__year=year)
    return audited_download(request, exports.chronicle_docx(entries, f"{year} 年共驻共建大事记"),
                            filename=f"大事记-{year}.docx", content_type=DOCX, object_type="cobuild.chronicleentry",
                            object_id=str(year), object_repr=f"{year} 年大事记",
                            changes={"rows": [None, entries.count()]})


# --- star board (the board and its computation are a page of dashboards/: they use meeting attendance) ---

@login_required
def star_override(request, pk: int):
    require_perm(request.user, P.RATE, what="访问共驻共建")
    rating = StarRating.objects.filter(pk__in=scope_filter(StarRating.objects.all(), request.user, P.RATE)
                                       .values("pk"), pk=pk).select_related("unit", "region").first()
    if rating is None:
        raise Http404("不存在或不在您的管辖范围内")
    form = OverrideForm(request.POST or None,
                        initial={"stars": rating.stars, "override_reason": rating.override_reason})
    if request.method == "POST" and form.is_valid():
        try:
            services.star_override(actor=request.user, rating=rating, stars=form.cleaned_data["stars"],
                                   reason=form.cleaned_data["override_reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已调整“{rating.unit}”的星级")
            return redirect(reverse("cobuild:stars") + f"?year={rating.year}")
    return render(request, "cobuild/override.html", {"form": form, "rating": rating})


@login_required
def scores_export(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    year = _year(request)
    qs = selectors.star_ratings(request.user, year)
    return audited_download(request, exports.scores_xlsx(qs, selectors.rules().assessment_weight),
                            filename=f"共驻共建考核得分-{year}.xlsx", content_type=XLSX,
                            object_type="cobuild.starrating", object_id=str(year),
                            object_repr=f"{year} 年共驻共建考核得分", changes={"rows": [None, qs.count()]})


@login_required
def rules_edit(request):
    require_perm(request.user, P.VIEW, what="访问共驻共建")
    obj = selectors.rules()
    can_edit = has_perm(request.user, P.RULES)
    form = RulesForm(request.POST or None, initial={f: getattr(obj, f) for f in services.RULE_FIELDS})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有区委组织部管理员可以修改共驻共建规则")
        if form.is_valid():
            try:
                services.rules_update(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "规则已保存")
                return redirect("cobuild:rules")
    if not can_edit:
        for f in form.fields.values():
            f.disabled = True
    return render(request, "cobuild/rules.html", {"form": form, "can_edit": can_edit})
