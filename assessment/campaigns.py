"""Campaigns (创建评选): seed 000's “五个好”社区党组织创建 and 党建工作示范社区, seed 002's 党建工作大比武
and “一社一品” brands. The district sets a campaign with its criteria (weights summing to 100), the
Party organizations of the district enter with evidence, the district rates every entry against the
criteria and awards the best within the quota; each award (and any criticism the district or a
street records) goes on the organization's record, shown on the organization's page. Every write
is one transaction, validated before anything is saved, and audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse

from accounts.roles import Role
from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core import treepaths as paths
from notifications.services import notify
from orgs.models import OrgLevel, PartyOrg
from regions.models import Region, RegionKind

from .models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Criterion,
    Entry,
    EntryScore,
    EntryStatus,
    Honor,
    HonorKind,
)
from .rules import P
from .scoring import _dec
from .services import _date, _receiver_users, _require, _text, _today, evidence_check, evidence_save, transition

# Who may enter: the organizations that lead a community or below it, and the resident units' ones.
ENTRANT_LEVELS = [OrgLevel.COMMUNITY, OrgLevel.GRID, OrgLevel.COMPOUND, OrgLevel.RESIDENT_UNIT, OrgLevel.STREET]
MAX_QUOTA = 500

# Default criteria per kind (the seeds' words; the district may change them while the campaign is a draft).
DEFAULT_CRITERIA = {
    CampaignKind.FIVE_GOOD: [("领导班子好", "书记履行第一责任人职责，班子团结有战斗力", 20),
                             ("党员干部队伍好", "党员亮身份、作表率，社区干部每周下访", 20),
                             ("工作机制好", "周纪实月调度季会商、联席会等制度落实", 20),
                             ("工作业绩好", "重点任务按期完成，诉求办结率高", 20),
                             ("群众反映好", "群众满意度高，无越级上访", 20)],
    CampaignKind.BRAND: [("特色鲜明", "紧密围绕居民需求，品牌定位清晰", 30),
                         ("群众认可", "居民参与度和满意度", 30),
                         ("成效明显", "解决了哪些实际问题，有记录可查", 25),
                         ("可复制推广", "做法成熟，可在其他社区推广", 15)],
    CampaignKind.CONTEST: [("组织体系建设", "五级党组织架构健全，小区党组织覆盖", 25),
                           ("服务群众", "接诉即办、入户走访、为民办实事", 25),
                           ("共驻共建", "驻区单位参与度、共建项目完成", 25),
                           ("创新实效", "在互比互看中形成的特色做法", 25)],
    CampaignKind.MODEL: [("创建“五个好”达标", "已获评“五个好”社区党组织", 40),
                         ("示范带动作用", "做法被推广、接待观摩学习", 30),
                         ("群众满意度", "群众评价和测评结果", 30)],
}


def _campaign_lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).select_related("region").get(pk=campaign.pk)


def _direct(actor, campaign: Campaign, what: str) -> None:
    """Only the district that runs the campaign sets it up, rates and awards (a street does not)."""
    _require(actor, P.DIRECT, campaign.region.path, what)


def _weight(value, field: str, label: str) -> Decimal:
    w = _dec(value, field, label, lo=Decimal("0.01"), hi=Decimal(100))
    return w


def weights_total(campaign: Campaign) -> Decimal:
    return campaign.criteria.aggregate(t=Sum("weight"))["t"] or Decimal(0)


def _conferring_body(region: Region) -> str:
    return f"中共{region.name}委组织部" if region.kind == RegionKind.DISTRICT else f"中共{region.name}党工委"


# ---------------------------------------------------------------- set up

@transaction.atomic
def campaign_create(*, actor, region: Region, year: int, kind: str, title: str, entry_deadline: date | None,
                    award_title: str, award_quota, org_level: str = OrgLevel.COMMUNITY, description: str = "",
                    criteria: list[tuple[str, str, object]] | None = None) -> Campaign:
    """A draft campaign of the district, with the kind's default criteria unless `criteria` is given
    as (name, description, weight) rows."""
    _require(actor, P.DIRECT, region.path, "发起创建评选活动")
    if region.kind != RegionKind.DISTRICT:
        raise ValidationError({"region": "创建评选活动由区（县）委组织部发起"})
    if kind not in CampaignKind.values:
        raise ValidationError({"kind": "请选择评选类别"})
    today = _today()
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "年度应为四位数字"}) from None
    if not today.year - 1 <= year <= today.year + 1:
        raise ValidationError({"year": f"年度应在 {today.year - 1} 到 {today.year + 1} 之间"})
    entry_deadline = _date(entry_deadline, "entry_deadline", "申报截止日期")
    if entry_deadline < today:
        raise ValidationError({"entry_deadline": "申报截止日期不能早于今天"})
    try:
        quota = int(award_quota)
    except (TypeError, ValueError):
        raise ValidationError({"award_quota": "评选名额应为整数"}) from None
    if not 1 <= quota <= MAX_QUOTA:
        raise ValidationError({"award_quota": f"评选名额应在 1 到 {MAX_QUOTA} 之间"})
    if org_level not in ENTRANT_LEVELS:
        raise ValidationError({"org_level": "参评党组织类别不正确"})
    title = _text(title, "title", "活动名称", max_len=120)
    award_title = _text(award_title, "award_title", "授予称号", max_len=60)
    for label, value in (("活动名称", title), ("授予称号", award_title)):
        if "<" in value or ">" in value:
            raise ValidationError({"title" if label == "活动名称" else "award_title": f"{label}不能包含 < 或 >"})
    c = Campaign.objects.create(region=region, year=year, kind=kind, title=title, award_title=award_title,
                                award_quota=quota, org_level=org_level, entry_deadline=entry_deadline,
                                description=_text(description, "description", "活动要求", max_len=3000,
                                                  required=False),
                                created_by=actor)
    rows = criteria if criteria is not None else DEFAULT_CRITERIA[kind]
    for i, (name, desc, weight) in enumerate(rows, 1):
        Criterion.objects.create(campaign=c, order=i, name=_text(name, "criteria", "评选标准", max_len=80),
                                 description=_text(desc, "criteria", "标准说明", max_len=300, required=False),
                                 weight=_weight(weight, "criteria", f"“{name}”的分值"))
    record(actor=actor, action=AuditAction.CREATE, obj=c,
           changes=diff({}, snapshot(c, ["title", "kind", "year", "entry_deadline", "award_title", "award_quota"])))
    return c


@transaction.atomic
def criterion_add(*, actor, campaign: Campaign, name: str, weight, description: str = "") -> Criterion:
    c = _campaign_lock(campaign)
    _direct(actor, c, "修改评选标准")
    if c.status != CampaignStatus.DRAFT:
        raise ValidationError("活动已发布，评选标准不能再修改")
    name = _text(name, "name", "评选标准", max_len=80)
    if c.criteria.filter(name=name).exists():
        raise ValidationError({"name": f"已有评选标准“{name}”"})
    order = (c.criteria.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    k = Criterion.objects.create(campaign=c, order=order, name=name, weight=_weight(weight, "weight", "分值"),
                                 description=_text(description, "description", "说明", max_len=300, required=False))
    record(actor=actor, action=AuditAction.CREATE, obj=k, changes=diff({}, snapshot(k, ["name", "weight"])))
    return k


@transaction.atomic
def criterion_delete(*, actor, criterion: Criterion) -> None:
    c = _campaign_lock(criterion.campaign)
    _direct(actor, c, "修改评选标准")
    if c.status != CampaignStatus.DRAFT:
        raise ValidationError("活动已发布，评选标准不能再修改")
    record(actor=actor, action=AuditAction.DELETE, obj=criterion, changes=diff(snapshot(criterion, ["name", "weight"]),
                                                                              {}))
    criterion.delete()


@transaction.atomic
def campaign_open(*, actor, campaign: Campaign) -> Campaign:
    """Publish the campaign: the criteria must add up to 100 and the deadline lie ahead. The people
    of the communities of the district are told."""
    c = _campaign_lock(campaign)
    _direct(actor, c, "发布创建评选活动")
    if c.status != CampaignStatus.DRAFT:
        raise ValidationError(f"活动{c.get_status_display()}，不能再次发布")
    if not c.criteria.exists():
        raise ValidationError({"criteria": "请先添加评选标准"})
    total = weights_total(c)
    if total != 100:
        raise ValidationError({"criteria": f"各评选标准分值合计应为 100 分，现为 {total.normalize():f} 分"})
    if c.entry_deadline < _today():
        raise ValidationError({"entry_deadline": "申报截止日期已过，请重新设置"})
    transition(c, actor=actor, to=CampaignStatus.OPEN, at="opened_at")
    from accounts.models import User

    people = User.objects.filter(is_active=True, role_assignments__role__in=[Role.COMMUNITY_SECRETARY],
                                 role_assignments__region__path__startswith=c.region.path).distinct()
    notify(recipients=list(people), title=f"{c.title}开始申报", body=f"申报截止 {c.entry_deadline:%Y-%m-%d}",
           link=reverse("assessment:campaign", args=[c.pk]), source=c)
    return c


@transaction.atomic
def campaign_review(*, actor, campaign: Campaign) -> Campaign:
    """Close the entries and start the review."""
    c = _campaign_lock(campaign)
    _direct(actor, c, "组织评审")
    if c.status != CampaignStatus.OPEN:
        raise ValidationError(f"活动{c.get_status_display()}，不能开始评审")
    if not c.entries.exists():
        raise ValidationError("还没有党组织申报，不能开始评审")
    transition(c, actor=actor, to=CampaignStatus.REVIEW)
    return c


# ---------------------------------------------------------------- entries

def can_enter(actor, org: PartyOrg) -> bool:
    """The people who hold a reporting role over the organization's place (its community, or the
    street above it) enter for it."""
    return actor is not None and has_perm_at(actor, P.REPORT, org.region.path)


@transaction.atomic
def entry_submit(*, actor, campaign: Campaign, org: PartyOrg, title: str, summary: str, files=(), photos=(),
                 records: list[tuple[str, int]] = ()) -> Entry:
    """An organization enters the campaign, with at least one piece of evidence (a file, a photo or
    a record of the platform inside its place: meetings held, demands handled, deeds, visits)."""
    c = _campaign_lock(campaign)
    if c.status != CampaignStatus.OPEN:
        raise ValidationError(f"活动{c.get_status_display()}，不接受申报")
    if _today() > c.entry_deadline:
        raise ValidationError(f"申报已于 {c.entry_deadline:%Y-%m-%d} 截止")
    org = PartyOrg.objects.select_related("region").get(pk=org.pk)
    if not can_enter(actor, org) or not paths.is_under(org.region.path, c.region.path):
        raise ValidationError({"org": "只能为本社区（街道）范围内的党组织申报"})
    if org.level != c.org_level:
        raise ValidationError({"org": f"本次评选的参评对象是{OrgLevel(c.org_level).label}，“{org}”不能申报"})
    if c.entries.filter(org=org).exists():
        raise ValidationError({"org": f"“{org}”已申报本次评选"})
    title = _text(title, "title", "申报题目", max_len=120)
    if "<" in title or ">" in title:
        raise ValidationError({"title": "申报题目不能包含 < 或 >"})
    summary = _text(summary, "summary", "创建情况", max_len=3000)
    links = evidence_check(actor=actor, region=org.region, files=files, photos=photos, records=records)
    if not (files or photos or links):
        raise ValidationError({"files": "申报须附佐证材料（文件、照片或平台记录）"})
    e = Entry.objects.create(campaign=c, org=org, region=org.region, title=title, summary=summary,
                             submitted_by=actor)
    evidence_save({"entry": e}, files=files, photos=photos, links=links)
    record(actor=actor, action=AuditAction.CREATE, obj=e, changes=diff({}, snapshot(e, ["campaign", "org", "title"])))
    if c.created_by_id:
        notify(recipients=[c.created_by], title=f"{org}申报了{c.title}", body=title,
               link=reverse("assessment:entry", args=[e.pk]), source=e)
    return e


@transaction.atomic
def entry_rate(*, actor, entry: Entry, values: dict[int, object], note: str = "") -> Entry:
    """The district scores an entry against every criterion (0 to the criterion's weight)."""
    e = Entry.objects.select_for_update(of=("self",)).select_related("campaign__region").get(pk=entry.pk)
    c = e.campaign
    _direct(actor, c, "评审申报")
    if c.status != CampaignStatus.REVIEW:
        raise ValidationError("活动已评定，不能再评分" if c.status == CampaignStatus.CLOSED
                              else "活动不在评审阶段，不能评分")
    crits = list(c.criteria.all())
    given = {}
    for k in crits:
        raw = values.get(k.pk)
        if raw in (None, ""):
            raise ValidationError({"values": f"请为“{k.name}”评分"})
        v = _dec(raw, "values", f"“{k.name}”得分", lo=Decimal(0), hi=k.weight)
        given[k.pk] = v
    note = _text(note, "review_note", "评审意见", max_len=300, required=False)
    before = snapshot(e, ["total", "status", "review_note"])
    for k in crits:
        EntryScore.objects.update_or_create(entry=e, criterion=k, defaults={"value": given[k.pk]})
    e.total = sum(given.values(), Decimal(0)).quantize(Decimal("0.01"))
    e.status, e.review_note, e.rated_by = EntryStatus.RATED, note, actor
    e.save(update_fields=["total", "status", "review_note", "rated_by"])
    record(actor=actor, action=AuditAction.UPDATE, obj=e,
           changes=diff(before, snapshot(e, ["total", "status", "review_note"])))
    return e


def ranked_entries(campaign: Campaign):
    return campaign.entries.select_related("org", "region").order_by("-total", "submitted_at", "id")


@transaction.atomic
def campaign_award(*, actor, campaign: Campaign, entries: list[Entry], on: date | None = None) -> list[Honor]:
    """The district selects the awarded entries (all entries rated, no more than the quota): each
    selected organization gets the title on its record; the campaign is closed."""
    c = _campaign_lock(campaign)
    _direct(actor, c, "评定表彰")
    if c.status != CampaignStatus.REVIEW:
        raise ValidationError("活动已评定" if c.status == CampaignStatus.CLOSED else "请先截止申报并完成评审")
    unrated = c.entries.filter(status=EntryStatus.SUBMITTED).count()
    if unrated:
        raise ValidationError(f"尚有 {unrated} 个申报没有评分")
    ids = {e.pk for e in entries}
    chosen = list(c.entries.filter(pk__in=ids).select_related("org", "region"))
    if len(chosen) != len(ids):
        raise ValidationError({"entries": "所选申报不属于本次评选"})
    if not chosen:
        raise ValidationError({"entries": "请至少选择一个获评的申报"})
    if len(chosen) > c.award_quota:
        raise ValidationError({"entries": f"评选名额为 {c.award_quota} 个，选择了 {len(chosen)} 个"})
    on = on or _today()
    if on > _today():
        raise ValidationError({"on": "表彰日期不能晚于今天"})
    honors = []
    for e in chosen:
        h = Honor.objects.create(org=e.org, region=e.region, kind=HonorKind.AWARD, title=c.award_title, year=c.year,
                                 date=on, conferred_by=_conferring_body(c.region),
                                 basis=f"{c.title}（评审得分 {e.total:.1f}）", campaign=c, entry=e, created_by=actor)
        honors.append(h)
        record(actor=actor, action=AuditAction.CREATE, obj=h, changes=diff({}, snapshot(h, ["org", "title", "year"])))
        notify(recipients=_receiver_users(_community_of(e.region)), title=f"{e.org}获评{c.award_title}",
               body=c.title, link=reverse("assessment:entry", args=[e.pk]), source=e)
    c.entries.filter(pk__in=ids).update(status=EntryStatus.AWARDED)
    c.entries.exclude(pk__in=ids).update(status=EntryStatus.NOT_AWARDED)
    transition(c, actor=actor, to=CampaignStatus.CLOSED, at="closed_at",
               note={"awarded": [None, [str(e.org) for e in chosen]]})
    return honors


def _community_of(region: Region) -> Region:
    if region.kind in (RegionKind.COMMUNITY, RegionKind.STREET, RegionKind.DISTRICT):
        return region
    return Region.objects.filter(id__in=paths.ancestor_ids(region.path), kind=RegionKind.COMMUNITY).first() or region


# ---------------------------------------------------------------- the organization's record

@transaction.atomic
def honor_record(*, actor, org: PartyOrg, kind: str, title: str, on: date | None, basis: str = "",
                 conferred_by: str = "") -> Honor:
    """An award or a criticism (通报批评) recorded directly on an organization's record by the
    district or the street above it; a criticism states its reason."""
    org = PartyOrg.objects.select_related("region").get(pk=org.pk)
    _require(actor, P.DIRECT, org.region.path, f"登记“{org}”的表彰或批评")
    if kind not in HonorKind.values:
        raise ValidationError({"kind": "请选择表彰或通报批评"})
    on = _date(on, "on", "日期")
    if on > _today():
        raise ValidationError({"on": "日期不能晚于今天"})
    if on.year < _today().year - 10:
        raise ValidationError({"on": "只能登记近十年的表彰或批评"})
    title = _text(title, "title", "称号或事由", max_len=120)
    if "<" in title or ">" in title:
        raise ValidationError({"title": "称号或事由不能包含 < 或 >"})
    basis = _text(basis, "basis", "依据（事由）", max_len=300, required=kind == HonorKind.CRITICISM)
    conferred_by = _text(conferred_by, "conferred_by", "授予（通报）单位", max_len=80, required=False)
    if not conferred_by:
        from accounts.scope import scope_paths

        roots = scope_paths(actor, P.DIRECT)
        top = (Region.objects.filter(path__in=roots).order_by("path").first() if roots else None) or org.region
        conferred_by = _conferring_body(top)
    h = Honor.objects.create(org=org, region=org.region, kind=kind, title=title, year=on.year, date=on,
                             conferred_by=conferred_by, basis=basis, created_by=actor)
    record(actor=actor, action=AuditAction.CREATE, obj=h,
           changes=diff({}, snapshot(h, ["org", "kind", "title", "date", "basis"])))
    return h


def org_record(org: PartyOrg):
    """The awards and criticisms on an organization's record, newest first."""
    return Honor.objects.filter(org=org).select_related("campaign").order_by("-date", "-id")
