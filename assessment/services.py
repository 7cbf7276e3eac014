"""Every write of the command system: one transaction each, audited, validated before saving.
Evidence that links to a platform record is checked through the owning app's selectors (the
reporter must be able to see the record, and it must lie inside the assignment's node)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.scope import has_perm_at, scope_paths
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core import treepaths as paths
from core.images import check_image
from notifications.services import notify
from regions.models import Region, RegionKind

from .models import (
    ESCALATION_DAYS,
    RECORD_KINDS,
    Aspect,
    Assignment,
    AssignmentStatus,
    Dispatch,
    DispatchItem,
    Escalation,
    Evidence,
    EvidenceKind,
    Finding,
    KeyTask,
    Level,
    ListStatus,
    Problem,
    ProblemStatus,
    ProgressReport,
    TaskList,
    WeeklyLog,
)
from .rules import P

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_PHOTO_BYTES = 5 * 1024 * 1024
LEVEL_KIND = {Level.STREET: RegionKind.STREET, Level.COMMUNITY: RegionKind.COMMUNITY,
              Level.BRANCH: RegionKind.COMMUNITY}  # a branch's task is handed to its community


def _today() -> date:
    return timezone.localdate()


def _text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_len:
        raise ValidationError({field: f"{label}不能超过 {max_len} 个字"})
    return value


def _date(value, field: str, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: f"请填写{label}"})
    return value


def _percent(value, field: str = "progress") -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: "进度应为 0 到 100 之间的整数"}) from None
    if not 0 <= value <= 100:
        raise ValidationError({field: "进度应为 0 到 100 之间的整数"})
    return value


def _require(actor, perm: str, path: str, what: str) -> None:
    if actor is None or not has_perm_at(actor, perm, path):
        raise ValidationError(f"您没有{what}的权限")


def is_receiver(actor, region: Region) -> bool:
    """The people who hold a reporting role at the node itself (a superuser too): they sign for
    and report on what was handed to that node. Those above it direct; they do not answer for it."""
    roots = scope_paths(actor, P.REPORT)
    return roots is None or region.path in roots


def _receiver_users(region: Region):
    from accounts.models import User

    roles = [Role.STREET_STAFF] if region.kind == RegionKind.STREET else [Role.COMMUNITY_SECRETARY,
                                                                          Role.COMMUNITY_STAFF]
    if region.kind == RegionKind.DISTRICT:
        roles = [Role.DISTRICT_ADMIN]
    return User.objects.filter(is_active=True, role_assignments__region=region,
                               role_assignments__role__in=roles).distinct()


def _ancestor(region: Region, kind: str) -> Region | None:
    if region.kind == kind:
        return region
    return Region.objects.filter(id__in=paths.ancestor_ids(region.path), kind=kind).first()


# ---------------------------------------------------------------- task lists

@transaction.atomic
def tasklist_create(*, actor, region: Region, year: int, title: str) -> TaskList:
    _require(actor, P.DIRECT, region.path, "编制任务清单")
    if region.kind != RegionKind.DISTRICT:
        raise ValidationError({"region": "任务清单由区（县）委组织部编制"})
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": "年度应在 2000 到 2100 之间"})
    version = (TaskList.objects.filter(region=region, year=year).aggregate(v=Max("version"))["v"] or 0) + 1
    tl = TaskList.objects.create(region=region, year=year, version=version, created_by=actor,
                                 title=_text(title, "title", "名称", max_len=120))
    record(actor=actor, action=AuditAction.CREATE, obj=tl, changes=diff({}, snapshot(tl, ["title", "year", "version"])))
    return tl


def _draft(actor, task_list: TaskList) -> None:
    _require(actor, P.DIRECT, task_list.region.path, "编制任务清单")
    if task_list.status != ListStatus.DRAFT:
        raise ValidationError("清单已发布，不能修改；请生成新版本后修改")


@transaction.atomic
def aspect_add(*, actor, task_list: TaskList, name: str) -> Aspect:
    _draft(actor, task_list)
    order = (task_list.aspects.aggregate(m=Max("order"))["m"] or 0) + 1
    a = Aspect.objects.create(task_list=task_list, order=order, name=_text(name, "name", "方面名称", max_len=80))
    record(actor=actor, action=AuditAction.UPDATE, obj=task_list, changes={"aspects": [None, a.name]})
    return a


@transaction.atomic
def keytask_add(*, actor, aspect: Aspect, title: str, content: str, levels: list[str], deadline: date,
                evidence: str = "") -> KeyTask:
    _draft(actor, aspect.task_list)
    levels = [x for x in levels or [] if x]
    if not levels or any(x not in Level.values for x in levels):
        raise ValidationError({"levels": "请选择适用层级（街道、社区、小区党支部）"})
    deadline = _date(deadline, "deadline", "完成时限")
    if deadline.year != aspect.task_list.year:
        raise ValidationError({"deadline": f"完成时限应在 {aspect.task_list.year} 年内"})
    order = (aspect.tasks.aggregate(m=Max("order"))["m"] or 0) + 1
    t = KeyTask.objects.create(aspect=aspect, order=order, title=_text(title, "title", "任务名称", max_len=120),
                               content=_text(content, "content", "任务内容", max_len=2000),
                               levels=",".join(levels), deadline=deadline,
                               evidence=_text(evidence, "evidence", "佐证材料要求", max_len=300, required=False))
    record(actor=actor, action=AuditAction.UPDATE, obj=aspect.task_list, changes={"tasks": [None, t.title]})
    return t


@transaction.atomic
def tasklist_publish(*, actor, task_list: TaskList) -> TaskList:
    task_list = TaskList.objects.select_for_update().select_related("region").get(pk=task_list.pk)
    _draft(actor, task_list)
    if not KeyTask.objects.filter(aspect__task_list=task_list).exists():
        raise ValidationError("清单还没有重点任务，不能发布")
    older = TaskList.objects.filter(region=task_list.region, year=task_list.year, status=ListStatus.PUBLISHED)
    for old in older:
        old.status = ListStatus.SUPERSEDED
        old.save(update_fields=["status"])
        record(actor=actor, action=AuditAction.TRANSITION, obj=old, changes={"status": ["已发布", "已被新版本替代"]})
    task_list.status, task_list.published_at = ListStatus.PUBLISHED, timezone.now()
    task_list.save(update_fields=["status", "published_at"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=task_list, changes={"status": ["草稿", "已发布"]})
    return task_list


@transaction.atomic
def tasklist_new_version(*, actor, task_list: TaskList) -> TaskList:
    """A draft copy of a published list (aspects and tasks), to be changed and published again."""
    _require(actor, P.DIRECT, task_list.region.path, "编制任务清单")
    new = tasklist_create(actor=actor, region=task_list.region, year=task_list.year, title=task_list.title)
    for a in task_list.aspects.prefetch_related("tasks"):
        na = Aspect.objects.create(task_list=new, order=a.order, name=a.name)
        KeyTask.objects.bulk_create([KeyTask(aspect=na, order=t.order, title=t.title, content=t.content,
                                             levels=t.levels, evidence=t.evidence, deadline=t.deadline)
                                     for t in a.tasks.all()])
    return new


# ---------------------------------------------------------------- assignments (交办书)

def _next_number(year: int, parent: Assignment | None) -> str:
    if parent is not None:
        n = parent.children.count() + 1
        while Assignment.objects.filter(number=f"{parent.number}-{n:02d}").exists():
            n += 1
        return f"{parent.number}-{n:02d}"
    prefix = f"组交〔{year}〕"
    taken = Assignment.objects.filter(number__startswith=prefix, parent__isnull=True).values_list("number", flat=True)
    seq = max((int(m.group(1)) for m in (re.match(rf"{re.escape(prefix)}(\d+)号$", x) for x in taken) if m),
              default=0)
    return f"{prefix}{seq + 1:03d}号"


@transaction.atomic
def assignment_create(*, actor, task: KeyTask, regions: list[Region], deadline: date, signer: str,
                      content: str = "", requirements: str = "", parent: Assignment | None = None,
                      assigned_on: date | None = None) -> list[Assignment]:
    """Hand a key task to nodes (the district to streets or communities; a street on to its
    communities, under its own assignment). One 交办书 per node; the receivers are told."""
    task = KeyTask.objects.select_related("aspect__task_list__region").get(pk=task.pk)
    tl = task.aspect.task_list
    if tl.status != ListStatus.PUBLISHED:
        raise ValidationError("只能交办已发布的当前版本清单中的任务")
    if not regions:
        raise ValidationError({"regions": "请选择承办单位"})
    assigned_on = assigned_on or _today()
    deadline = _date(deadline, "deadline", "完成时限")
    if deadline < assigned_on:
        raise ValidationError(
            {"deadline": f"完成时限（{deadline:%Y-%m-%d}）不能早于交办日期（{assigned_on:%Y-%m-%d}）"})
    if parent is not None:
        if parent.task_id != task.pk:
            raise ValidationError("转交办的任务应与上级交办一致")
        if deadline > parent.deadline:
            raise ValidationError({"deadline": f"完成时限不能晚于上级交办的时限（{parent.deadline:%Y-%m-%d}）"})
        if not is_receiver(actor, parent.region):
            raise ValidationError("只有承办单位可以把任务转交办给下级")
    kinds = {LEVEL_KIND[x] for x in task.level_list}
    signer = _text(signer, "signer", "签发人", max_len=50)
    content = _text(content or task.content, "content", "交办内容", max_len=2000)
    requirements = _text(requirements or task.evidence or "按期完成并报送佐证材料", "requirements", "工作要求",
                         max_len=2000)
    made = []
    for region in regions:
        _require(actor, P.DIRECT, region.path, f"向“{region}”交办任务")
        if region.kind not in kinds:
            raise ValidationError({"regions": f"“{region}”不是该任务适用的层级（{task.level_labels}）"})
        if parent is not None and region.parent_id != parent.region_id:
            raise ValidationError({"regions": f"“{region}”不是“{parent.region}”的下级"})
        if parent is None and not region.path.startswith(tl.region.path):
            raise ValidationError({"regions": f"“{region}”不在“{tl.region}”辖区内"})
        if Assignment.objects.filter(task=task, region=region).exists():
            raise ValidationError({"regions": f"该任务已交办给“{region}”"})
        a = Assignment.objects.create(task=task, region=region, parent=parent, number=_next_number(tl.year, parent),
                                      content=content, requirements=requirements, assigned_on=assigned_on,
                                      deadline=deadline, signer=signer, assigned_by=actor)
        record(actor=actor, action=AuditAction.CREATE, obj=a,
               changes=diff({}, snapshot(a, ["number", "region", "deadline", "signer"])))
        notify(recipients=_receiver_users(region), title=f"收到重点任务交办书 {a.number}",
               body=f"{task.title}，完成时限 {deadline:%Y-%m-%d}，请签收", link=_link(a), source=a)
        made.append(a)
    return made


def _link(a: Assignment) -> str:
    return reverse("assessment:assignment", args=[a.pk])


def _lock(a: Assignment) -> Assignment:
    return Assignment.objects.select_for_update(of=("self",)).select_related("region", "task").get(pk=a.pk)


@transaction.atomic
def assignment_acknowledge(*, actor, assignment: Assignment) -> Assignment:
    a = _lock(assignment)
    if not is_receiver(actor, a.region):
        raise ValidationError("只有承办单位可以签收交办书")
    if a.status != AssignmentStatus.ASSIGNED:
        raise ValidationError("交办书已签收")
    transition(a, actor=actor, to=AssignmentStatus.ACKNOWLEDGED, by="acknowledged_by", at="acknowledged_at")
    if a.assigned_by_id:
        notify(recipients=[a.assigned_by], title=f"{a.region}已签收交办书 {a.number}", link=_link(a), source=a)
    return a


@dataclass(frozen=True)
class RecordChoice:
    kind: str
    pk: int
    label: str


def _record_label(kind: str, pk: int, actor, region: Region) -> str | None:
    """The record's label when the actor sees it and it lies inside `region`; None otherwise."""
    from cobuild import selectors as cobuild_selectors
    from demands import selectors as demand_selectors
    from demands.models import State
    from grid import selectors as grid_selectors
    from grid.models import Visit
    from meetings import selectors as meeting_selectors
    from meetings.models import MeetingStatus

    lo, hi = region.path, paths.upper_bound(region.path)
    if kind == EvidenceKind.MEETING:
        m = (meeting_selectors.meetings(actor).filter(pk=pk, status=MeetingStatus.HELD,
                                                      body__region__path__gte=lo, body__region__path__lt=hi).first())
        return f"{m.date:%Y-%m-%d} {m.title}" if m else None
    if kind == EvidenceKind.DEMAND:
        d = (demand_selectors.visible_demands(actor).filter(pk=pk, region__path__gte=lo, region__path__lt=hi,
                                                            state__in=[State.HANDLED, State.FOLLOW_UP, State.CLOSED])
             .first())
        return f"诉求 {d.title}" if d else None
    if kind == EvidenceKind.DEED:
        d = cobuild_selectors.deeds(actor).filter(pk=pk, region__path__gte=lo, region__path__lt=hi).first()
        return f"{d.date:%Y-%m-%d} {d.title}" if d else None
    if kind == EvidenceKind.VISIT:
        v = (grid_selectors.scoped(Visit.objects.select_related("grid"), actor)
             .filter(pk=pk, grid__path__gte=lo, grid__path__lt=hi).first())
        return f"{timezone.localtime(v.visited_at):%Y-%m-%d} {v.grid.name}走访" if v else None
    return None


