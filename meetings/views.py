from __future__ import annotations

import calendar as pycal
from collections import defaultdict
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.scope import has_perm, has_perm_at, require_perm, scope_filter
from cobuild import selectors as cobuild_selectors
from core.forms import add_errors, flash_errors
from core.treepaths import under
from regions.models import Region, RegionKind

from . import selectors, services
from .forms import (
    BodyForm,
    MeetingCancelForm,
    MeetingEditForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    ReplyForm,
    ResolutionForm,
)
from .models import AttendanceReply, AttendanceStatus, BodyKind, Resolution
from .rules import P


def _form_errors(request, form) -> None:
    messages.error(request, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e}"
                                     for f, es in form.errors.items() for e in es))


@login_required
def index(request):
    require_perm(request.user, P.VIEW, what="访问议事机构")
    body_list = list(selectors.bodies(request.user).filter(active=True))
    statuses = selectors.body_statuses(body_list)
    kind = request.GET.get("kind")
    if kind in BodyKind.values:
        statuses = [s for s in statuses if s.body.kind == kind]
    return render(request, "meetings/index.html", {
        "statuses": statuses, "missed": [s for s in statuses if s.missed], "kinds": BodyKind.choices, "kind": kind,
        "can_edit": has_perm(request.user, P.EDIT), "rules": selectors.cadence_rules().values(),
    })


@login_required
@require_POST
def check(request):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    flagged = services.cadence_check(actor=request.user, body_qs=selectors.bodies(request.user, P.EDIT)
                                     .filter(active=True))
    if flagged:
        messages.warning(request, f"{len(flagged)} 个议事机构未按期开会，已提醒其秘书：" + "、".join(map(str, flagged)))
    else:
        messages.success(request, "没有新发现未按期开会的议事机构")
    return redirect("meetings:index")


def _body_form(request, data=None):
    regions = scope_filter(Region.objects.filter(kind__in=[RegionKind.DISTRICT, RegionKind.STREET,
                                                           RegionKind.COMMUNITY]), request.user, P.EDIT)
    users = User.objects.filter(is_active=True, role_assignments__region__in=regions).distinct().order_by("username")
    return BodyForm(data, regions=regions, users=users)


@login_required
def body_new(request):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    form = _body_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = services.body_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已设立“{body}”")
            return redirect("meetings:body", pk=body.pk)
    return render(request, "meetings/form.html", {"form": form, "title": "设立议事机构"})


@login_required
def body_detail(request, pk: int):
    require_perm(request.user, P.VIEW, what="访问议事机构")
    body = selectors.body_get(request.user, pk)
    can_edit = has_perm_at(request.user, P.EDIT, body.region.path)
    year = timezone.localdate().year
    units = cobuild_selectors.units(request.user).filter(under("region__path", body.region.path))
    status = selectors.body_statuses([body])[0]
    return render(request, "meetings/body.html", {
        "body": body, "status": status, "can_edit": can_edit, "year": year,
        "members": body.members.select_related("unit"),
        "turns": body.chair_turns.filter(start__year=year).select_related("unit"),
        "meetings": Paginator(body.meetings.all(), 20).get_page(request.GET.get("page")),
        "member_form": MemberForm(units=units) if can_edit else None,
        "meeting_form": MeetingForm(initial={"date": timezone.localdate()}) if can_edit else None,
    })


