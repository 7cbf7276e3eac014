"""民主评议党员: a yearly review with self-assessments, ratings with vote counts, one 不合格 and its
follow-up; bad input changes nothing; who sees what."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from orglife import services
from orglife.models import ReviewEntry

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year - 1
VOTES = {"votes_excellent": 1, "votes_qualified": 2, "votes_basic": 0, "votes_unqualified": 0}


def _entry(review, member):
    return ReviewEntry.objects.get(review=review, member=member)


def test_a_yearly_review_with_one_unqualified_and_its_follow_up(world, personas):
    r = services.review_open(actor=world.branch_secretary, org=world.branch, year=YEAR)
    assert r.entries.count() == 3
    services.review_self_assess(actor=personas.member, entry=_entry(r, world.me), text="按时参加组织生活，带头走访。")
    services.review_rate(actor=world.branch_secretary, entry=_entry(r, world.me), rating="excellent", votes=VOTES)
    services.review_rate(actor=world.branch_secretary, entry=_entry(r, world.other), rating="qualified", votes=VOTES)
    services.review_rate(actor=world.branch_secretary, entry=_entry(r, world.away), rating="unqualified",
                         votes={"votes_excellent": 0, "votes_qualified": 0, "votes_basic": 1, "votes_unqualified": 2})
    with pytest.raises(ValidationError) as exc:
        services.review_close(actor=world.branch_secretary, review=r)
    assert "须先登记组织处置：赵六" in str(exc.value)
    due = timezone.localdate() + timedelta(days=90)
    services.review_follow_up(actor=world.branch_secretary, entry=_entry(r, world.away), measure="correct",
                              note="长期不参加组织生活，限期三个月改正", due=due)
    services.review_close(actor=world.branch_secretary, review=r)
    r.refresh_from_db()
    assert not r.is_open and _entry(r, world.away).follow_up_due == due
    with pytest.raises(ValidationError):
        services.review_self_assess(actor=personas.member, entry=_entry(r, world.me), text="改一下")


def test_bad_review_input_changes_nothing(world, personas):
    r = services.review_open(actor=world.branch_secretary, org=world.branch, year=YEAR)
    with pytest.raises(ValidationError):
        services.review_open(actor=world.branch_secretary, org=world.branch, year=YEAR)
    with pytest.raises(ValidationError) as exc:
        services.review_open(actor=world.branch_secretary, org=world.branch, year=timezone.localdate().year + 1)
    assert "评议年度" in str(exc.value)
    e = _entry(r, world.me)
    with pytest.raises(ValidationError) as exc:
        services.review_rate(actor=world.branch_secretary, entry=e, rating="excellent",
                             votes={"votes_excellent": 3, "votes_qualified": 2})
    assert "超过参加评议的党员人数（3）" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.review_rate(actor=world.branch_secretary, entry=e, rating="", votes={"votes_excellent": -1})
    assert "请为张建国选择评定等次" in str(exc.value) and "优秀票应为 0 到 3" in str(exc.value)
    with pytest.raises(ValidationError):  # only the member writes their own self-assessment
        services.review_self_assess(actor=world.branch_secretary, entry=e, text="代写")
    with pytest.raises(ValidationError):  # a follow-up only for 不合格
        services.review_follow_up(actor=world.branch_secretary, entry=e, measure="correct", note="x",
                                  due=timezone.localdate() + timedelta(days=3))
    e.refresh_from_db()
    assert (e.rating, e.votes_excellent, e.self_assessment, e.follow_up) == ("", 0, "", "")


def test_who_sees_the_reviews(world, personas, tree, client_for):
    r = services.review_open(actor=world.branch_secretary, org=world.branch, year=YEAR)
    url = reverse("orglife:review", args=[r.pk])
    assert client_for(personas.secretary).get(url).status_code == 200
    assert client_for(world.branch_secretary).get(url).status_code == 200
    assert client_for(personas.west_secretary).get(url).status_code == 404
    assert client_for(personas.member).get(url).status_code == 403
    page = client_for(personas.west_secretary).get(reverse("orglife:reviews")).content.decode()
    assert "网格1党支部" not in page
    # A member sees their own review and writes their self-assessment, not someone else's.
    services.review_rate(actor=world.branch_secretary, entry=_entry(r, world.other), rating="qualified", votes=VOTES)
    c = client_for(personas.member)
    page = c.get(reverse("orglife:my")).content.decode()
    assert f"{YEAR} 年度" in page and "尚未评定" in page and "李秀英" not in page
    assert c.post(reverse("orglife:my_review", args=[_entry(r, world.other).pk]), {"text": "冒名"}).status_code == 404
    assert c.post(reverse("orglife:my_review", args=[_entry(r, world.me).pk]), {"text": "我的自评"}).status_code == 302
    assert _entry(r, world.me).self_assessment == "我的自评"
    assert _entry(r, world.other).self_assessment == ""
    # Staff without the manage permission cannot rate.
    resp = client_for(personas.community_staff).post(url, {"action": "rate", "entry": _entry(r, world.me).pk,
                                                           "rating": "excellent"})
    assert resp.status_code == 403 and _entry(r, world.me).rating == ""


def test_the_workbench_lists_open_reviews(world, personas, client_for):
    r = services.review_open(actor=world.branch_secretary, org=world.branch, year=YEAR)
    page = client_for(personas.secretary).get("/").content.decode()
    assert 'id="wb-reviews-open"' in page and "3 人未评定" in page
    assert 'id="wb-reviews-open"' not in client_for(personas.west_secretary).get("/").content.decode()
    assert r.is_open