def _check_file(f, *, photo: bool) -> None:
    name = getattr(f, "name", "")
    if photo:
        check_image(f, field="photos", label=f"照片“{name}”", max_bytes=MAX_PHOTO_BYTES)
        return
    if f.size > MAX_FILE_BYTES:
        raise ValidationError({"files": f"文件“{name}”超过 10 MB"})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ("pdf", "docx", "xlsx", "jpg", "jpeg", "png"):
        raise ValidationError({"files": f"文件“{name}”应为 PDF、Word、Excel 或图片"})


def evidence_check(*, actor, region: Region, files=(), photos=(), records=()) -> list[tuple[str, int, str]]:
    """Check the evidence offered for work at `region` before anything is saved: files (PDF, Word,
    Excel, images, ≤10 MB), photos (≤5 MB, real images), and links to platform records the actor
    sees inside `region`. Returns the links as (kind, id, label). Progress reports, rectifications
    and campaign entries all take evidence this way."""
    for f in files:
        _check_file(f, photo=False)
    for f in photos:
        _check_file(f, photo=True)
    links = []
    for kind, pk in records:
        if kind not in RECORD_KINDS:
            raise ValidationError({"records": "佐证记录类别不正确"})
        label = _record_label(kind, int(pk), actor, region)
        if label is None:
            raise ValidationError({"records": f"{EvidenceKind(kind).label}（编号 {pk}）不存在或不在“{region}”范围内"})
        links.append((kind, int(pk), label))
    return links