@login_required
@require_POST
def member_add(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    body = selectors.body_get(request.user, pk, P.EDIT)
    form = MemberForm(request.POST, units=cobuild_selectors.units(request.user))
    if form.is_valid():
        try:
            m = services.member_add(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            invited = m.invited_meetings
            messages.success(request, f"已添加成员“{m}”" + (
                f"，并邀请其参加 {len(invited)} 次尚未召开的会议：" + "、".join(mt.title for mt in invited)
                if invited else ""))
    else:
        _form_errors(request, form)
    return redirect("meetings:body", pk=body.pk)


@login_required
@require_POST
def member_remove(request, pk: int, member_pk: int):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    body = selectors.body_get(request.user, pk, P.EDIT)
    member = get_object_or_404(body.members.select_related("unit"), pk=member_pk)
    label = str(member)
    try:
        withdrawn = services.member_remove(actor=request.user, member=member)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("meetings:body", pk=body.pk)
    messages.success(request, f"已移除成员“{label}”" + (
        f"，并撤回其对 {len(withdrawn)} 次尚未召开的会议的邀请" if withdrawn else "") + "；已召开会议的出席记录保留")
    if member.unit_id and body.rotating_chair:
        turns = body.chair_turns.filter(unit_id=member.unit_id, end__gte=timezone.localdate()).count()
        if turns:
            messages.warning(request, f"“{label}”仍在轮值会长安排中（{turns} 期），如需调整请重新生成轮值安排")
    return redirect("meetings:body", pk=body.pk)


@login_required
@require_POST
def chair_generate(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    body = selectors.body_get(request.user, pk, P.EDIT)
    try:
        turns = services.chair_schedule_generate(actor=request.user, body=body, year=timezone.localdate().year)
        messages.success(request, f"已生成 {len(turns)} 期轮值会长安排")
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("meetings:body", pk=body.pk)


@login_required
@require_POST
def meeting_new(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    body = selectors.body_get(request.user, pk, P.EDIT)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            m = services.meeting_create(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已安排会议“{m}”，已邀请全体成员")
            return redirect("meetings:meeting", pk=m.pk)
    else:
        _form_errors(request, form)
    return redirect("meetings:body", pk=body.pk)


@login_required
def meeting_detail(request, pk: int):
    require_perm(request.user, P.VIEW, what="访问议事机构")
    m = selectors.meeting_get(request.user, pk)
    can_edit = has_perm_at(request.user, P.EDIT, m.body.region.path)
    units = cobuild_selectors.units(request.user).filter(under("region__path", m.body.region.path))
    attendances = list(m.attendances.select_related("unit"))
    replies = {r: sum(1 for a in attendances if a.reply == r) for r in AttendanceReply.values}
    return render(request, "meetings/meeting.html", {
        "m": m, "can_edit": can_edit, "attendances": attendances,
        "replies": {"attend": replies[AttendanceReply.ATTEND], "leave": replies[AttendanceReply.LEAVE],
                    "none": sum(1 for a in attendances if a.unit_id and not a.reply)},
        "statuses": [(s.value, s.label) for s in AttendanceStatus if s != AttendanceStatus.INVITED],
        "resolutions": m.resolutions.select_related("project"),
        "minutes_form": MinutesForm(initial={"minutes": m.minutes}) if can_edit else None,
        "resolution_form": ResolutionForm(units=units) if can_edit and not m.cancelled else None,
        "is_past": m.date <= timezone.localdate() and not m.cancelled,
        "cancel_form": MeetingCancelForm(auto_id="id_cancel_%s") if can_edit and m.editable else None,
    })


@login_required
def meeting_edit(request, pk: int):
    """Edit a scheduled meeting that has not started (staff who may schedule it)."""
    require_perm(request.user, P.EDIT, what="访问议事机构")
    m = selectors.meeting_get(request.user, pk, P.EDIT)
    if not m.editable:
        messages.error(request, "会议已开始、已召开或已取消，不能修改")
        return redirect("meetings:meeting", pk=m.pk)
    form = MeetingEditForm(request.POST or None, initial={
        "title": m.title, "date": m.date, "start_time": m.start_time, "place": m.place, "agenda": m.agenda})
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.meeting_update(actor=request.user, meeting=m, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if not changes:
                messages.info(request, "会议信息没有变化")
            else:
                notified = {"date", "start_time", "place"} & set(changes)
                messages.success(request, "已修改会议" + ("，已通知受邀单位的联络员" if notified else ""))
            return redirect("meetings:meeting", pk=m.pk)
    return render(request, "meetings/form.html", {
        "form": form, "title": f"修改会议：{m.title}", "back": reverse("meetings:meeting", args=[m.pk]),
        "hint": "修改日期、时间或地点后，将通知受邀单位的联络员；已提交的回执保留，时间变化时请其确认。"})


@login_required
@require_POST
def meeting_cancel(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    m = selectors.meeting_get(request.user, pk, P.EDIT)
    form = MeetingCancelForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("meetings:meeting", pk=m.pk)
    try:
        services.meeting_cancel(actor=request.user, meeting=m, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已取消会议“{m.title}”，已通知受邀单位的联络员")
    return redirect("meetings:meeting", pk=m.pk)


@login_required
@require_POST
def attendance(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    m = selectors.meeting_get(request.user, pk)
    statuses = {}
    for key, value in request.POST.items():
        if key.startswith("a-") and key[2:].isdigit():
            statuses[int(key[2:])] = value
    try:
        services.attendance_record(actor=request.user, meeting=m, statuses=statuses)
        messages.success(request, "已登记出席情况")
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("meetings:meeting", pk=m.pk)


@login_required
@require_POST
def minutes(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    m = selectors.meeting_get(request.user, pk)
    try:
        services.minutes_save(actor=request.user, meeting=m, minutes=request.POST.get("minutes", ""))
        messages.success(request, "已保存会议纪要")
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("meetings:meeting", pk=m.pk)


@login_required
@require_POST
def resolution_new(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    m = selectors.meeting_get(request.user, pk)
    form = ResolutionForm(request.POST, units=cobuild_selectors.units(request.user))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.resolution_create(actor=request.user, meeting=m, text=d["text"], kind=d["kind"],
                                       owner_name=d["owner_name"], deadline=d["deadline"],
                                       budget=d["budget"] or 0, unit=d["unit"])
            messages.success(request, "已登记决议")
        except ValidationError as exc:
            flash_errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect("meetings:meeting", pk=m.pk)


@login_required
@require_POST
def resolution_done(request, pk: int):
    require_perm(request.user, P.EDIT, what="访问议事机构")
    res = get_object_or_404(Resolution.objects.select_related("meeting__body__region"), pk=pk,
                            meeting__in=selectors.meetings(request.user))
    try:
        services.resolution_done(actor=request.user, resolution=res)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("meetings:meeting", pk=res.meeting_id)


@login_required
def calendar(request):
    require_perm(request.user, P.VIEW, what="访问议事机构")
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in (request.GET.get("month") or f"{today:%Y-%m}").split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        first = date(today.year, today.month, 1)
    days: dict[date, list] = defaultdict(list)
    for m in selectors.calendar(request.user, first.year, first.month):
        days[m.date].append(m)
    weeks = []
    for week in pycal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append([(d, d.month == first.month, days.get(d, [])) for d in week])
    prev_m = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    next_m = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    statuses = selectors.body_statuses(list(selectors.bodies(request.user).filter(active=True)))
    return render(request, "meetings/calendar.html", {
        "first": first, "weeks": weeks, "prev": prev_m, "next": next_m, "today": today,
        "listing": sorted(days.items()),
        "due": [s for s in statuses if s.current and not s.current_done and not s.planned_in_period],
    })


@login_required
def rules(request):
    require_perm(request.user, P.VIEW, what="访问议事机构")
    can_edit = has_perm(request.user, P.RULES)
    current = selectors.cadence_rules()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有区委组织部管理员可以修改会议频次")
        try:
            values = {}
            for kind in BodyKind.values:
                raw = request.POST.get(f"months-{kind}")
                if raw is None:
                    continue
                try:
                    values[kind] = (int(raw), bool(request.POST.get(f"year_end-{kind}")))
                except ValueError as exc:
                    raise ValidationError({"months": f"{BodyKind(kind).label}的周期应为整数"}) from exc
            services.cadences_update(actor=request.user, values=values)
            messages.success(request, "会议频次已保存")
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("meetings:rules")
    return render(request, "meetings/rules.html", {"rules": current.values(), "can_edit": can_edit})


# --- a resident unit's liaison: 我单位的会议 ------------------------------------------------------
# Only the liaison's own units: the meetings of the bodies they belong to (others answer 404), their
# own invitation, reply and attendance, and the resolutions that concern them. Never the minutes,
# the other invitees or their attendance, and nothing to edit but the unit's own reply.

def _liaison_units(request) -> list:
    if not has_perm(request.user, P.UNIT):
        raise PermissionDenied("“我单位的会议”仅供驻区单位联络员使用")
    units = list(selectors.liaison_units(request.user))
    if not units:
        raise PermissionDenied("您的账号还不是任何驻区单位的联络员，请联系所在社区设置")
    return units


@login_required
def unit_meetings(request):
    units = _liaison_units(request)
    unit = units[0]
    if request.GET.get("unit"):
        unit = next((u for u in units if str(u.pk) == request.GET["unit"]), None)
        if unit is None:
            raise Http404("不存在或不是您联络的单位")
    return render(request, "meetings/unit_meetings.html", {
        "units": units, "unit": unit, "d": selectors.unit_meetings(unit, page=request.GET.get("page")),
        "today": timezone.localdate(),
    })


def _render_unit_meeting(request, m, units, bound=None):
    rows = {a.unit_id: a for a in m.attendances.filter(unit__in=units).select_related("unit")}
    member_ids = set(m.body.members.filter(unit__in=units).values_list("unit_id", flat=True))
    entries = []
    for u in units:
        a = rows.get(u.pk)
        mine = bound is not None and bound[0] == u.pk
        if a is None and u.pk not in member_ids and not mine:
            continue
        form, errors = None, []
        if a is not None and m.editable and a.status == AttendanceStatus.INVITED:
            form = bound[1] if mine else ReplyForm(
                initial={"reply": a.reply or None, "reply_name": a.reply_name, "reply_reason": a.reply_reason},
                auto_id=f"id_r{u.pk}_%s")
        elif mine:  # refused, and there is no form left to show the reason on
            errors = [e for es in bound[1].errors.values() for e in es]
        entries.append({"unit": u, "a": a, "form": form, "errors": errors})
    return render(request, "meetings/unit_meeting.html", {
        "m": m, "entries": entries, "is_chair": m.chair_unit_id in {u.pk for u in units},
        "resolutions": selectors.unit_resolutions(units).filter(meeting=m).order_by("id"),
    })


@login_required
def unit_meeting(request, pk: int):
    units = _liaison_units(request)
    return _render_unit_meeting(request, selectors.liaison_meeting_get(request.user, pk), units)


@login_required
@require_POST
def attendance_reply(request, pk: int):
    units = _liaison_units(request)
    m = selectors.liaison_meeting_get(request.user, pk)
    raw = request.POST.get("unit")
    unit = next((u for u in units if str(u.pk) == raw), None) if raw else (units[0] if len(units) == 1 else None)
    if unit is None:
        raise Http404("不存在或不是您联络的单位")
    form = ReplyForm(request.POST, auto_id=f"id_r{unit.pk}_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            a = services.attendance_reply(actor=request.user, meeting=m, unit=unit, reply=d["reply"],
                                          name=d["reply_name"], reason=d["reply_reason"])
        except ValidationError as exc:
            add_errors(form, exc)
            for name in form.errors:
                if name in form.fields:
                    form.fields[name].widget.attrs["class"] += " is-invalid"
        else:
            messages.success(request, f"已提交回执：{unit} {a.get_reply_display()}")
            return redirect("meetings:unit_meeting", pk=m.pk)
    return _render_unit_meeting(request, m, units, bound=(unit.pk, form))
