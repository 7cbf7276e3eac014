"""Pages of the community workforce: the roster and a cadre's record (appointments, transfers, leaving,
contracts, certificates, ratings, awards, tracking, the masked personal data), the statistics and their
.xlsx, staffing compliance, training (courses, attendance, who falls short), reserve and selected cadres,
the rules. List pages answer 403 without the permission; a record outside the scope answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render

from accounts.scope import get_in_scope_or_404, has_perm, require_perm, scope_filter
from audit.downloads import audited_download
from audit.services import record_pii_view
from core.forms import add_errors
from members.forms import RevealForm
from regions.models import Region, RegionKind

from . import exports, selectors, services
from .forms import (
    AppointForm,
    AppraisalForm,
    AttendanceForm,
    AwardForm,
    CadreEditForm,
    CadreForm,
    CertificateForm,
    ContractForm,
    CourseForm,
    LeaveForm,
    RejoinForm,
    TrackForm,
    TrackNoteForm,
    TransferForm,
)
from .models import (
    Appraisal,
    CadreStatus,
    Certificate,
    Contract,
    CourseKind,
    Employment,
    Position,
    TrackKind,
)
from .rules import P

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHAT = "查看社区工作者队伍"


def _year(request) -> int:
    raw = request.GET.get("year", "")
    this = services.today().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this + 1 else this


def _community(request, actor):
    communities = selectors.communities(actor)
    raw = request.GET.get("community", "")
    chosen = communities.filter(pk=int(raw)).first() if raw.isdigit() else None
    return communities, chosen


# --- roster -----------------------------------------------------------------------------------

@login_required
def roster(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    communities, chosen = _community(request, request.user)
    q = request.GET.get("q", "").strip()[:50]
    position, employment = request.GET.get("position", ""), request.GET.get("employment", "")
    status = request.GET.get("status", CadreStatus.ACTIVE)
    qs = selectors.roster(request.user, community=chosen, q=q, position=position, employment=employment,
                          status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    paths = selectors.salary_paths(request.user)
    today = services.today()
    rows = [(c, selectors.masked(c), selectors.allowance_text(c, paths), c.age_on(today)) for c in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cadres/roster.html", {
        "page": page, "rows": rows, "communities": communities, "chosen": chosen, "q": q, "position": position,
        "employment": employment, "status": status, "positions": Position.choices,
        "employments": Employment.choices, "statuses": CadreStatus.choices, "query": query.urlencode(),
        "can_manage": has_perm(request.user, P.MANAGE),
    })


@login_required
def roster_xlsx(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    communities, chosen = _community(request, request.user)
    today = services.today()
    qs = selectors.roster(request.user, community=chosen).prefetch_related(
        Prefetch("contracts", queryset=Contract.objects.order_by("-start")),
        Prefetch("certificates", queryset=Certificate.objects.order_by("issued_on")))
    people = list(qs)
    ids = [c.pk for c in people]
    ratings = {a.cadre_id: a.get_rating_display()
               for a in Appraisal.objects.filter(cadre_id__in=ids, year=today.year - 1)}
    stats = selectors.stats_rows(request.user, today)
    if chosen is not None:
        stats = [r for r in stats if r.level == "community" and r.region.pk == chosen.pk]
    title = chosen.name if chosen else "管辖范围内"
    data = exports.roster_xlsx(title=title, cadres=people, stats=stats,
                               salary_paths=selectors.salary_paths(request.user), today=today,
                               training_days=selectors.course_days_by_cadre(ids, today.year), last_ratings=ratings)
    return audited_download(request, data, filename=f"社区工作者花名册{today:%Y%m%d}.xlsx", content_type=XLSX,
                            obj=chosen)


@login_required
def cadre_new(request):
    require_perm(request.user, P.MANAGE, what="登记社区工作者")
    communities = selectors.communities(request.user, P.MANAGE)
    initial = {"joined_on": services.today()}
    if request.GET.get("community", "").isdigit():
        initial["region"] = int(request.GET["community"])
    form = CadreForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            cadre = services.cadre_create(actor=request.user, **{k: d[k] for k in (
                "region", "name", "gender", "birth_date", "id_number", "mobile", "education", "position",
                "one_shoulder", "two_committees", "branch_committee", "employment", "monthly_allowance",
                "joined_on", "note", "contract_start", "contract_end", "document")})
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记{cadre.name}（{cadre.region.name} · {cadre.position_label}）")
            return redirect("cadres:detail", cadre.pk)
    return render(request, "cadres/form.html", {"form": form, "title": "登记社区工作者", "back": "cadres:roster"})


ACTIONS = {
    "appoint": AppointForm, "leave": LeaveForm, "contract": ContractForm, "certificate": CertificateForm,
    "appraisal": AppraisalForm, "award": AwardForm, "track": TrackForm, "edit": CadreEditForm,
}


def _do(action: str, actor, cadre, d: dict):
    if action == "appoint":
        return services.cadre_appoint(actor=actor, cadre=cadre, **d)
    if action == "transfer":
        return services.cadre_transfer(actor=actor, cadre=cadre, **d)
    if action == "leave":
        return services.cadre_leave(actor=actor, cadre=cadre, **d)
    if action == "rejoin":
        return services.cadre_rejoin(actor=actor, cadre=cadre, **d)
    if action == "contract":
        return services.contract_add(actor=actor, cadre=cadre, start=d["contract_start"], end=d["contract_end"],
                                     employer=d["employer"], note=d["note"])
    if action == "certificate":
        return services.certificate_add(actor=actor, cadre=cadre, name=d["cert_name"], number=d["number"],
                                        issued_on=d["issued_on"], valid_until=d["valid_until"])
    if action == "appraisal":
        return services.appraisal_set(actor=actor, cadre=cadre, **d)
    if action == "award":
        return services.award_add(actor=actor, cadre=cadre, title=d["title"], date=d["award_date"],
                                  issuer=d["issuer"])
    if action == "track":
        return services.track_open(actor=actor, cadre=cadre, **d)
    if action == "edit":
        return services.cadre_update(actor=actor, cadre=cadre, **d)
    raise PermissionDenied("无法识别的操作")


DONE = {"appoint": "已登记任职", "transfer": "已办理调动", "leave": "已办理离职", "rejoin": "已办理重新入职",
        "contract": "已登记聘用合同", "certificate": "已登记证书", "appraisal": "已登记年度考核",
        "award": "已登记表彰", "track": "已登记", "edit": "已保存"}


@login_required
def cadre_detail(request, pk):
    # No require_perm first: a record outside the scope (or without any right) is simply not there (404).
    cadre = get_in_scope_or_404(selectors.cadres(request.user), pk=pk)
    manage = selectors.can(request.user, P.MANAGE, cadre.region)
    today = services.today()
    manage_communities = selectors.communities(request.user, P.MANAGE)
    forms = {name: cls(initial={"date": today}) for name, cls in ACTIONS.items()}
    forms["edit"] = CadreEditForm(initial={
        "mobile": cadre.mobile, "education": cadre.education, "monthly_allowance": cadre.monthly_allowance,
        "two_committees": cadre.two_committees, "branch_committee": cadre.branch_committee, "note": cadre.note})
    forms["appoint"] = AppointForm(initial={"date": today, "two_committees": cadre.two_committees,
                                            "branch_committee": cadre.branch_committee})
    forms["appraisal"] = AppraisalForm(initial={"year": today.year - 1})
    forms["transfer"] = TransferForm(communities=manage_communities.exclude(pk=cadre.region_id),
                                     initial={"date": today})
    forms["rejoin"] = RejoinForm(communities=manage_communities, initial={"date": today, "region": cadre.region_id})
    revealed = False
    reveal_form = RevealForm(request.POST or None) if selectors.can(request.user, "pii.view_full",
                                                                     cadre.region) else None
    opened = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "reveal":
            if reveal_form is None:
                raise PermissionDenied("您没有查看完整个人信息的权限")
            if reveal_form.is_valid():
                with transaction.atomic():
                    record_pii_view(actor=request.user, obj=cadre, fields=["id_number", "mobile"],
                                    purpose=reveal_form.cleaned_data["purpose"])
                revealed = True
        elif action in forms:
            if not manage:
                raise PermissionDenied("您没有管理该社区工作者的权限")
            if action == "transfer":
                form = TransferForm(request.POST, communities=manage_communities.exclude(pk=cadre.region_id))
            elif action == "rejoin":
                form = RejoinForm(request.POST, communities=manage_communities)
            else:
                form = ACTIONS[action](request.POST)
            forms[action] = form
            opened = action
            if form.is_valid():
                try:
                    _do(action, request.user, cadre, form.cleaned_data)
                except ValidationError as exc:
                    add_errors(form, exc)
                else:
                    messages.success(request, DONE[action])
                    return redirect("cadres:detail", cadre.pk)
    paths = selectors.salary_paths(request.user)
    return render(request, "cadres/detail.html", {
        "c": cadre, "m": selectors.masked(cadre), "allowance": selectors.allowance_text(cadre, paths),
        "age": cadre.age_on(today), "manage": manage, "forms": forms, "opened": opened,
        "revealed": revealed, "reveal_form": reveal_form,
        "movements": cadre.movements.select_related("from_region", "to_region", "recorded_by"),
        "contracts": cadre.contracts.all(), "certificates": cadre.certificates.all(),
        "appraisals": cadre.appraisals.all(), "awards": cadre.awards.all(),
        "tracks": cadre.tracks.prefetch_related("notes"),
        "attendances": cadre.attendances.select_related("course").order_by("-course__start"),
        "training_days": selectors.course_days_by_cadre([cadre.pk], today.year).get(cadre.pk, 0),
        "year": today.year,
    })


# --- statistics -------------------------------------------------------------------------------

@login_required
def stats(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    rows = selectors.stats_rows(request.user, services.today())
    return render(request, "cadres/stats.html", {"rows": rows, "total": rows[-1].stats,
                                                 "today": services.today()})


# --- quotas -----------------------------------------------------------------------------------

@login_required
def quotas(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    rows = selectors.compliance(request.user)
    if request.GET.get("short") == "1":
        rows = [r for r in rows if r.shortfalls]
    return render(request, "cadres/quotas.html", {
        "rows": rows, "short_only": request.GET.get("short") == "1",
        "n_short": sum(1 for r in rows if r.shortfalls), "quotas": selectors.quotas(),
        "labels": selectors.type_labels(), "can_rules": has_perm(request.user, P.RULES),
    })


# --- training ---------------------------------------------------------------------------------

@login_required
def training(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    year = _year(request)
    communities, chosen = _community(request, request.user)
    gaps = selectors.training_gaps(request.user, year, community=chosen)
    page = Paginator(gaps, 50).get_page(request.GET.get("page"))
    course_list = selectors.courses(request.user).filter(start__year=year).order_by("-start", "-id")
    return render(request, "cadres/training.html", {
        "year": year, "years": list(range(services.today().year, services.today().year - 5, -1)),
        "gaps": page, "n_gaps": len(gaps), "courses": course_list, "minimums": selectors.minimums(),
        "communities": communities, "chosen": chosen, "can_manage": has_perm(request.user, P.MANAGE),
        "n_active": selectors.active(selectors.cadres(request.user)).filter(
            **({"region": chosen} if chosen else {})).count(),
    })


def _course_regions(actor):
    return scope_filter(Region.objects.filter(kind__in=[RegionKind.DISTRICT, RegionKind.STREET,
                                                        RegionKind.COMMUNITY]), actor, P.MANAGE, "path"
                        ).order_by("path")


@login_required
def course_new(request):
    require_perm(request.user, P.MANAGE, what="登记培训班")
    form = CourseForm(request.POST or None, regions=_course_regions(request.user),
                      initial={"kind": CourseKind.COUNTY_SCHOOL})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = services.course_create(actor=request.user, **d)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记培训班：{c.title}")
            return redirect("cadres:course", c.pk)
    return render(request, "cadres/form.html", {"form": form, "title": "登记培训班", "back": "cadres:training"})


@login_required
def course(request, pk):
    c = get_in_scope_or_404(selectors.courses(request.user), pk=pk)
    manage = has_perm(request.user, P.MANAGE)
    pool = selectors.active(selectors.cadres(request.user, P.MANAGE)).exclude(attendances__course=c)
    form = AttendanceForm(cadres=pool, initial={"passed": True})
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您没有登记参训的权限")
        form = AttendanceForm(request.POST, cadres=pool)
        if form.is_valid():
            d = form.cleaned_data
            try:
                a = services.attendance_record(actor=request.user, course=c, cadre=d["cadre"], days=d["days"],
                                               hours=d["hours"], passed=d["passed"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已登记{a.cadre.name}参训 {selectors.days_text(a.days)} 天")
                return redirect("cadres:course", c.pk)
    rows = selectors.attendances(request.user).filter(course=c).order_by("cadre__region__path", "cadre__name")
    return render(request, "cadres/course.html", {"c": c, "rows": rows, "form": form, "manage": manage})


# --- reserve and selected cadres ----------------------------------------------------------------

@login_required
def tracks(request):
    require_perm(request.user, P.VIEW, what=WHAT)
    kind = request.GET.get("kind", "")
    qs = selectors.tracks(request.user).prefetch_related("notes").order_by("kind", "-since", "-id")
    if kind in TrackKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "cadres/tracks.html", {"page": page, "kind": kind, "kinds": TrackKind.choices,
                                                  "today": services.today()})


@login_required
def track(request, pk):
    t = get_in_scope_or_404(selectors.tracks(request.user), pk=pk)
    manage = selectors.can(request.user, P.MANAGE, t.cadre.region)
    form = TrackNoteForm(request.POST or None, initial={"date": services.today()})
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您没有记录跟踪情况的权限")
        if form.is_valid():
            try:
                services.track_note_add(actor=request.user, track=t, date=form.cleaned_data["date"],
                                        text_=form.cleaned_data["text"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已记录跟踪情况")
                return redirect("cadres:track", t.pk)
    return render(request, "cadres/track.html", {"t": t, "notes": t.notes.select_related("recorded_by"),
                                                 "form": form, "manage": manage})


# --- rules ------------------------------------------------------------------------------------

@login_required
def rules(request):
    require_perm(request.user, P.RULES, what="修改人员配备标准和培训要求")
    quota_rows = list(selectors.quotas().values())
    minimum_rows = selectors.minimums()
    labels = selectors.type_labels()
    errors = {}
    if request.method == "POST":
        q_values = {q.community_type: {k: request.POST.get(f"{q.community_type}_{k}", "") for k in (
            "min_admin", "min_career", "min_welfare", "min_staff", "residents_per_grid_worker")}
            for q in quota_rows}
        m_values = {m.kind: {k: request.POST.get(f"{m.kind}_{k}", "") for k in ("min_sessions", "min_days")}
                    for m in minimum_rows}
        try:
            with transaction.atomic():
                services.quotas_update(actor=request.user, values=q_values)
                services.minimums_update(actor=request.user, values=m_values)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, "已保存人员配备标准和培训要求")
            return redirect("cadres:rules")
    return render(request, "cadres/rules.html", {
        "quotas": [(q, labels.get(q.community_type, q.community_type)) for q in quota_rows],
        "minimums": minimum_rows, "errors": errors, "posted": request.POST if request.method == "POST" else None,
    })