def evidence_save(owner: dict, *, files=(), photos=(), links=()) -> list[Evidence]:
    """Save checked evidence for its owner (`{"report": r}`, `{"finding": f}` or `{"entry": e}`)."""
    ev = [Evidence(**owner, kind=EvidenceKind.FILE, file=f, label=f.name[:200]) for f in files]
    ev += [Evidence(**owner, kind=EvidenceKind.PHOTO, file=f, label=f.name[:200]) for f in photos]
    ev += [Evidence(**owner, kind=k, record_id=pk, label=label) for k, pk, label in links]
    for e in ev:
        e.save()
    return ev


def transition(obj, *, actor, to: str, by: str | None = None, at: str | None = None, also: tuple[str, ...] = (),
               note: dict | None = None) -> None:
    """One step of a status machine of this app (an assignment signed, a rectification closed, a
    contract decided, a campaign opened): the new status, who (`by`) and when (`at`) when the model
    keeps them, the fields the caller has set (`also`), one save of just those fields, one audit
    entry naming both states. The caller has locked `obj` and checked that the step is allowed."""
    before = obj.get_status_display()
    obj.status = to
    fields = ["status", *also]
    if by:
        setattr(obj, by, actor)
        fields.append(by)
    if at:
        setattr(obj, at, timezone.now())
        fields.append(at)
    obj.save(update_fields=fields)
    record(actor=actor, action=AuditAction.TRANSITION, obj=obj,
           changes={"status": [before, obj.get_status_display()], **(note or {})})


