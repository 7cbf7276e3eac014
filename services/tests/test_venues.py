"""Venues: a booking overlapping another is refused, one ending before it starts too; the duty roster:
one person's shifts never overlap, the hours no one covers are shown, hand-over notes."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from services import services
from services.models import Booking, DutyShift

pytestmark = pytest.mark.django_db


def _at(days, hour, minute=0):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute)))


@pytest.fixture
def hall(world, tree, personas):
    return services.venue_create(actor=personas.secretary, region=tree.east1, name="多功能活动室", capacity=60,
                                 equipment="投影仪、音响")


def test_a_double_booking_is_refused(hall, personas):
    services.booking_create(actor=personas.secretary, venue=hall, start=_at(1, 9), end=_at(1, 11),
                            borrower="县供电公司", purpose="党员大会", attendees=40)
    with pytest.raises(ValidationError) as exc:
        services.booking_create(actor=personas.secretary, venue=hall, start=_at(1, 10), end=_at(1, 12),
                                borrower="舞蹈队", purpose="排练")
    assert "与已有预约冲突：县供电公司" in exc.value.message_dict["start"][0]
    # Back to back is fine.
    services.booking_create(actor=personas.secretary, venue=hall, start=_at(1, 11), end=_at(1, 12),
                            borrower="舞蹈队", purpose="排练")
    assert Booking.objects.count() == 2


def test_a_cancelled_booking_frees_the_time(hall, personas):
    b = services.booking_create(actor=personas.secretary, venue=hall, start=_at(2, 14), end=_at(2, 16),
                                borrower="书法协会", purpose="书法培训")
    services.booking_cancel(actor=personas.secretary, booking=b)
    services.booking_create(actor=personas.secretary, venue=hall, start=_at(2, 15), end=_at(2, 17),
                            borrower="舞蹈队", purpose="排练")


@pytest.mark.parametrize("start,end,field,message", [
    ((1, 11), (1, 9), "end", "结束时间应晚于开始时间"),
    ((1, 9), (1, 9), "end", "结束时间应晚于开始时间"),
    ((-2, 9), (-2, 10), "start", "已过"),
    ((400, 9), (400, 10), "start", "一年以内"),
    ((1, 9), (6, 9), "end", "3 天"),
])
def test_bad_periods_are_refused(hall, personas, start, end, field, message):
    with pytest.raises(ValidationError) as exc:
        services.booking_create(actor=personas.secretary, venue=hall, start=_at(*start), end=_at(*end),
                                borrower="舞蹈队", purpose="排练")
    assert message in exc.value.message_dict[field][0]
    assert not Booking.objects.exists()


def test_more_people_than_the_room_holds_is_refused(hall, personas):
    with pytest.raises(ValidationError, match="容纳人数"):
        services.booking_create(actor=personas.secretary, venue=hall, start=_at(1, 9), end=_at(1, 10),
                                borrower="县医院", purpose="培训", attendees=10**12)


def test_the_booking_page_refuses_a_double_booking(hall, personas, client_for):
    c = client_for(personas.community_staff)
    url = reverse("services:venue", args=[hall.pk])
    def fmt(dt):
        return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")

    ok = c.post(url, {"start": fmt(_at(1, 9)), "end": fmt(_at(1, 11)),
                      "borrower": "县供电公司", "purpose": "党员大会", "attendees": "30"})
    assert ok.status_code == 302
    r = c.post(url, {"start": fmt(_at(1, 10)), "end": fmt(_at(1, 12)),
                     "borrower": "舞蹈队", "purpose": "排练"})
    assert r.status_code == 400 and "同一场所同一时段不能重复预约" in r.content.decode()
    assert client_for(personas.west_secretary).get(url).status_code == 404
    assert client_for(personas.street_staff).post(url, {}).status_code == 403


def test_one_persons_shifts_do_not_overlap_and_gaps_show(world, tree, personas):
    sec = personas.secretary
    services.shift_create(actor=sec, region=tree.east1, post="station", start=_at(0, 0), end=_at(0, 8),
                          person_name="刘值班")
    with pytest.raises(ValidationError, match="同一人班次不能重叠"):
        services.shift_create(actor=sec, region=tree.east1, post="community", start=_at(0, 7), end=_at(0, 12),
                              person_name="刘值班")
    with pytest.raises(ValidationError, match="结束时间应晚于开始时间"):
        services.shift_create(actor=sec, region=tree.east1, post="station", start=_at(0, 12), end=_at(0, 8),
                              person_name="周值班")
    services.shift_create(actor=sec, region=tree.east1, post="station", start=_at(0, 8), end=_at(0, 20),
                          person_name="周值班")
    gaps = services.coverage_gaps(tree.east1, "station", _at(0, 0))
    assert gaps == [(_at(0, 20), _at(1, 0))]
    assert DutyShift.objects.count() == 2


def test_hand_over_notes(world, tree, personas, client_for):
    now = timezone.now()
    s = services.shift_create(actor=personas.secretary, region=tree.east1, post="station",
                              start=now - timedelta(hours=2), end=now + timedelta(hours=6), person_name="刘值班")
    c = client_for(personas.community_staff)
    page = c.get(reverse("services:duty")).content.decode()
    assert "刘值班" in page and "空档" in page
    c.post(reverse("services:duty") + f"?region={tree.east1.pk}", {"shift": s.pk, "note": "3号楼李奶奶需次日回访"})
    s.refresh_from_db()
    assert s.handover_note == "3号楼李奶奶需次日回访" and s.handed_over_at
    with pytest.raises(ValidationError, match="已交班"):
        services.shift_hand_over(actor=personas.secretary, shift=s, note="again")
