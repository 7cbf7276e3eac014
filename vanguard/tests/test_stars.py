"""Service stars (criteria as data, the community proposes, the street approves), the 三亮 consent and the
public board, the community's view of members who fall short, and on-site registration by the organizer."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from demands.tests.conftest import default_categories  # noqa: F401
from grid.tests.conftest import gdata  # noqa: F401
from notifications.models import Notification
from vanguard import services
from vanguard.models import PledgeKind, ServiceStar, SignUp, StarState, VanguardRules
from vanguard.services import volunteer
from vanguard.services.stars import quarter_of

pytestmark = pytest.mark.django_db


def _published(member, personas, title="修路灯"):
    today = timezone.localdate()
    p = services.pledge_draft(actor=member.user, member=member, kind=PledgeKind.DEED, title=title,
                              content="联系物业修好路灯", due_on=today + timedelta(days=10))
    services.pledge_deliberate(actor=personas.secretary, pledge=p, meeting_on=today)
    services.pledge_review(actor=personas.street_staff, pledge=p, approve=True)
    return services.pledge_publish(actor=personas.secretary, pledge=p)


def test_a_star_needs_the_criteria_the_community_and_the_street(world, personas, tree):
    VanguardRules.objects.create(star_min_fulfilled=1, star_min_contacts=0, star_min_hours=0)
    year, quarter = quarter_of(timezone.localdate())
    with pytest.raises(ValidationError) as exc:
        services.star_propose(actor=personas.secretary, community=tree.east1, member=world.me, year=year,
                              quarter=quarter, reason="热心服务")
    assert "践诺 0 件，应至少 1 件" in exc.value.message_dict["member"][0]
    p = _published(world.me, personas)
    services.pledge_fulfil(actor=personas.member, pledge=p, on=timezone.localdate(), fulfilment="已修好")
    with pytest.raises(ValidationError, match="尚未开始的季度"):
        services.star_propose(actor=personas.secretary, community=tree.east1, member=world.me, year=year + 1,
                              quarter=1, reason="x")
    star = services.star_propose(actor=personas.secretary, community=tree.east1, member=world.me, year=year,
                                 quarter=quarter, reason="本季度修好路灯，居民称赞")
    with pytest.raises(ValidationError, match="由街道审定"):
        services.star_decide(actor=personas.secretary, star=star, approve=True)
    star = services.star_decide(actor=personas.street_staff, star=star, approve=True)
    assert star.state == StarState.APPROVED
    assert Notification.objects.filter(recipient=personas.member, title__contains="服务标兵").exists()


def test_the_public_board_shows_names_and_photos_only_with_consent(world, personas, tree, client):
    _published(world.me, personas, "每月宣讲一次")
    url = reverse("portal:sanliang", args=[tree.east1.pk])
    page = client.get(url).content.decode()
    assert "每月宣讲一次" in page and "张建国" not in page and "张**" in page
    assert world.me.id_number not in page and world.me.mobile not in page
    assert client.get(reverse("portal:sanliang_photo", args=[world.me.pk])).status_code == 404
    services.consent_set(actor=personas.member, member=world.me, show_name=True, show_photo=False)
    assert "张建国" in client.get(url).content.decode()
    with pytest.raises(ValidationError) as exc:
        services.consent_set(actor=personas.member, member=world.me, show_name=False, show_photo=True)
    assert exc.value.message_dict["show_photo"] == ["公开照片需要同时同意公开姓名"]
    services.consent_set(actor=personas.member, member=world.me, show_name=False, show_photo=False)  # revoked
    assert "张建国" not in client.get(url).content.decode()
    with pytest.raises(ValidationError, match="只有党员本人"):
        services.consent_set(actor=personas.secretary, member=world.me, show_name=True, show_photo=True)


def test_the_communitys_view_and_its_reminders(world, personas, tree, client_for):
    from members.tests.conftest import add_member

    add_member(tree.west1_org, "住东一的西镇党员", residence=tree.east1_grid1)  # employed, never registered here
    page = client_for(personas.secretary).get(reverse("vanguard:community")).content.decode()
    assert "住东一的西镇党员" in page and "张建国" in page
    resp = client_for(personas.secretary).post(reverse("vanguard:community_remind"),
                                               {"community": tree.east1.pk, "kind": "no_pledge"})
    assert resp.status_code == 302
    assert Notification.objects.filter(recipient=personas.member, title="请作出今年的承诺").exists()
    assert client_for(personas.community_staff).post(reverse("vanguard:community_remind"),
                                                     {"community": tree.east1.pk, "kind": "no_pledge"}
                                                     ).status_code == 403
    assert client_for(personas.member).get(reverse("vanguard:community")).status_code == 403
    assert client_for(personas.west_secretary).get(reverse("vanguard:community"),
                                                   {"community": tree.east1.pk}).status_code == 404


def test_stars_page_by_role(world, personas, tree, client_for):
    for who, status in [("secretary", 200), ("street_staff", 200), ("member", 403), ("liaison", 403)]:
        assert client_for(getattr(personas, who)).get(reverse("vanguard:stars")).status_code == status, who
    star = ServiceStar.objects.create(community=tree.east1, member=world.me, year=2026, quarter=1, reason="x")
    url = reverse("vanguard:star_decide", args=[star.pk])
    assert client_for(personas.secretary).post(url, {"decision": "approve"}).status_code == 403
    west_street = __import__("conftest").make_user("west_street", "street_staff", tree.west)
    assert client_for(west_street).post(url, {"decision": "approve"}).status_code == 404
    assert client_for(personas.street_staff).post(url, {"decision": "approve"}).status_code == 302
    star.refresh_from_db()
    assert star.state == StarState.APPROVED


def test_the_organizer_registers_a_member_without_a_phone_on_site(world, personas, tree):
    start = timezone.now() + timedelta(minutes=10)
    a = volunteer.activity_publish(actor=personas.secretary, region=tree.east1, title="义诊", place="活动室",
                                   starts_at=start, ends_at=start + timedelta(hours=2), places=5)
    world.other.user = None
    world.other.save()
    s = volunteer.signup_add(actor=personas.secretary, activity=a, member=world.other)
    assert s.user is None and s.checked_in_at
    with pytest.raises(ValidationError, match="已报名"):
        volunteer.signup_add(actor=personas.secretary, activity=a, member=world.other)
    s = volunteer.hours_confirm(actor=personas.secretary, signup=s, hours="2")
    assert SignUp.objects.get(pk=s.pk).hours == 2
    with pytest.raises(ValidationError, match="没有"):
        volunteer.signup_add(actor=personas.west_secretary, activity=a, member=world.me)
