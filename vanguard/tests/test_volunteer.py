"""Volunteering: publish, sign up, QR check-in inside the activity's time, hours confirmed by the organizer,
and the bad inputs of the issue (hours longer than the activity, a check-in outside its time)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from vanguard.models import SignUp
from vanguard.services import volunteer as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(world, personas, tree):
    start = timezone.now() + timedelta(minutes=10)
    return services.activity_publish(actor=personas.secretary, region=tree.east1, title="清理楼道杂物",
                                     place="阳光小区1号楼", starts_at=start, ends_at=start + timedelta(hours=2),
                                     places=2, skills="无")


def test_sign_up_check_in_and_hours(activity, world, personas):
    s = services.signup_create(actor=personas.member, activity=activity)
    assert s.member == world.me and s.name == "张建国"
    with pytest.raises(ValidationError, match="已报名"):
        services.signup_create(actor=personas.member, activity=activity)
    with pytest.raises(ValidationError, match="没有签到"):
        services.hours_confirm(actor=personas.secretary, signup=s, hours="2")
    s = services.checkin(actor=personas.member, activity=activity, token=activity.checkin_token)
    assert s.checked_in_at
    with pytest.raises(ValidationError) as exc:
        services.hours_confirm(actor=personas.secretary, signup=s, hours="2.5")
    assert exc.value.message_dict["hours"] == ["时长不能超过活动时长 2 小时"]
    s.refresh_from_db()
    assert s.hours is None
    s = services.hours_confirm(actor=personas.secretary, signup=s, hours="1.5")
    assert s.hours == 1.5 and s.confirmed_by == personas.secretary
    with pytest.raises(ValidationError, match="没有"):
        services.hours_confirm(actor=personas.west_secretary, signup=s, hours="1")


def test_check_in_outside_the_activity_time_or_with_a_wrong_code_is_refused(activity, personas):
    services.signup_create(actor=personas.member, activity=activity)
    with pytest.raises(ValidationError, match="不在活动签到时间内"):
        services.checkin(actor=personas.member, activity=activity, token=activity.checkin_token,
                         now=activity.ends_at + timedelta(minutes=1))
    with pytest.raises(ValidationError, match="不在活动签到时间内"):
        services.checkin(actor=personas.member, activity=activity, token=activity.checkin_token,
                         now=activity.starts_at - timedelta(minutes=31))
    with pytest.raises(ValidationError, match="签到码无效"):
        services.checkin(actor=personas.member, activity=activity, token="guess")
    assert not SignUp.objects.filter(checked_in_at__isnull=False).exists()


def test_places_and_who_may_sign_up(activity, world, personas):
    resident = make_user("resident")
    with pytest.raises(ValidationError, match="仅限党员"):
        services.signup_create(actor=resident, activity=activity)
    activity.open_to_residents = True
    activity.save()
    services.signup_create(actor=personas.member, activity=activity)
    services.signup_create(actor=resident, activity=activity)
    with pytest.raises(ValidationError, match="名额已满（2 人）"):
        services.signup_create(actor=world.other.user, activity=activity)
    assert SignUp.objects.get(user=resident).member is None


@pytest.mark.parametrize("change,field,message", [
    ({"ends_at": -1}, "ends_at", "结束时间应晚于开始时间"),
    ({"starts_at": -48}, "starts_at", "开始时间不能早于现在"),
    ({"ends_at": 30}, "ends_at", "一次活动不能超过 24 小时，跨天的服务请分次发布"),
    ({"places": 0}, "places", "名额应在 1 到 1000 之间"),
])
def test_bad_activities_are_refused(personas, tree, change, field, message):
    start = timezone.now() + timedelta(hours=1)
    data = {"starts_at": start, "ends_at": start + timedelta(hours=2), "places": 5}
    for k, v in change.items():
        data[k] = start + timedelta(hours=v) if k.endswith("_at") else v
    with pytest.raises(ValidationError) as exc:
        services.activity_publish(actor=personas.secretary, region=tree.east1, title="义诊", place="社区", **data)
    assert exc.value.message_dict[field] == [message]


def test_pages_by_role(activity, world, personas, client_for):
    url = reverse("vanguard:activity", args=[activity.pk])
    for who, status in [("secretary", 200), ("community_staff", 200), ("west_secretary", 404), ("member", 403),
                        ("auditor", 403)]:
        assert client_for(getattr(personas, who)).get(url).status_code == status, who
    page = client_for(personas.secretary).get(url).content.decode()
    assert "<svg" in page and activity.checkin_token in page
    assert activity.checkin_token not in client_for(personas.community_staff).get(url).content.decode()
    mine = client_for(personas.member).get(reverse("vanguard:my_activities")).content.decode()
    assert "清理楼道杂物" in mine
    # A wrong token is a missing page, not a hint.
    assert client_for(personas.member).get(reverse("vanguard:checkin", args=[activity.pk, "x"])).status_code == 404
