"""Police and patrols: a holiday roster in one go, overlapping shifts of one person refused with
nothing saved, check-in on patrol, an incident found becoming a demand."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from demands.models import Channel, Demand
from stability import services
from stability.models import PatrolShift, PoliceOfficer, ShiftPost

pytestmark = pytest.mark.django_db


def _at(d: date, h: int, m: int = 0):
    return datetime.combine(d, time(h, m), tzinfo=timezone.get_current_timezone())


def test_a_holiday_roster_rotates_the_members(world, personas):
    first = date.today() + timedelta(days=10)
    shifts = services.holiday_roster(actor=personas.secretary, team=world.team, occasion="春节", first_day=first,
                                     last_day=first + timedelta(days=2), start=time(20), end=time(2), per_shift=2,
                                     route="小区南门—中心广场—北门")
    assert len(shifts) == 3 and all(s.kind == "holiday" and s.occasion == "春节" for s in shifts)
    assert timezone.localtime(shifts[0].ends_at).date() == first + timedelta(days=1)  # past midnight
    crews = [{p.member.name for p in s.posts.all()} for s in shifts]
    assert crews == [{"陈党员", "周志愿"}, {"吴退休", "陈党员"}, {"周志愿", "吴退休"}]


def test_overlapping_shifts_of_one_person_are_refused(world, personas):
    day = date.today() + timedelta(days=5)
    chen = world.team.members.get(name="陈党员")
    zhou = world.team.members.get(name="周志愿")
    services.shift_create(actor=personas.secretary, team=world.team, kind="staggered", starts_at=_at(day, 18),
                          ends_at=_at(day, 21), route="沿街商铺", members=[chen.pk])
    with pytest.raises(ValidationError) as exc:
        services.shift_create(actor=personas.secretary, team=world.team, kind="daily", starts_at=_at(day, 20),
                              ends_at=_at(day, 23), route="小区内", members=[zhou.pk, chen.pk])
    assert "陈党员" in str(exc.value) and "不能重叠" in str(exc.value)
    assert PatrolShift.objects.count() == 1 and ShiftPost.objects.count() == 1  # nothing half-saved
    # back to back is fine
    services.shift_create(actor=personas.secretary, team=world.team, kind="daily", starts_at=_at(day, 21),
                          ends_at=_at(day, 23), route="小区内", members=[chen.pk])


def test_a_roster_clashing_with_an_existing_shift_saves_nothing(world, personas):
    first = date.today() + timedelta(days=10)
    chen = world.team.members.get(name="陈党员")
    services.shift_create(actor=personas.secretary, team=world.team, kind="daily", starts_at=_at(first, 21),
                          ends_at=_at(first, 22), route="x", members=[chen.pk])
    with pytest.raises(ValidationError) as exc:
        services.holiday_roster(actor=personas.secretary, team=world.team, occasion="国庆", first_day=first,
                                last_day=first + timedelta(days=1), start=time(20), end=time(23), per_shift=3,
                                route="全社区")
    assert "陈党员" in str(exc.value)
    assert PatrolShift.objects.count() == 1


@pytest.mark.parametrize("start,end,message", [
    (20, 19, "须晚于开始时间"),
    (20, 20, "须晚于开始时间"),
])
def test_a_shift_ending_before_it_starts_is_refused(world, personas, start, end, message):
    day = date.today() + timedelta(days=5)
    with pytest.raises(ValidationError) as exc:
        services.shift_create(actor=personas.secretary, team=world.team, kind="daily", starts_at=_at(day, start),
                              ends_at=_at(day, end), route="x", members=[world.team.members.first().pk])
    assert message in str(exc.value)


def test_a_holiday_shift_names_its_holiday(world, personas):
    day = date.today() + timedelta(days=5)
    with pytest.raises(ValidationError) as exc:
        services.shift_create(actor=personas.secretary, team=world.team, kind="holiday", starts_at=_at(day, 8),
                              ends_at=_at(day, 12), route="x", members=[world.team.members.first().pk])
    assert "occasion" in exc.value.message_dict


def test_check_in_on_patrol_and_an_incident_becomes_a_demand(world, personas, client_for):
    now = timezone.now()
    chen = world.team.members.get(name="陈党员")
    shift = services.shift_create(actor=personas.secretary, team=world.team, kind="daily",
                                  starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2),
                                  route="小区南门", members=[chen.pk])
    c = client_for(personas.member)
    assert "小区南门" in c.get(reverse("stability:my_patrols")).content.decode()
    post = shift.posts.get()
    c.post(reverse("stability:shift", args=[shift.pk]), {"action": "check_in", "post": post.pk})
    post.refresh_from_db()
    assert post.checked_in_at is not None
    again = c.post(reverse("stability:shift", args=[shift.pk]), {"action": "check_in", "post": post.pk}, follow=True)
    assert "已于" in again.content.decode()
    c.post(reverse("stability:shift", args=[shift.pk]), {"action": "incident", "place": "3号楼东侧",
                                                         "description": "消防通道被电动车堵塞"})
    d = Demand.objects.get()
    assert d.channel == Channel.PATROL and d.category.code == "safety-hazard" and d.address == "3号楼东侧"
    assert shift.incidents.get().demand == d
    staff = client_for(personas.community_staff)
    staff.post(reverse("stability:shift", args=[shift.pk]), {"action": "incident", "place": "南门",
                                                             "description": "路灯损坏"})
    assert Demand.objects.filter(channel=Channel.PATROL).count() == 2  # staff on patrol report on the same channel


def test_check_in_only_in_time_and_only_for_oneself(world, personas, client_for):
    later = timezone.now() + timedelta(days=2)
    zhou = world.team.members.get(name="周志愿")
    chen = world.team.members.get(name="陈党员")
    shift = services.shift_create(actor=personas.secretary, team=world.team, kind="daily", starts_at=later,
                                  ends_at=later + timedelta(hours=2), route="x", members=[chen.pk, zhou.pk])
    with pytest.raises(ValidationError) as exc:
        services.check_in(actor=personas.member, post=shift.posts.get(member=chen))
    assert "最早可提前 30 分钟签到" in str(exc.value)
    with pytest.raises(ValidationError):
        services.check_in(actor=personas.member, post=shift.posts.get(member=zhou))
    # someone else's shift page is not the member's to see
    other = services.shift_create(actor=personas.secretary, team=world.team, kind="daily",
                                  starts_at=later + timedelta(days=1), ends_at=later + timedelta(days=1, hours=1),
                                  route="y", members=[zhou.pk])
    assert client_for(personas.member).get(reverse("stability:shift", args=[other.pk])).status_code == 403


def test_one_officer_per_community(world, personas, tree):
    services.officer_set(actor=personas.secretary, community=tree.east1, name="马警官", badge="012345",
                         phone="13800001111", station="东街派出所", office="东一社区警务室", duty="每周二、四驻社区")
    services.officer_set(actor=personas.secretary, community=tree.east1, name="牛警官")
    assert PoliceOfficer.objects.filter(community=tree.east1, active=True).get().name == "牛警官"
    with pytest.raises(ValidationError):
        services.officer_set(actor=personas.secretary, community=tree.west1, name="x")
