"""民主评议党员 (yearly): a branch opens the year's review for its members, each member writes their
self-assessment, the branch records each rating with the vote counts, and every 不合格 gets a
recorded follow-up (限期改正 etc.) before the review closes."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import record
from members.models import ACTIVE_STATUSES, PartyMember
from orgs.models import PartyOrg

from ..models import FollowUp, Rating, Review, ReviewEntry
from .common import need_date, require_manage, texts, today

VOTE_FIELDS = [("votes_excellent", "优秀票"), ("votes_qualified", "合格票"), ("votes_basic", "基本合格票"),
               ("votes_unqualified", "不合格票")]


@transaction.atomic
def review_open(*, actor, org: PartyOrg, year: int) -> Review:
    require_manage(actor, org, "民主评议党员")
    if not isinstance(year, int) or not (2000 <= year <= today().year):
        raise ValidationError({"year": f"评议年度应在 2000 到 {today().year} 之间"})
    if Review.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": f"“{org}”已开展 {year} 年度民主评议"})
    members = list(PartyMember.objects.filter(org=org, status__in=ACTIVE_STATUSES))
    if not members:
        raise ValidationError({"org": f"“{org}”没有党员，无需开展民主评议"})
    r = Review.objects.create(org=org, year=year, opened_on=today(), created_by=actor)
    ReviewEntry.objects.bulk_create([ReviewEntry(review=r, member=m) for m in members])
    record(actor=actor, action=AuditAction.CREATE, obj=r,
           changes={"year": [None, year], "members": [None, len(members)]})
    return r


def _lock(entry: ReviewEntry) -> ReviewEntry:
    return (ReviewEntry.objects.select_for_update(of=("self",))
            .select_related("review", "review__org", "review__org__region", "member").get(pk=entry.pk))


@transaction.atomic
def review_self_assess(*, actor, entry: ReviewEntry, text: str) -> ReviewEntry:
    e = _lock(entry)
    if e.member.user_id is None or e.member.user_id != actor.pk:
        raise ValidationError("只有党员本人可以填写个人自评")
    if not e.review.is_open:
        raise ValidationError("本年度民主评议已结束，不能再修改自评")
    e.self_assessment = texts(("self_assessment", "个人自评", text, 2000, True))["self_assessment"]
    e.save(update_fields=["self_assessment"])
    record(actor=actor, action=AuditAction.UPDATE, obj=e.review, changes={f"{e.member.name}自评": [None, "已填写"]})
    return e


@transaction.atomic
def review_rate(*, actor, entry: ReviewEntry, rating: str, votes: dict[str, int]) -> ReviewEntry:
    e = _lock(entry)
    require_manage(actor, e.review.org, "民主评议党员")
    if not e.review.is_open:
        raise ValidationError("本年度民主评议已结束，不能再修改评定结果")
    errors = {}
    if rating not in Rating.values:
        errors["rating"] = [f"请为{e.member.name}选择评定等次（优秀、合格、基本合格、不合格）"]
    voters = e.review.entries.count()
    clean = {}
    for field, label in VOTE_FIELDS:
        v = votes.get(field, 0)
        if not isinstance(v, int) or v < 0 or v > voters:
            errors[field] = [f"{label}应为 0 到 {voters}（参加评议的党员人数）之间的整数"]
        else:
            clean[field] = v
    if not errors and sum(clean.values()) > voters:
        errors["votes_excellent"] = [f"各等次票数合计（{sum(clean.values())}）超过参加评议的党员人数（{voters}）"]
    if errors:
        raise ValidationError(errors)
    old = e.get_rating_display() if e.rating else None
    e.rating = rating
    for field, v in clean.items():
        setattr(e, field, v)
    if rating != Rating.UNQUALIFIED:
        e.follow_up, e.follow_up_note, e.follow_up_due = "", "", None
    e.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=e.review,
           changes={e.member.name: [old, f"{e.get_rating_display()}（{'/'.join(str(v) for v in clean.values())}）"]})
    return e


@transaction.atomic
def review_follow_up(*, actor, entry: ReviewEntry, measure: str, note: str, due: date | None = None) -> ReviewEntry:
    e = _lock(entry)
    require_manage(actor, e.review.org, "民主评议党员")
    if e.rating != Rating.UNQUALIFIED:
        raise ValidationError("只有评定为不合格的党员需要组织处置")
    errors = {}
    if measure not in FollowUp.values:
        errors["measure"] = ["请选择组织处置方式（限期改正、劝其退党或除名）"]
    try:
        note = texts(("note", "处置情况", note, 300, True))["note"]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if measure == FollowUp.CORRECT:
        try:
            need_date(due, "due", "改正期限")
            if due <= today():
                errors["due"] = ["改正期限应晚于今天"]
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    e.follow_up, e.follow_up_note, e.follow_up_due = measure, note, due if measure == FollowUp.CORRECT else None
    e.save(update_fields=["follow_up", "follow_up_note", "follow_up_due"])
    record(actor=actor, action=AuditAction.UPDATE, obj=e.review,
           changes={f"{e.member.name}处置": [None, f"{e.get_follow_up_display()}：{note}"]})
    return e


@transaction.atomic
def review_close(*, actor, review: Review) -> Review:
    r = Review.objects.select_for_update(of=("self",)).select_related("org", "org__region").get(pk=review.pk)
    require_manage(actor, r.org, "民主评议党员")
    if not r.is_open:
        raise ValidationError("本年度民主评议已结束")
    unrated = [e.member.name for e in r.entries.select_related("member").filter(rating="")]
    if unrated:
        raise ValidationError(f"还有 {len(unrated)} 名党员未评定等次：{'、'.join(unrated[:10])}")
    pending = [e.member.name for e in r.entries.select_related("member").filter(rating=Rating.UNQUALIFIED,
                                                                                 follow_up="")]
    if pending:
        raise ValidationError(f"评定为不合格的党员须先登记组织处置：{'、'.join(pending)}")
    r.closed_on = today()
    r.save(update_fields=["closed_on"])
    record(actor=actor, action=AuditAction.TRANSITION, obj=r, changes={"status": ["进行中", "已结束"]})
    return r
