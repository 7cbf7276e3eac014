"""社会稳定信息反馈: a grid reports to its community, a community to its street; an urgent report
notifies the street at once (and the community secretary), whoever files it."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from notifications.services import notify
from regions.models import RegionKind

from ..models import ReportKind, ReportStatus, StabilityReport, Urgency
from ..rules import P
from .common import MAX_COUNT, raise_if, require, secretaries_of, street_staff_of, texts


@transaction.atomic
def report_create(*, actor, region, kind: str, urgency: str, title: str, content: str, occurred_at: datetime | None,
                  people=0, measures: str = "") -> StabilityReport:
    if region is None:
        raise ValidationError({"region": "请选择报送的网格或社区"})
    require(actor, P.REPORT, region.path, "在该网格或社区报送稳定信息")
    errors: dict = {}
    if region.kind not in (RegionKind.COMMUNITY, RegionKind.GRID):
        errors["region"] = ["稳定信息只能由网格或社区报送"]
    if kind not in ReportKind.values:
        errors["kind"] = ["请选择信息类别"]
    if urgency not in Urgency.values:
        errors["urgency"] = ["请选择紧急程度"]
    if not isinstance(occurred_at, datetime):
        errors["occurred_at"] = ["请填写发生时间"]
    elif occurred_at > timezone.now() + timezone.timedelta(minutes=5):
        errors["occurred_at"] = [f"发生时间（{timezone.localtime(occurred_at):%Y-%m-%d %H:%M}）不能晚于现在"]
    try:
        people = int(people or 0)
        if not 0 <= people <= MAX_COUNT:
            raise ValueError
    except (TypeError, ValueError):
        errors["people"] = [f"涉及人数应为 0～{MAX_COUNT} 的整数"]
    try:
        clean = texts(("title", "标题", title, 100, True), ("content", "情况", content, 4000, True),
                      ("measures", "已采取措施", measures, 500, False))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean = {}
    raise_if(errors)
    report = StabilityReport.objects.create(region=region, kind=kind, urgency=urgency, title=clean["title"],
                                            content=clean["content"], occurred_at=occurred_at, people=people,
                                            measures=clean["measures"], reporter=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=report, changes={"urgency": [None, urgency]})
    link = reverse("stability:report", args=[report.pk])
    body = f"{report.get_kind_display()} · {region} · 涉及 {people} 人"
    if urgency == Urgency.URGENT:
        notify(recipients=[*street_staff_of(region), *secretaries_of(region)],
               title=f"【紧急】稳定信息：{report.title}",
               body=body, link=link, source=report)
    elif region.kind == RegionKind.GRID:
        notify(recipients=secretaries_of(region), title=f"稳定信息（{report.get_urgency_display()}）：{report.title}",
               body=body, link=link, source=report)
    else:
        notify(recipients=street_staff_of(region), title=f"稳定信息（{report.get_urgency_display()}）：{report.title}",
               body=body, link=link, source=report)
    return report


@transaction.atomic
def report_answer(*, actor, report: StabilityReport, reply: str, handled: bool) -> StabilityReport:
    """The level above reads the report and answers it (已阅, or 已处置 with what was done)."""
    report = StabilityReport.objects.select_for_update().select_related("region", "reporter").get(pk=report.pk)
    require(actor, P.MANAGE, report.region.path, "阅处该稳定信息")
    if report.reporter_id == actor.pk:
        raise ValidationError("不能阅处自己报送的稳定信息")
    if report.status == ReportStatus.HANDLED:
        raise ValidationError("该信息已处置")
    clean = texts(("reply", "处置意见", reply, 500, handled))
    before = report.status
    report.status = ReportStatus.HANDLED if handled else ReportStatus.READ
    report.reply = clean["reply"] or report.reply
    report.read_by, report.read_at = actor, timezone.now()
    report.save()
    record(actor=actor, action=AuditAction.TRANSITION, obj=report, changes={"status": [before, report.status]})
    notify(recipients=[report.reporter], title=f"稳定信息已{report.get_status_display()}：{report.title}",
           body=report.reply, link=reverse("stability:report", args=[report.pk]), source=report)
    return report
