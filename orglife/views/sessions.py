"""Pages of 三会一课 and 主题党日: the list, a session (attendance, record, photos, the .docx), the
cadence page, and a member's own record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.scope import has_perm, scope_filter
from accounts.views import add_errors
from audit.downloads import audited_download, serve_private
from members.models import MobileRecord, PartyMember

from .. import documents, selectors, services
from ..forms import MinutesForm, PhotoForm, SessionForm
from ..models import ATTENDED, AttendanceStatus, SessionKind, SessionPhoto
from ..rules import P
from ..services.common import today


def need(request, perm: str = P.VIEW) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied("您没有访问此页面的权限")


def flash_errors(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@login_required
def session_list(request):
    need(request)
    qs = selectors.sessions(request.user).order_by("-date", "-id")
    kind, org_id, year = request.GET.get("kind", ""), request.GET.get("org", ""), request.GET.get("year", "")
    if kind in SessionKind.values:
        qs = qs.filter(kind=kind)
    if org_id.isdigit():
        qs = qs.filter(org_id=int(org_id))
    if year.isdigit() and 2000 <= int(year) <= 2100:
        qs = qs.filter(date__year=int(year))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "orglife/sessions.html", {
        "page": page, "kinds": SessionKind.choices, "kind": kind, "org_id": org_id,
        "orgs": selectors.living_orgs(request.user), "can_manage": has_perm(request.user, P.MANAGE),
    })


@login_required
def session_new(request):
    need(request, P.MANAGE)
    orgs = selectors.living_orgs(request.user, P.MANAGE)
    initial = {"date": today(), "kind": request.GET.get("kind", SessionKind.THEME_DAY)}
    if request.GET.get("org", "").isdigit():
        initial["org"] = int(request.GET["org"])
    form = SessionForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.session_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记：{s}")
            return redirect("orglife:session", s.pk)
    return render(request, "orglife/form.html", {"form": form, "title": "登记组织生活", "back": "orglife:sessions"})


def _attendance_rows(session):
    """What the attendance form shows: each eligible member with what is recorded (or a default:
    a member who is away attends online)."""
    recorded = {a.member_id: a for a in selectors.attendance_rows(session)}
    recorded_any = bool(recorded)  # once attendance is recorded, a member added later starts as 未登记
    away = selectors.outflow_member_ids(session.org)
    rows = []
    for m, inflow in selectors.eligible_members(session.org):
        a = recorded.pop(m.pk, None)
        default = AttendanceStatus.ONLINE if m.pk in away else AttendanceStatus.PRESENT
        rows.append({"member": m, "inflow": inflow, "away": m.pk in away,
                     "status": a.status if a else ("" if recorded_any else default), "reason": a.reason if a else ""})
    for a in recorded.values():  # recorded earlier, no longer eligible (transferred, returned)
        rows.append({"member": a.member, "inflow": a.inflow, "away": False, "status": a.status, "reason": a.reason})
    return rows


@login_required
def session_detail(request, pk):
    need(request)
    s = selectors.session_get(request.user, pk)
    manage = selectors.can_manage(request.user, s.org)
    came = s.date <= today()
    minutes_form = MinutesForm(initial={"minutes": s.minutes, "resolutions": s.resolutions,
                                        "recorder_name": s.recorder_name})
    photo_form = PhotoForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not manage:
        raise PermissionDenied("您没有管理该组织生活的权限")
    if action == "attendance":
        rows = {}
        for key, value in request.POST.items():
            if key.startswith("status_") and key[7:].isdigit() and value:  # 未登记: left out
                rows[int(key[7:])] = (value, request.POST.get(f"reason_{key[7:]}", ""))
        try:
            services.attendance_record(actor=request.user, session=s, rows=rows)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已保存参加情况")
            return redirect("orglife:session", s.pk)
    elif action == "minutes":
        minutes_form = MinutesForm(request.POST)
        if minutes_form.is_valid():
            try:
                services.session_minutes_save(actor=request.user, session=s, **minutes_form.cleaned_data)
            except ValidationError as exc:
                add_errors(minutes_form, exc)
            else:
                messages.success(request, "已保存会议记录")
                return redirect("orglife:session", s.pk)
    elif action == "photo":
        photo_form = PhotoForm(request.POST, request.FILES)
        if photo_form.is_valid():
            try:
                services.session_photo_add(actor=request.user, session=s, photo=photo_form.cleaned_data["photo"])
            except ValidationError as exc:
                add_errors(photo_form, exc)
            else:
                messages.success(request, "已上传照片")
                return redirect("orglife:session", s.pk)
    s.refresh_from_db()
    recorded = selectors.attendance_rows(s)
    attended = sum(1 for a in recorded if a.status in ATTENDED)
    online = sum(1 for a in recorded if a.status == AttendanceStatus.ONLINE)
    return render(request, "orglife/session.html", {
        "s": s, "manage": manage, "came": came, "rows": _attendance_rows(s) if manage and came else None,
        "recorded": recorded, "attended": attended, "online": online, "statuses": AttendanceStatus.choices,
        "minutes_form": minutes_form, "photo_form": photo_form, "photos": list(s.photos.all()),
    })


@login_required
def session_docx(request, pk):
    need(request)
    s = selectors.session_get(request.user, pk)
    data = documents.session_docx(s, selectors.attendance_rows(s))
    return audited_download(request, data, filename=f"{s.org.name}{s.get_kind_display()}记录{s.date:%Y%m%d}.docx",
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            obj=s)


@login_required
def session_photo(request, pk):
    need(request)
    photo = get_object_or_404(SessionPhoto.objects.select_related("session"), pk=pk)
    s = selectors.session_get(request.user, photo.session_id)
    return serve_private(request, photo.photo, obj=s, label="组织生活照片")


@login_required
def cadence(request):
    need(request)
    orgs = selectors.living_orgs(request.user)
    if request.GET.get("org", "").isdigit():
        orgs = orgs.filter(pk=int(request.GET["org"]))
    statuses = selectors.org_statuses(list(orgs[:300]))
    statuses.sort(key=lambda st: (not st.missed, st.org.region.path))
    flags = selectors.flags(request.user).order_by("-flagged_at")[:50]
    rules = sorted(selectors.cadence_rules().values(), key=lambda r: (r.org_form, r.kind))
    return render(request, "orglife/cadence.html", {
        "statuses": statuses, "flags": flags, "rules": rules, "can_manage": has_perm(request.user, P.MANAGE),
        "can_rules": has_perm(request.user, P.RULES), "months": [0, 1, 2, 3, 6, 12],
    })


@login_required
@require_POST
def cadence_check(request):
    need(request, P.MANAGE)
    made = services.cadence_check(actor=request.user, org_qs=selectors.living_orgs(request.user, P.MANAGE))
    messages.success(request, f"检查完成，新发现 {len(made)} 项未按期开展的组织生活，已提醒相关党组织" if made
                     else "检查完成，没有新的缺项")
    return redirect("orglife:cadence")


@login_required
@require_POST
def cadence_rules(request):
    need(request, P.RULES)
    values = {}
    for r in selectors.cadence_rules().values():
        raw = request.POST.get(f"months_{r.pk}", "")
        if raw.isdigit():
            values[(r.org_form, r.kind)] = int(raw)
    try:
        services.cadence_update(actor=request.user, values=values)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已保存组织生活频次")
    return redirect("orglife:cadence")


def _my_member(request) -> PartyMember:
    member = selectors.own_member(request.user)
    if member is None:
        raise Http404("您的账号尚未关联党员档案")
    return member


@login_required
def my(request):
    member = _my_member(request)
    rows = list(selectors.member_attendance(member)[:100])
    attended = sum(1 for a in rows if a.status in ATTENDED)
    return render(request, "orglife/my.html", {"member": member, "rows": rows, "attended": attended,
                                               **_my_extra(request, member)})


def _my_extra(request, member) -> dict:
    """The member's reviews (民主评议党员), with the self-assessment form while a review is open."""
    return {"reviews": list(selectors.own_review_entries(member)[:10])}


