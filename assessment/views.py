"""Pages of the command system: parse, call a service or a selector, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.scope import has_perm, has_perm_at, scope_filter, scope_paths
from accounts.views import add_errors
from audit.downloads import serve_private
from regions.models import Region, RegionKind

from . import selectors, services
from .documents import assignment_letter_docx
from .forms import (
    AspectForm,
    AssignForm,
    DecisionForm,
    DispatchForm,
    KeyTaskForm,
    ProblemForm,
    ProblemStepForm,
    ProgressForm,
    TaskListForm,
    WeeklyLogForm,
)
from .models import (
    AssignmentStatus,
    DispatchItem,
    Evidence,
    EvidenceKind,
    KeyTask,
    Level,
    ListStatus,
    ProblemStatus,
)
from .rules import P

STATES = [("open", "未完成"), ("unsigned", "待签收"), ("overdue", "已超期"), ("escalated", "已升级"),
          ("done", "已完成"), ("all", "全部")]


def _need(request, perm=P.VIEW):
    if not has_perm(request.user, perm):
        raise PermissionDenied("您没有访问督查考核的权限")


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _form_errors(request, form) -> None:
    messages.error(request, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e}".lstrip("：")
                                     for f, es in form.errors.items() for e in es))


def _own_nodes(request, kinds) -> list[Region]:
    """The nodes the user answers for (holds a reporting role at), of the given kinds."""
    roots = scope_paths(request.user, P.REPORT)
    qs = Region.objects.filter(kind__in=kinds)
    return list(qs if roots is None else qs.filter(path__in=roots))


# ---------------------------------------------------------------- assignments

@login_required
def index(request):
    _need(request)
    state = request.GET.get("state") or "open"
    qs = selectors.assignment_list(request.user, state="" if state == "all" else state)
    return render(request, "assessment/index.html", {
        "page": Paginator(qs, 30).get_page(request.GET.get("page")), "state": state, "states": STATES,
        "counts": selectors.counts(request.user), "to_sign": selectors.to_sign(request.user)[:20],
        "can_direct": has_perm(request.user, P.DIRECT), "today": timezone.localdate(),
    })


@login_required
def lists(request):
    _need(request, P.DIRECT)
    districts = scope_filter(Region.objects.filter(kind=RegionKind.DISTRICT), request.user, P.DIRECT)
    year = timezone.localdate().year
    form = TaskListForm(request.POST or None,
                        initial={"year": year, "title": f"{year}年城市基层党建责任清单和任务清单"})
    if request.method == "POST" and form.is_valid():
        district = districts.first()
        if district is None:
            raise PermissionDenied("任务清单由区（县）委组织部编制")
        try:
            tl = services.tasklist_create(actor=request.user, region=district, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已新建“{tl}”")
            return redirect("assessment:list", pk=tl.pk)
    return render(request, "assessment/lists.html", {
        "lists": selectors.task_lists(request.user).prefetch_related("aspects"), "form": form,
        "can_create": districts.exists(),
    })


@login_required
def list_detail(request, pk: int):
    _need(request, P.DIRECT)
    tl = selectors.task_list_get(request.user, pk)
    aspects = list(tl.aspects.prefetch_related("tasks__assignments"))
    draft = tl.status == ListStatus.DRAFT and has_perm_at(request.user, P.DIRECT, tl.region.path)
    return render(request, "assessment/list.html", {
        "tl": tl, "aspects": aspects, "draft": draft, "task_count": sum(len(a.tasks.all()) for a in aspects),
        "aspect_form": AspectForm() if draft else None,
        "task_form": KeyTaskForm(aspects=tl.aspects.all(), initial={"deadline": date(tl.year, 12, 31)})
        if draft else None,
    })


@login_required
@require_POST
def list_action(request, pk: int, action: str):
    _need(request, P.DIRECT)
    tl = selectors.task_list_get(request.user, pk)
    try:
        if action == "aspect":
            form = AspectForm(request.POST)
            if not form.is_valid():
                return _bad(request, form, "assessment:list", tl.pk)
            services.aspect_add(actor=request.user, task_list=tl, **form.cleaned_data)
            messages.success(request, "已添加方面")
        elif action == "task":
            form = KeyTaskForm(request.POST, aspects=tl.aspects.all())
            if not form.is_valid():
                return _bad(request, form, "assessment:list", tl.pk)
            services.keytask_add(actor=request.user, **form.cleaned_data)
            messages.success(request, "已添加重点任务")
        elif action == "publish":
            services.tasklist_publish(actor=request.user, task_list=tl)
            messages.success(request, "清单已发布，可以交办")
        elif action == "version":
            new = services.tasklist_new_version(actor=request.user, task_list=tl)
            messages.success(request, f"已生成第 {new.version} 版草稿")
            return redirect("assessment:list", pk=new.pk)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:list", pk=tl.pk)


def _bad(request, form, name, pk):
    _form_errors(request, form)
    return redirect(name, pk=pk)


def _assign_targets(request, task: KeyTask, parent=None):
    kinds = {services.LEVEL_KIND[x] for x in task.level_list}
    qs = scope_filter(Region.objects.filter(kind__in=kinds), request.user, P.DIRECT)
    if parent is not None:
        qs = qs.filter(parent=parent.region)
    return qs.exclude(task_assignments__task=task).order_by("path")


@login_required
def assign(request, pk: int):
    """Hand a key task of a published list to streets or communities (the district's 交办)."""
    _need(request, P.DIRECT)
    task = get_object_or_404(KeyTask.objects.select_related("aspect__task_list__region"), pk=pk,
                             aspect__task_list__in=selectors.task_lists(request.user))
    tl = task.aspect.task_list
    form = AssignForm(request.POST or None, regions=_assign_targets(request, task), initial={
        "content": task.content, "requirements": task.evidence and f"报送佐证材料：{task.evidence}",
        "deadline": task.deadline, "signer": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            made = services.assignment_create(actor=request.user, task=task, **{**form.cleaned_data,
                                              "regions": list(form.cleaned_data["regions"])})
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已下发 {len(made)} 份交办书：" + "、".join(a.number for a in made))
            return redirect("assessment:list", pk=tl.pk)
    return render(request, "assessment/form.html", {
        "form": form, "title": f"交办重点任务：{task.title}", "back": f"/assessment/lists/{tl.pk}/",
        "hint": None if tl.status == ListStatus.PUBLISHED else "清单尚未发布，发布后才能交办",
    })


@login_required
def assignment_detail(request, pk: int):
    _need(request)
    a = selectors.assignment_get(request.user, pk)
    receiver = services.is_receiver(request.user, a.region) and has_perm(request.user, P.REPORT)
    can_report = receiver and a.status == AssignmentStatus.ACKNOWLEDGED
    hand_on = receiver and a.region.kind == RegionKind.STREET and a.status != AssignmentStatus.DONE
    reports = list(a.reports.select_related("reported_by").prefetch_related("evidence"))
    for r in reports:
        for e in r.evidence.all():
            e.link = selectors.record_link(e.kind, e.record_id) if e.record_id else ""
    return render(request, "assessment/assignment.html", {
        "a": a, "receiver": receiver, "reports": reports,
        "children": a.children.select_related("region").order_by("region__path"),
        "progress_form": ProgressForm(records=selectors.record_choices(request.user, a.region),
                                      initial={"progress": a.progress}) if can_report else None,
        "assign_form": AssignForm(regions=_assign_targets(request, a.task, a), initial={
            "content": a.content, "requirements": a.requirements, "deadline": a.deadline,
            "signer": request.user.full_name}) if hand_on else None,
        "expected": services.expected_progress(a, timezone.localdate()),
        "dispatch_items": DispatchItem.objects.filter(assignment=a).select_related("dispatch__region"),
    })


@login_required
def assignment_letter(request, pk: int):
    _need(request)
    a = selectors.assignment_get(request.user, pk)
    resp = HttpResponse(assignment_letter_docx(a),
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    from urllib.parse import quote

    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'交办书-{a.number}.docx')}"
    return resp


@login_required
@require_POST
def assignment_acknowledge(request, pk: int):
    _need(request, P.REPORT)
    a = selectors.assignment_get(request.user, pk)
    try:
        services.assignment_acknowledge(actor=request.user, assignment=a)
        messages.success(request, "已签收交办书")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:assignment", pk=a.pk)


@login_required
@require_POST
def assignment_report(request, pk: int):
    _need(request, P.REPORT)
    a = selectors.assignment_get(request.user, pk)
    form = ProgressForm(request.POST, request.FILES, records=selectors.record_choices(request.user, a.region))
    if not form.is_valid():
        return _bad(request, form, "assessment:assignment", a.pk)
    d = form.cleaned_data
    try:
        services.progress_report(actor=request.user, assignment=a, text=d["text"], progress=d["progress"],
                                 files=request.FILES.getlist("files"), photos=request.FILES.getlist("photos"),
                                 records=d["records"])
        messages.success(request, "已报告进展")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:assignment", pk=a.pk)


@login_required
@require_POST
def assignment_hand_on(request, pk: int):
    _need(request, P.DIRECT)
    a = selectors.assignment_get(request.user, pk)
    form = AssignForm(request.POST, regions=_assign_targets(request, a.task, a))
    if not form.is_valid():
        return _bad(request, form, "assessment:assignment", a.pk)
    try:
        made = services.assignment_create(actor=request.user, task=a.task, parent=a, **{
            **form.cleaned_data, "regions": list(form.cleaned_data["regions"])})
        messages.success(request, f"已转交办 {len(made)} 个社区：" + "、".join(x.number for x in made))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:assignment", pk=a.pk)


@login_required
def evidence_file(request, pk: int):
    _need(request)
    e = get_object_or_404(Evidence.objects.select_related("report__assignment"), pk=pk, report__isnull=False,
                          kind__in=[EvidenceKind.FILE, EvidenceKind.PHOTO])
    a = selectors.assignment_get(request.user, e.report.assignment_id)
    return serve_private(request, e.file, obj=a, label="任务佐证材料", filename=e.label,
                         attachment=e.kind == EvidenceKind.FILE)


# ---------------------------------------------------------------- weekly 纪实

@login_required
def weekly(request):
    _need(request)
    own = _own_nodes(request, [RegionKind.COMMUNITY])
    today = timezone.localdate()
    form = None
    if own and has_perm(request.user, P.REPORT):
        form = WeeklyLogForm(request.POST or None, regions=Region.objects.filter(pk__in=[r.pk for r in own]),
                             initial={"week_start": services.week_monday(today), "region": own[0]})
        if request.method == "POST" and form.is_valid():
            try:
                services.weekly_log_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已保存本周纪实")
                return redirect("assessment:weekly")
    return render(request, "assessment/weekly.html", {
        "form": form, "page": Paginator(selectors.weekly_logs(request.user), 30).get_page(request.GET.get("page")),
    })


# ---------------------------------------------------------------- monthly 调度

@login_required
def dispatches(request):
    _need(request)
    form = None
    nodes = scope_filter(Region.objects.filter(kind__in=[RegionKind.DISTRICT, RegionKind.STREET]), request.user,
                         P.DIRECT)
    if has_perm(request.user, P.DIRECT) and nodes.exists():
        today = timezone.localdate()
        form = DispatchForm(request.POST or None, regions=nodes.order_by("path"),
                            initial={"month": today.replace(day=1), "held_on": today})
        if request.method == "POST" and form.is_valid():
            try:
                d = services.dispatch_hold(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, f"已登记{d}，{d.items.count()} 项任务滞后")
                return redirect("assessment:dispatch", pk=d.pk)
    qs = (selectors.dispatches(request.user)
          .annotate(n=Count("items"), decided=Count("items", filter=~Q(items__decision="")))
          .order_by("-month", "region__path", "id"))
    return render(request, "assessment/dispatches.html", {
        "form": form, "page": Paginator(qs, 24).get_page(request.GET.get("page")),
    })


@login_required
def dispatch_detail(request, pk: int):
    _need(request)
    d = selectors.dispatch_get(request.user, pk)
    can_edit = has_perm_at(request.user, P.DIRECT, d.region.path)
    items = list(d.items.select_related("assignment__region", "assignment__task"))
    visible = set(selectors.assignments(request.user).filter(pk__in=[i.assignment_id for i in items])
                  .values_list("pk", flat=True))
    return render(request, "assessment/dispatch.html", {
        "d": d, "items": [i for i in items if i.assignment_id in visible], "can_edit": can_edit,
        "decision_form": DecisionForm() if can_edit else None,
    })


@login_required
@require_POST
def dispatch_decide(request, pk: int, item_pk: int):
    _need(request, P.DIRECT)
    d = selectors.dispatch_get(request.user, pk)
    item = get_object_or_404(DispatchItem.objects.select_related("assignment", "dispatch__region"), pk=item_pk,
                             dispatch=d)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _bad(request, form, "assessment:dispatch", d.pk)
    try:
        services.dispatch_item_decide(actor=request.user, item=item, **form.cleaned_data)
        messages.success(request, "已登记调度决定")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:dispatch", pk=d.pk)


# ---------------------------------------------------------------- quarterly 会商

@login_required
def problems(request):
    _need(request)
    status = request.GET.get("status") or "open"
    nodes = scope_filter(Region.objects.filter(kind__in=[RegionKind.STREET, RegionKind.COMMUNITY]), request.user,
                         P.REPORT)
    form = None
    if has_perm(request.user, P.REPORT) and nodes.exists():
        form = ProblemForm(request.POST or None, regions=nodes.order_by("path"))
        if request.method == "POST" and form.is_valid():
            try:
                p = services.problem_raise(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已提交难题，待季度会商")
                return redirect("assessment:problem", pk=p.pk)
    return render(request, "assessment/problems.html", {
        "form": form, "status": status,
        "statuses": [("open", "未化解"), *ProblemStatus.choices],
        "page": Paginator(selectors.problems(request.user, status=status), 30).get_page(request.GET.get("page")),
    })


@login_required
def problem_detail(request, pk: int):
    _need(request)
    p = selectors.problem_get(request.user, pk)
    can_edit = has_perm_at(request.user, P.DIRECT, p.region.path) and p.status != ProblemStatus.CLOSED
    nxt = {ProblemStatus.RAISED: ("discuss", "登记会商意见"), ProblemStatus.DISCUSSED: ("decide", "议定事项"),
           ProblemStatus.DECIDED: ("close", "登记化解")}.get(p.status)
    return render(request, "assessment/problem.html", {"p": p, "can_edit": can_edit, "next": nxt,
                                                       "form": ProblemStepForm() if can_edit else None})


@login_required
@require_POST
def problem_step(request, pk: int, action: str):
    _need(request, P.DIRECT)
    p = selectors.problem_get(request.user, pk)
    form = ProblemStepForm(request.POST)
    if not form.is_valid():
        return _bad(request, form, "assessment:problem", p.pk)
    fields = {"discuss": ["discussion"], "decide": ["decision", "owner", "due"], "close": ["resolution"]}.get(action,
                                                                                                           [])
    try:
        services.problem_advance(actor=request.user, problem=p, action=action,
                                 **{f: form.cleaned_data[f] for f in fields})
        messages.success(request, "已登记")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("assessment:problem", pk=p.pk)


LEVELS = dict(Level.choices)