@transaction.atomic
def progress_report(*, actor, assignment: Assignment, text: str, progress: int, files=(), photos=(),
                    records: list[tuple[str, int]] = ()) -> ProgressReport:
    """Report progress with evidence. 100 % closes the assignment and needs at least one piece of
    evidence; a street's assignment also needs every community it handed on to be done."""
    a = _lock(assignment)
    if not is_receiver(actor, a.region):
        raise ValidationError("只有承办单位可以报告进展")
    if a.status == AssignmentStatus.ASSIGNED:
        raise ValidationError("请先签收交办书")
    if a.status == AssignmentStatus.DONE:
        raise ValidationError("任务已完成")
    text = _text(text, "text", "进展情况", max_len=2000)
    progress = _percent(progress)
    links = evidence_check(actor=actor, region=a.region, files=files, photos=photos, records=records)
    if progress == 100:
        if not (files or photos or links or Evidence.objects.filter(report__assignment=a).exists()):
            raise ValidationError({"progress": "报告完成须附佐证材料（文件、照片或平台记录）"})
        open_children = a.children.exclude(status=AssignmentStatus.DONE)
        if open_children.exists():
            raise ValidationError({"progress": "下级承办单位尚未全部完成："
                                   + "、".join(str(c.region) for c in open_children.select_related("region"))})
    r = ProgressReport.objects.create(assignment=a, text=text, progress=progress, reported_by=actor)
    evidence_save({"report": r}, files=files, photos=photos, links=links)
    before = snapshot(a, ["progress", "status"])
    a.progress = progress
    fields = ["progress"]
    if progress == 100:
        a.status, a.done_at, a.overdue = AssignmentStatus.DONE, timezone.now(), a.deadline < _today()
        fields += ["status", "done_at", "overdue"]
    a.save(update_fields=fields)
    record(actor=actor, action=AuditAction.UPDATE, obj=a, changes=diff(before, snapshot(a, ["progress", "status"])))
    if a.status == AssignmentStatus.DONE and a.assigned_by_id:
        notify(recipients=[a.assigned_by], title=f"{a.region}已完成 {a.number}", link=_link(a), source=a)
    return r