@login_required
def member_life(request, pk):
    """A member's organizational life at every organization (a mobile member's inflow included),
    for whoever sees the member's own organization or the one they flowed into."""
    need(request)
    inflow = MobileRecord.objects.filter(ended_on__isnull=True).values("member_id")
    qs = scope_filter(PartyMember.objects.select_related("org"), request.user, P.VIEW)
    visible = PartyMember.objects.filter(Q(pk__in=qs.values("pk")) | Q(
        pk__in=scope_filter(MobileRecord.objects.filter(member_id__in=inflow, ended_on__isnull=True),
                            request.user, P.VIEW, "destination_org__region__path").values("member_id")))
    member = get_object_or_404(visible.select_related("org"), pk=pk)
    rows = list(selectors.member_attendance(member)[:200])
    return render(request, "orglife/member.html", {"member": member, "rows": rows,
                                                   "attended": sum(1 for a in rows if a.status in ATTENDED)})


@login_required
def stats(request):
    """Statistics per organization and year, charted; ?format=xlsx for the workbook."""
    from .. import stats as st

    need(request)
    orgs = list(selectors.living_orgs(request.user)[:300])
    year_raw = request.GET.get("year", "")
    year = int(year_raw) if year_raw.isdigit() and 2000 <= int(year_raw) <= today().year else today().year
    org_id = request.GET.get("org", "")
    chosen = [o for o in orgs if str(o.pk) == org_id] or orgs
    rows = st.year_stats(chosen, year)
    growth = st.growth_series(chosen, year)
    title = chosen[0].name if len(chosen) == 1 else "管辖范围内"
    if request.GET.get("format") == "xlsx":
        return audited_download(request, st.stats_xlsx(title, year, rows, growth),
                                filename=f"{title}{year}年组织生活统计.xlsx",
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                object_type="orglife.stats", object_repr=f"{title}{year}年组织生活统计")
    kinds = [(k, label, sum(r.held.get(k, 0) for r in rows), sum(r.required.get(k, 0) for r in rows))
             for k, label in st.KINDS]
    expected = sum(r.expected for r in rows)
    attended = sum(r.attended for r in rows)
    return render(request, "orglife/stats.html", {
        "rows": rows, "year": year, "years": list(range(today().year, today().year - 5, -1)), "orgs": orgs,
        "org_id": org_id, "kinds": [k for k in kinds if k[3]], "growth": growth,
        "rate": round(100 * attended / expected, 1) if expected else None,
        "online": sum(r.online for r in rows), "attended": attended,
        "chart_sessions": [[label, held, req] for _k, label, held, req in kinds if req],
        "chart_growth": growth,
    })
