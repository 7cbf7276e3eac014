"""Assessment schemes: validation, scores computed from records with formula and evidence, hand entry
only where no record exists, 述职评议, the community's opinion on a unit, the ranking and its quota."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessment import scoring, services
from assessment.models import Assignment, Escalation, Method, Score
from cobuild.testing import units  # noqa: F401
from meetings import services as meeting_services
from meetings.models import BodyKind, MeetingStatus

pytestmark = pytest.mark.django_db


def _scheme(personas, tree, *, items=None, level="community"):
    year = timezone.localdate().year
    s = scoring.scheme_create(actor=personas.district_admin, region=tree.district, year=year, level=level,
                              title=f"{year}年社区党建考核")
    for name, weight, method, source, target, cob in items or [
        ("联席会", 30, "count", "meetings_held", 2, True),
        ("重点任务按期完成", 30, "rate", "tasks_on_time", None, False),
        ("督查", 10, "checklist", "", None, False),
        ("述职评议", 30, "committee", "", None, False),
    ]:
        scoring.scheme_item_add(actor=personas.district_admin, scheme=s, name=name, weight=weight, method=method,
                                source=source, target=target, cobuild=cob)
    return s


def test_validation_messages_and_nothing_changes(personas, tree):
    s = _scheme(personas, tree, items=[("联席会", 10, "count", "meetings_held", 2, True),
                                       ("评议", 80, "committee", "", None, False)])
    with pytest.raises(ValidationError) as e:
        scoring.scheme_publish(actor=personas.district_admin, scheme=s)
    msgs = " ".join(e.value.messages)
    assert "合计应为 100 分，现为 90 分" in msgs and "共驻共建分值合计 10 分，应不低于总分值的 20%" in msgs
    s.refresh_from_db()
    assert s.status == "draft"
    with pytest.raises(ValidationError, match="满分标准"):
        scoring.scheme_item_add(actor=personas.district_admin, scheme=s, name="x", weight=10, method="count",
                                source="deeds")
    with pytest.raises(ValidationError, match="分值应在"):
        scoring.scheme_item_add(actor=personas.district_admin, scheme=s, name="x", weight=120, method="committee")
    with pytest.raises(ValidationError, match="核减比例应在 3 到 5"):
        scoring.scheme_create(actor=personas.district_admin, region=tree.district, year=2030, level="street",
                              title="x", reduction=8)
    with pytest.raises(ValidationError):
        scoring.scheme_create(actor=personas.street_staff, region=tree.district, year=2030, level="street", title="x")


def test_compute_hand_entry_and_ranking(personas, tree, plan):
    today = timezone.localdate()
    s = _scheme(personas, tree)
    s = scoring.scheme_publish(actor=personas.district_admin, scheme=s)
    body = meeting_services.body_create(actor=personas.secretary, name="东一联席会", kind=BodyKind.JOINT,
                                        region=tree.east1, since=date(2020, 1, 1))
    for k in range(3):
        m = meeting_services.meeting_create(actor=personas.secretary, body=body, title=f"第{k + 1}次联席会",
                                            date=today - timedelta(days=k + 1))
        m.status = MeetingStatus.HELD
        m.save()
    [a1, a2] = services.assignment_create(actor=personas.district_admin, task=plan.community_task,
                                          regions=[tree.east1, tree.west1], deadline=plan.community_task.deadline,
                                          signer="部长")
    Assignment.objects.filter(pk=a1.pk).update(status="done")
    n = scoring.scores_compute(actor=personas.district_admin, scheme=s)
    meet = s.items.get(source="meetings_held")
    sc = Score.objects.get(item=meet, region=tree.east1)
    assert sc.value == Decimal("30.00") and sc.raw == 3 and "3 ÷ 2 × 30（封顶）= 30.00" in sc.formula
    assert Score.objects.get(item=meet, region=tree.west1).value == 0
    tasks = s.items.get(source="tasks_on_time")
    assert Score.objects.get(item=tasks, region=tree.east1).value == Decimal("30.00")
    assert Score.objects.get(item=tasks, region=tree.west1).value == 0
    assert not Score.objects.filter(item=tasks, region=tree.east2).exists()  # nothing handed: no record
    assert n == Score.objects.count()
    # Hand entry: only where no record exists.
    with pytest.raises(ValidationError, match="已由平台记录计算"):
        scoring.score_enter(actor=personas.district_admin, item=meet, region=tree.east1, value=10, note="x")
    scoring.score_enter(actor=personas.district_admin, item=tasks, region=tree.east2, value=20, note="线下核实")
    committee = s.items.get(method=Method.COMMITTEE)
    with pytest.raises(ValidationError, match="得分应在 0 到 30"):
        scoring.score_enter(actor=personas.district_admin, item=committee, region=tree.east1, value=31, note="x")
    with pytest.raises(ValidationError, match="评分依据"):
        scoring.score_enter(actor=personas.district_admin, item=committee, region=tree.east1, value=25, note="")
    sc = scoring.score_enter(actor=personas.district_admin, item=committee, region=tree.east1, value=25,
                             note="述职评议委员会评分")
    assert sc.hand and "评议评分" in sc.formula
    with pytest.raises(ValidationError):
        scoring.score_enter(actor=personas.secretary, item=committee, region=tree.east1, value=30, note="自评")
    # Recomputing keeps the hand-entered scores.
    scoring.scores_compute(actor=personas.district_admin, scheme=s)
    assert Score.objects.filter(hand=True).count() == 2
    rows = scoring.ranking(s)
    assert [r.target for r in rows][0] == tree.east1 and rows[0].total == Decimal("85.00")
    # Quota: 30 % of 3 communities = 0 … with reduction still 0; widen the ratio to see the cut.
    s.excellent_ratio = Decimal(70)
    s.save()
    assert sum(r.excellent for r in scoring.ranking(s)) == 2
    Assignment.objects.filter(pk=a2.pk).update(escalation=Escalation.MONTHLY)
    rows = scoring.ranking(s)
    west = next(r for r in rows if r.target == tree.west1)
    assert west.short == ["重点任务超期升级"] and not west.excellent
    assert scoring.quota(s, 3, True) == 1 and sum(r.excellent for r in rows) == 1


def test_review_and_unit_opinion(personas, tree, units):  # noqa: F811
    year = timezone.localdate().year
    s = scoring.scheme_create(actor=personas.district_admin, region=tree.district, year=year, level="unit",
                              title="驻区单位共驻共建考核")
    scoring.scheme_item_add(actor=personas.district_admin, scheme=s, name="实事", weight=40, method="count",
                            source="unit_deeds", target=4, cobuild=True)
    scoring.scheme_item_add(actor=personas.district_admin, scheme=s, name="评议", weight=60, method="committee")
    s = scoring.scheme_publish(actor=personas.district_admin, scheme=s)
    item = s.items.get(method="committee")
    with pytest.raises(ValidationError, match="须先征询"):
        scoring.score_enter(actor=personas.district_admin, item=item, unit=units.a, value=50, note="评议")
    with pytest.raises(ValidationError, match="所服务社区的党组织"):
        scoring.opinion_give(actor=personas.west_secretary, scheme=s, unit=units.a, rating="good", opinion="好")
    scoring.opinion_give(actor=personas.secretary, scheme=s, unit=units.a, rating="good", opinion="积极参与共建")
    scoring.score_enter(actor=personas.district_admin, item=item, unit=units.a, value=50, note="评议")
    rows = scoring.ranking(s)
    assert next(r for r in rows if r.target == units.a).needs_opinion is False
    assert next(r for r in rows if r.target == units.b).needs_opinion is True
    r = scoring.review_record(actor=personas.district_admin, scheme=s, region=tree.east1, reporter="王书记",
                              rating="good", good_votes=18, total_votes=20)
    assert r.get_rating_display() == "好"
    with pytest.raises(ValidationError, match="票数"):
        scoring.review_record(actor=personas.district_admin, scheme=s, region=tree.east1, reporter="王书记",
                              rating="good", good_votes=30, total_votes=20)


def test_score_pages_role_matrix_and_read_only(personas, tree, plan, client_for):
    s = scoring.scheme_publish(actor=personas.district_admin, scheme=_scheme(personas, tree))
    scoring.scores_compute(actor=personas.district_admin, scheme=s)
    committee = s.items.get(method="committee")
    base = f"/assessment/schemes/{s.pk}"
    expect = {
        "district_admin": {tree.east1: 200, tree.west1: 200},
        "street_staff": {tree.east1: 200, tree.west1: 404},
        "secretary": {tree.east1: 200, tree.west1: 404},
        "west_secretary": {tree.east1: 404, tree.west1: 200},
        "grid_worker": {tree.east1: 403, tree.west1: 403},
        "liaison": {tree.east1: 403, tree.west1: 403},
    }
    for who, cases in expect.items():
        c = client_for(getattr(personas, who))
        for region, code in cases.items():
            assert c.get(f"{base}/regions/{region.pk}/").status_code == code, (who, region)
        assert c.get(f"{base}/ranking/").status_code == (403 if 403 in cases.values() else 200), who
    page = client_for(personas.secretary).get(f"{base}/ranking/").content.decode()
    assert "东一社区" in page and "西一社区" not in page
    # Read-only to the assessed: no forms, and a write is refused.
    page = client_for(personas.secretary).get(f"{base}/regions/{tree.east1.pk}/").content.decode()
    assert "score-form" not in page and "review-form" not in page
    c = client_for(personas.secretary)
    assert c.post(f"{base}/items/{committee.pk}/score/", {"region": tree.east1.pk, "value": "30",
                                                           "note": "自评"}).status_code == 403
    assert c.post(f"{base}/compute/").status_code == 403
    assert not Score.objects.filter(hand=True).exists()
    sc = Score.objects.filter(region=tree.east1).first()
    assert client_for(personas.secretary).get(f"/assessment/scores/{sc.pk}/").status_code == 200
    assert client_for(personas.west_secretary).get(f"/assessment/scores/{sc.pk}/").status_code == 404


def test_sessions_held_count_for_the_community_with_links_to_each_record(personas, tree):
    """三会一课 and 主题党日 held by a Party organization of the community are a score source."""
    from assessment.sources import SOURCES
    from orglife.models import SessionKind
    from orglife.services.sessions import session_create

    year = timezone.localdate().year
    day = date(year, 1, 10)
    for kind, topic in [(SessionKind.values[0], "学习党章"), (SessionKind.values[-1], "清扫楼道")]:
        session_create(actor=personas.secretary, org=tree.east1_org, kind=kind, date=day, topic=topic,
                       host_name="支部书记", place="社区党群服务中心", held=True)
    session_create(actor=personas.secretary, org=tree.east1_org, kind=SessionKind.values[0],
                   date=timezone.localdate() + timedelta(days=3), topic="还未召开", host_name="支部书记",
                   place="社区党群服务中心")
    src = SOURCES["sessions_held"]
    figures = src.figures([tree.east1, tree.west1], year)
    assert figures.get(tree.east1.path) == 2 and not figures.get(tree.west1.path)
    records = src.records(tree.east1, year)
    assert len(records) == 2 and all(url.startswith("/orglife/sessions/") for _, url in records)
    assert "学习党章" in records[0][0] or "学习党章" in records[1][0]