# ---------------------------------------------------------------- weekly 纪实

def week_monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


@transaction.atomic
def weekly_log_save(*, actor, region: Region, week_start: date, text: str, visits: int = 0) -> WeeklyLog:
    if region.kind != RegionKind.COMMUNITY:
        raise ValidationError({"region": "每周纪实按社区填写"})
    if not is_receiver(actor, region):
        raise ValidationError("只有本社区可以填写每周纪实")
    week_start = _date(week_start, "week_start", "周次")
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": "周次应从周一开始"})
    if week_start > _today():
        raise ValidationError({"week_start": "不能填写尚未开始的周"})
    try:
        visits = int(visits)
    except (TypeError, ValueError):
        raise ValidationError({"visits": "走访户数应为整数"}) from None
    if not 0 <= visits <= 100000:
        raise ValidationError({"visits": "走访户数应在 0 到 100000 之间"})
    text = _text(text, "text", "本周纪实", max_len=3000)
    log = WeeklyLog.objects.select_for_update().filter(region=region, week_start=week_start).first()
    before = snapshot(log, ["text", "visits"]) if log else {}
    if log is None:
        log = WeeklyLog(region=region, week_start=week_start)
    log.text, log.visits, log.written_by = text, visits, actor
    log.save()
    record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=log,
           changes=diff(before, snapshot(log, ["text", "visits"])))
    return log


# ---------------------------------------------------------------- monthly 调度

def expected_progress(a: Assignment, on: date) -> int:
    """Where a task should be by `on` if done evenly from assignment to deadline."""
    span = (a.deadline - a.assigned_on).days
    if span <= 0 or on >= a.deadline:
        return 100
    return max(0, min(100, round((on - a.assigned_on).days * 100 / span)))


