"""The 六诺 cycle as a state machine, posts and claims, and the bad inputs of the issue."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from notifications.models import Notification
from vanguard import services
from vanguard.models import AppendOnly, ClaimStatus, PledgeEvent, PledgeKind, PledgeState, Post, PostKind

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _claim(world, personas, member=None, user=None):
    member = member or world.me
    claim = services.post_claim(actor=user or personas.member, post=world.post, member=member)
    return services.post_claim_decide(actor=personas.secretary, claim=claim, confirm=True)


def _published(world, personas):
    _claim(world, personas)
    p = services.pledge_draft(actor=personas.member, member=world.me, kind=PledgeKind.POST, post=world.post,
                              title="每月宣讲一次", content="在阳光小区宣讲惠民政策",
                              due_on=_today() + timedelta(days=30))
    services.pledge_deliberate(actor=personas.secretary, pledge=p, meeting_on=_today(), note="同意")
    services.pledge_review(actor=personas.street_staff, pledge=p, approve=True)
    return services.pledge_publish(actor=personas.secretary, pledge=p)


def test_the_whole_cycle_leaves_an_append_only_trail(world, personas):
    p = _published(world, personas)
    p = services.pledge_fulfil(actor=personas.member, pledge=p, on=_today(), fulfilment="宣讲三次",
                               hours="6", households_reached=40)
    services.pledge_rate(actor=personas.secretary, pledge=p, level="branch", grade="good", raters="支委会")
    services.pledge_rate(actor=personas.secretary, pledge=p, level="community", grade="fair", raters="社区党总支")
    p.refresh_from_db()
    assert p.state == PledgeState.RATED and p.hours == 6
    events = list(p.events.values_list("action", flat=True))
    assert events == ["申诺", "议诺", "审诺", "示诺", "践诺", "支部评议", "社区评议"]
    assert AuditEntry.objects.filter(object_type__endswith="pledge", object_id=str(p.pk)).count() >= 7
    with pytest.raises(AppendOnly):
        PledgeEvent.objects.filter(pledge=p).update(note="x")
    with pytest.raises(AppendOnly):
        PledgeEvent.objects.filter(pledge=p).delete()
    ev = p.events.first()
    ev.note = "改"
    with pytest.raises(AppendOnly):
        ev.save()


def test_the_superior_organization_approves_and_may_return_with_a_reason(world, personas):
    _claim(world, personas)
    p = services.pledge_draft(actor=personas.member, member=world.me, kind=PledgeKind.DEED, title="修路灯",
                              content="联系物业修好3号楼路灯", due_on=_today() + timedelta(days=10))
    services.pledge_deliberate(actor=personas.secretary, pledge=p, meeting_on=_today())
    # The community secretary is the branch: 审诺 belongs to the street above it.
    with pytest.raises(ValidationError, match="上级党组织"):
        services.pledge_review(actor=personas.secretary, pledge=p, approve=True)
    with pytest.raises(ValidationError) as exc:
        services.pledge_review(actor=personas.street_staff, pledge=p, approve=False, reason="")
    assert exc.value.message_dict["reason"] == ["退回原因不能为空"]
    p = services.pledge_review(actor=personas.street_staff, pledge=p, approve=False, reason="请写明完成标准")
    assert p.state == PledgeState.DRAFT and p.returned_reason == "请写明完成标准"
    assert Notification.objects.filter(recipient=personas.member, title__contains="退回").exists()
    p = services.pledge_revise(actor=personas.member, pledge=p, title="修路灯", content="本月修好3号楼路灯并回访",
                               due_on=_today() + timedelta(days=10))
    assert p.returned_reason == ""


def test_a_pledge_due_in_the_past_is_refused_and_nothing_is_saved(world, personas):
    with pytest.raises(ValidationError) as exc:
        services.pledge_draft(actor=personas.member, member=world.me, kind=PledgeKind.DEED, title="修路灯",
                              content="修路灯", due_on=_today() - timedelta(days=1))
    assert exc.value.message_dict["due_on"] == ["承诺完成日期不能早于今天"]
    assert not world.me.pledges.exists() and not PledgeEvent.objects.exists()


@pytest.mark.parametrize("field,value,message", [
    ("title", "<script>alert(1)</script>", "承诺事项不能包含 < 或 > 符号"),
    ("title", "", "承诺事项不能为空"),
    ("content", "长" * 1001, "承诺内容不能超过 1000 个字"),
])
def test_bad_text_names_the_field(world, personas, field, value, message):
    data = {"title": "修路灯", "content": "修路灯", field: value}
    with pytest.raises(ValidationError) as exc:
        services.pledge_draft(actor=personas.member, member=world.me, kind=PledgeKind.DEED,
                              due_on=_today() + timedelta(days=3), **data)
    assert exc.value.message_dict[field] == [message]


def test_only_the_member_pledges_and_only_for_a_post_they_hold(world, personas):
    with pytest.raises(ValidationError, match="只有党员本人"):
        services.pledge_draft(actor=personas.secretary, member=world.me, kind=PledgeKind.DEED, title="a",
                              content="b", due_on=_today())
    with pytest.raises(ValidationError) as exc:
        services.pledge_draft(actor=personas.member, member=world.me, kind=PledgeKind.POST, post=world.post,
                              title="a", content="b", due_on=_today())
    assert exc.value.message_dict["post"] == ["只能对已在岗的岗位作出岗位承诺"]


def test_steps_out_of_order_are_refused(world, personas):
    p = services.pledge_draft(actor=personas.member, member=world.me, kind=PledgeKind.DEED, title="a",
                              content="b", due_on=_today())
    with pytest.raises(ValidationError, match="当前为“申诺”，不能登记践诺"):
        services.pledge_fulfil(actor=personas.member, pledge=p, on=_today(), fulfilment="x")
    with pytest.raises(ValidationError, match="不能公开示诺"):
        services.pledge_publish(actor=personas.secretary, pledge=p)
    with pytest.raises(ValidationError) as exc:
        services.pledge_deliberate(actor=personas.secretary, pledge=p, meeting_on=_today() + timedelta(days=1))
    assert exc.value.message_dict["meeting_on"] == ["议诺会议日期不能晚于今天"]


def test_rating_goes_branch_first_then_community_once_each(world, personas):
    p = _published(world, personas)
    p = services.pledge_fulfil(actor=personas.member, pledge=p, on=_today(), fulfilment="完成")
    with pytest.raises(ValidationError, match="请先由支部评议"):
        services.pledge_rate(actor=personas.secretary, pledge=p, level="community", grade="good", raters="x")
    services.pledge_rate(actor=personas.secretary, pledge=p, level="branch", grade="good", raters="支委会")
    with pytest.raises(ValidationError, match="不能重复评议"):
        services.pledge_rate(actor=personas.secretary, pledge=p, level="branch", grade="poor", raters="x")
    with pytest.raises(ValidationError, match="没有"):
        services.pledge_rate(actor=personas.west_secretary, pledge=p, level="community", grade="good", raters="x")


def test_fulfilment_in_the_future_or_with_absurd_hours_is_refused(world, personas):
    p = _published(world, personas)
    with pytest.raises(ValidationError) as exc:
        services.pledge_fulfil(actor=personas.member, pledge=p, on=_today() + timedelta(days=1), fulfilment="x")
    assert exc.value.message_dict["on"] == ["践诺日期不能晚于今天"]
    with pytest.raises(ValidationError) as exc:
        services.pledge_fulfil(actor=personas.member, pledge=p, on=_today(), fulfilment="x", hours="-2")
    assert exc.value.message_dict["hours"] == ["服务时长应在 0 到 1000 小时之间"]
    p.refresh_from_db()
    assert p.state == PledgeState.PUBLISHED


def test_overdue_pledges_are_flagged_and_reminded_once_a_week(world, personas):
    p = services.pledge_draft(actor=personas.member, member=world.me, kind=PledgeKind.DEED, title="a",
                              content="b", due_on=_today())
    later = _today() + timedelta(days=3)
    assert p.is_overdue(later)
    assert services.pledges_remind_overdue(now_day=later) == 1
    assert services.pledges_remind_overdue(now_day=later + timedelta(days=1)) == 0
    assert Notification.objects.filter(recipient=personas.member, title__startswith="承诺已逾期").count() == 1


# ---------------------------------------------------------------- posts


def test_a_post_over_capacity_is_refused(world, personas, tree):
    from .conftest import registered  # noqa: F401

    _claim(world, personas)
    _claim(world, personas, member=world.other, user=world.other.user)
    from conftest import make_user
    from members.models import Category
    from members.tests.conftest import add_member

    third = add_member(tree.east1_org, "赵六", Category.RETIRED, user=make_user("m3"))
    with pytest.raises(ValidationError) as exc:
        services.post_claim(actor=third.user, post=world.post, member=third)
    assert exc.value.message_dict["post"] == ["“政策宣传岗”名额已满（2 人）"]
    assert not third.post_claims.exists()


def test_one_member_one_post_by_default_and_posts_only_where_the_member_belongs(world, personas, tree):
    _claim(world, personas)
    second = services.post_create(actor=personas.secretary, region=tree.east1_grid1, kind=PostKind.CARE,
                                  title="帮扶关爱岗", duties="关爱独居老人", capacity=3)
    with pytest.raises(ValidationError, match="一人一职"):
        services.post_claim(actor=personas.member, post=second, member=world.me)
    west_post = services.post_create(actor=personas.west_secretary, region=tree.west1, kind=PostKind.PATROL,
                                     title="治安巡逻岗", duties="巡逻", capacity=3)
    with pytest.raises(ValidationError, match="请先向居住地社区报到"):
        services.post_claim(actor=world.other.user, post=west_post, member=world.other)
    from .conftest import registered

    registered(world.other, tree.west1)
    claim = services.post_claim(actor=world.other.user, post=west_post, member=world.other)
    assert claim.status == ClaimStatus.PENDING
    # The west community decides; the east secretary cannot.
    with pytest.raises(ValidationError, match="没有"):
        services.post_claim_decide(actor=personas.secretary, claim=claim, confirm=True)


def test_post_rules_and_capacity_bounds(world, personas, tree):
    with pytest.raises(ValidationError) as exc:
        services.post_create(actor=personas.secretary, region=tree.east1, kind=PostKind.CARE, title="x",
                             duties="y", capacity=0)
    assert exc.value.message_dict["capacity"] == ["名额应在 1 到 200 之间"]
    with pytest.raises(ValidationError, match="没有"):
        services.post_create(actor=personas.west_secretary, region=tree.east1, kind=PostKind.CARE, title="x",
                             duties="y", capacity=1)
    _claim(world, personas)
    _claim(world, personas, member=world.other, user=world.other.user)
    with pytest.raises(ValidationError) as exc:
        services.post_update(actor=personas.secretary, post=world.post, title="政策宣传岗", duties="d", capacity=1)
    assert exc.value.message_dict["capacity"] == ["名额不能少于已在岗的 2 人"]
    assert Post.objects.get(pk=world.post.pk).capacity == 2
