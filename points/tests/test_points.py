"""The ledger: every point links to a fact, caps per rule, reversal when the fact is undone, rankings by
scope, and the member's own page."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from points import services
from points.models import AppendOnly, MemberPoints, PointEntry, PointRule
from vanguard import services as vs
from vanguard.models import PledgeKind
from vanguard.services import volunteer
from vanguard.tests.conftest import world  # noqa: F401

pytestmark = pytest.mark.django_db


def _fulfilled(member, personas, title="修路灯"):
    today = timezone.localdate()
    p = vs.pledge_draft(actor=member.user, member=member, kind=PledgeKind.DEED, title=title, content="内容",
                        due_on=today)
    vs.pledge_deliberate(actor=personas.secretary, pledge=p, meeting_on=today)
    vs.pledge_review(actor=personas.street_staff, pledge=p, approve=True)
    vs.pledge_publish(actor=personas.secretary, pledge=p)
    return vs.pledge_fulfil(actor=member.user, pledge=p, on=today, fulfilment="完成")


def _hours(member, personas, tree, hours="2"):
    start = timezone.now() + timedelta(minutes=5)
    a = volunteer.activity_publish(actor=personas.secretary, region=tree.east1, title="义务理发", place="活动室",
                                   starts_at=start, ends_at=start + timedelta(hours=3), places=10)
    volunteer.signup_create(actor=member.user, activity=a)
    s = volunteer.checkin(actor=member.user, activity=a, token=a.checkin_token)
    return volunteer.hours_confirm(actor=personas.secretary, signup=s, hours=hours)


def test_facts_earn_points_with_evidence_and_reversal_undoes_them(world, personas, tree):  # noqa: F811
    year = timezone.localdate().year
    p = _fulfilled(world.me, personas)
    s = _hours(world.me, personas, tree, "2.5")
    assert services.points_sync(year=year) == {"added": 2, "reversed": 0}
    assert services.points_sync(year=year) == {"added": 0, "reversed": 0}  # idempotent
    entries = {e.fact: e for e in PointEntry.objects.filter(member=world.me)}
    assert entries["pledge"].points == 10 and entries["pledge"].fact_id == p.pk and "修路灯" in entries["pledge"].label
    assert entries["volunteer"].points == 5 and entries["volunteer"].fact_id == s.pk
    assert MemberPoints.objects.get(member=world.me, year=year).total == 15
    # The organizer withdraws the hours: the points are reversed by a new entry, nothing is edited.
    volunteer.hours_confirm(actor=personas.secretary, signup=s, hours="0")
    assert services.points_sync(year=year) == {"added": 0, "reversed": 1}
    rev = PointEntry.objects.get(reverses=entries["volunteer"])
    assert rev.points == -5 and rev.label.startswith("冲销")
    assert MemberPoints.objects.get(member=world.me, year=year).total == 10
    # Points for the reversed fact are refused, with the reason.
    with pytest.raises(ValidationError) as exc:
        services.points_award(fact="volunteer", fact_id=s.pk, year=year)
    assert exc.value.message_dict["fact"] == ["该志愿服务时长记录不存在或已撤销，不能计分"]
    with pytest.raises(ValidationError, match="不能重复计分"):
        services.points_award(fact="pledge", fact_id=p.pk, year=year)
    with pytest.raises(AppendOnly):
        PointEntry.objects.filter(member=world.me).update(points=100)
    # A pledge rated 差 by the community earns nothing.
    vs.pledge_rate(actor=personas.secretary, pledge=p, level="branch", grade="average", raters="支委")
    vs.pledge_rate(actor=personas.secretary, pledge=p, level="community", grade="poor", raters="党总支")
    services.points_sync(year=year)
    assert MemberPoints.objects.get(member=world.me, year=year).total == 0


def test_the_yearly_cap_of_a_rule_holds(world, personas, tree):  # noqa: F811
    year = timezone.localdate().year
    services.rules()
    PointRule.objects.filter(fact="pledge").update(yearly_cap=15)
    for i in range(3):
        _fulfilled(world.me, personas, f"承诺{i}")
    services.points_sync(year=year)
    assert sorted(PointEntry.objects.filter(member=world.me).values_list("points", flat=True)) == [5, 10]


def test_ranking_and_own_page_by_role(world, personas, tree, client_for):  # noqa: F811
    year = timezone.localdate().year
    _fulfilled(world.me, personas)
    _hours(world.other, personas, tree, "3")
    services.points_sync(year=year)
    page = client_for(personas.secretary).get(reverse("points:ranking")).content.decode()
    assert page.index("张建国") < page.index("李秀英")  # 10 points (a pledge) before 6 (three hours)
    assert client_for(personas.west_secretary).get(reverse("points:ranking"), {"node": tree.east1.pk}).status_code \
        == 404
    assert "张建国" not in client_for(personas.west_secretary).get(reverse("points:ranking")).content.decode()
    for who in ("member", "liaison", "auditor", "grid_worker"):
        assert client_for(getattr(personas, who)).get(reverse("points:ranking")).status_code == 403, who
    mine = client_for(personas.member).get(reverse("points:my")).content.decode()
    assert "践诺：修路灯" in mine and "义务理发" not in mine  # the other member's hours are not shown
    assert client_for(personas.liaison).get(reverse("points:my")).status_code == 404