def behind(qs, on: date) -> list[Assignment]:
    """Open assignments that are late or whose progress lags the even pace by more than 20 points."""
    return [a for a in qs.exclude(status=AssignmentStatus.DONE).select_related("region", "task")
            if a.deadline < on or a.progress + 20 < expected_progress(a, on)]


@transaction.atomic
def dispatch_hold(*, actor, region: Region, month: date, held_on: date, summary: str = "") -> Dispatch:
    """Hold a month's 调度: the tasks behind under the node are put on its agenda (as they stand)."""
    _require(actor, P.DIRECT, region.path, f"主持“{region}”的月调度")
    if region.kind not in (RegionKind.DISTRICT, RegionKind.STREET):
        raise ValidationError({"region": "月调度由街道（镇）或区（县）召开"})
    month = _date(month, "month", "月份").replace(day=1)
    held_on = _date(held_on, "held_on", "召开日期")
    if held_on > _today():
        raise ValidationError({"held_on": "召开日期不能晚于今天"})
    if Dispatch.objects.filter(region=region, month=month).exists():
        raise ValidationError({"month": f"“{region}”{month:%Y年%m月}的调度已登记"})
    d = Dispatch.objects.create(region=region, month=month, held_on=held_on, held_by=actor,
                                summary=_text(summary, "summary", "调度情况", max_len=3000, required=False))
    qs = Assignment.objects.filter(region__path__gte=region.path, region__path__lt=paths.upper_bound(region.path))
    items = [DispatchItem(dispatch=d, assignment=a, progress=a.progress) for a in behind(qs, held_on)]
    DispatchItem.objects.bulk_create(items)
    record(actor=actor, action=AuditAction.CREATE, obj=d,
           changes={"month": [None, f"{month:%Y-%m}"], "items": [None, len(items)]})
    return d


@transaction.atomic
def dispatch_item_decide(*, actor, item: DispatchItem, decision: str, owner: str, due: date | None) -> DispatchItem:
    _require(actor, P.DIRECT, item.dispatch.region.path, "登记调度决定")
    before = snapshot(item, ["decision", "owner", "due"])
    item.decision = _text(decision, "decision", "调度决定", max_len=300)
    item.owner = _text(owner, "owner", "责任人", max_len=50)
    if due is not None and due < item.dispatch.held_on:
        raise ValidationError({"due": "落实时限不能早于调度日期"})
    item.due = due
    item.save(update_fields=["decision", "owner", "due"])
    record(actor=actor, action=AuditAction.UPDATE, obj=item.dispatch,
           changes={f"item:{item.assignment.number}": [before.get("decision") or None, item.decision]})
    return item


# ---------------------------------------------------------------- quarterly 会商

def quarter_of(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


@transaction.atomic
def problem_raise(*, actor, region: Region, title: str, description: str) -> Problem:
    _require(actor, P.REPORT, region.path, f"向“{region}”提出难题")
    p = Problem.objects.create(region=region, title=_text(title, "title", "难题", max_len=120),
                               description=_text(description, "description", "情况说明", max_len=3000),
                               raised_by=actor, raised_on=_today())
    record(actor=actor, action=AuditAction.CREATE, obj=p, changes=diff({}, snapshot(p, ["title", "region"])))
    street = _ancestor(region, RegionKind.STREET)
    if street:
        notify(recipients=_receiver_users(street), title=f"新提出难题：{p.title}", body=str(region),
               link=reverse("assessment:problem", args=[p.pk]), source=p)
    return p


_PROBLEM_FLOW = {
    "discuss": (ProblemStatus.RAISED, ProblemStatus.DISCUSSED),
    "decide": (ProblemStatus.DISCUSSED, ProblemStatus.DECIDED),
    "close": (ProblemStatus.DECIDED, ProblemStatus.CLOSED),
}


@transaction.atomic
def problem_advance(*, actor, problem: Problem, action: str, discussion: str = "", decision: str = "",
                    owner: str = "", due: date | None = None, resolution: str = "") -> Problem:
    """raised → discussed (at the quarter's 会商) → decided (what, who, by when) → closed (how)."""
    p = Problem.objects.select_for_update(of=("self",)).select_related("region").get(pk=problem.pk)
    _require(actor, P.DIRECT, p.region.path, "会商难题")
    if action not in _PROBLEM_FLOW:
        raise ValidationError("操作不正确")
    src, dst = _PROBLEM_FLOW[action]
    if p.status != src:
        verb = {"discuss": "会商", "decide": "议定", "close": "化解"}[action]
        raise ValidationError(f"难题当前为“{p.get_status_display()}”，不能{verb}")
    before = snapshot(p, ["status", "decision", "owner", "due"])
    if action == "discuss":
        p.discussion = _text(discussion, "discussion", "会商意见", max_len=3000)
        p.quarter = quarter_of(_today())
    elif action == "decide":
        p.decision = _text(decision, "decision", "议定事项", max_len=300)
        p.owner = _text(owner, "owner", "责任单位（人）", max_len=80)
        p.due = _date(due, "due", "化解时限")
        if p.due < _today():
            raise ValidationError({"due": "化解时限不能早于今天"})
    else:
        p.resolution = _text(resolution, "resolution", "化解情况", max_len=3000)
        p.closed_on = _today()
    p.status = dst
    p.save()
    record(actor=actor, action=AuditAction.TRANSITION, obj=p,
           changes=diff(before, snapshot(p, ["status", "decision", "owner", "due"])))
    return p


# ---------------------------------------------------------------- escalation

LEVEL_NODE = {Escalation.WEEKLY: RegionKind.COMMUNITY, Escalation.MONTHLY: RegionKind.STREET,
              Escalation.QUARTERLY: RegionKind.DISTRICT}


def escalation_targets(region: Region, level: int) -> list:
    """Who hears of an overdue item at each level: its community (for a street's item: the street
    itself), the street, the district."""
    kind = LEVEL_NODE.get(level)
    node = _ancestor(region, kind) if kind else None
    if node is None and level == Escalation.WEEKLY:
        node = region
    return list(_receiver_users(node)) if node else []


def _climb(obj, *, level: int, now: datetime, title: str, link: str) -> None:
    before = obj.escalation
    obj.escalation, obj.escalated_at, obj.overdue = level, now, True
    obj.save(update_fields=["escalation", "escalated_at", "overdue"])
    record(actor=None, action=AuditAction.TRANSITION, obj=obj, changes={"escalation": [before, level]})
    notify(recipients=escalation_targets(obj.region, level),
           title=f"{title}升级至{Escalation(level).label}", body=f"{obj}（{obj.region}）", link=link, source=obj)


# Each kind of work that climbs: (model, count key, title of the notice, link to it).
LADDER = [
    (Assignment, "assignments", "超期任务", lambda a: _link(a)),
    (Problem, "problems", "超期难题", lambda p: reverse("assessment:problem", args=[p.pk])),
    (Finding, "rectifications", "超期未整改问题",
     lambda f: reverse("assessment:inspection", args=[f.inspection_id]) + f"#finding-{f.pk}"),
]


def escalate_overdue(*, today: date | None = None) -> dict[str, int]:
    """Open assignments, decided problems and open rectifications past their date climb the ladder (community → street →
    district) by how long they are overdue. Each item in its own transaction; idempotent."""
    today = today or _today()
    now = timezone.now()
    counts = {key: 0 for _, key, _, _ in LADDER}
    for level, days in sorted(ESCALATION_DAYS.items(), reverse=True):
        cutoff = today - timedelta(days=days)
        for model, key, title, link in LADDER:
            late = model.open_items().filter(**{f"{model.due_field}__lt": cutoff, "escalation__lt": level})
            for pk in list(late.values_list("pk", flat=True)[:10000]):
                with transaction.atomic():
                    obj = model.objects.select_for_update(of=("self",)).select_related("region").get(pk=pk)
                    if obj.is_closed or obj.escalation >= level:
                        continue
                    _climb(obj, level=level, now=now, title=title, link=link(obj))
                    counts[key] += 1
    return counts
