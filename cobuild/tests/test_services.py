"""Co-building rules a user cares about: matching, projects, deeds, bad input, rules, star board."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from audit.models import AuditEntry
from cobuild import selectors, services
from cobuild.models import (
    Activity,
    Agreement,
    Criticism,
    Deed,
    Need,
    NeedStatus,
    Project,
    Resource,
    ResourceKind,
    StarRating,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def png(name="p.png", size=(20, 20)) -> SimpleUploadedFile:
    buf = BytesIO()
    Image.new("RGB", size, "red").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_agreement_ending_before_start_is_refused(personas, tree, units):
    n = Agreement.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(actor=personas.secretary, unit=units.a, region=tree.east1, title="坏协议",
                                  start=date(2026, 6, 1), end=date(2026, 5, 1), activities=[Activity.PARTY])
    assert "结束日期" in exc.value.message_dict["end"][0] and "不能早于开始日期" in exc.value.message_dict["end"][0]
    assert Agreement.objects.count() == n


def test_agreement_document_must_be_pdf_or_image(personas, tree, units):
    bad = SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.agreement_attach_document(actor=personas.secretary, agreement=units.agreement_a, document=bad)
    assert "PDF 或图片" in exc.value.message_dict["document"][0]
    ok = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    a = services.agreement_attach_document(actor=personas.secretary, agreement=units.agreement_a, document=ok)
    assert a.document.name.endswith(".pdf")


def test_resource_with_negative_capacity_is_refused(personas, units):
    with pytest.raises(ValidationError) as exc:
        services.resource_create(actor=personas.liaison, unit=units.a, kind=ResourceKind.VENUE, title="会议室",
                                 capacity=-1)
    assert exc.value.message_dict["capacity"] == ["可提供数量不能小于 0"]
    assert not Resource.objects.exists()


def test_deed_in_the_future_is_refused(personas, units):
    with pytest.raises(ValidationError) as exc:
        services.deed_create(actor=personas.liaison, unit=units.a, activity=Activity.SERVICE,
                             date=TODAY + timedelta(days=1), title="义诊")
    assert "不能晚于今天" in exc.value.message_dict["date"][0]
    assert not Deed.objects.exists()


def test_bad_photo_is_refused_and_nothing_saved(personas, units):
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.deed_create(actor=personas.liaison, unit=units.a, activity=Activity.SERVICE, date=TODAY,
                             title="义诊", photos=[fake], participants=[{"name": "张三", "hours": 2}])
    assert "不是有效的图片" in exc.value.message_dict["photos"][0]
    assert not Deed.objects.exists()
    deed = services.deed_create(actor=personas.liaison, unit=units.a, activity=Activity.SERVICE, date=TODAY,
                                title="义诊", photos=[png()], participants=[{"name": "张三", "hours": 2}])
    assert deed.photos.count() == 1 and deed.participants.get().hours == 2


def test_matching_prefers_same_community_then_street(personas, tree, units):
    far = services.resource_create(actor=personas.district_admin, unit=units.w, kind=ResourceKind.VENUE,
                                   title="矿务局礼堂", capacity=100)
    street = services.resource_create(actor=personas.district_admin, unit=units.c, kind=ResourceKind.VENUE,
                                      title="供电公司会议室", capacity=50)
    near = services.resource_create(actor=personas.liaison, unit=units.a, kind=ResourceKind.VENUE,
                                    title="医院报告厅", capacity=80)
    services.resource_create(actor=personas.liaison, unit=units.a, kind=ResourceKind.FUNDS, title="资金",
                             capacity=5000)
    services.resource_create(actor=personas.liaison, unit=units.a, kind=ResourceKind.VENUE, title="已满",
                             capacity=0)
    need = services.need_create(actor=personas.secretary, region=tree.east1, kind=ResourceKind.VENUE,
                                title="党课场地", quantity=60, agreement=units.agreement_a)
    props = selectors.proposals(need)
    assert [p.resource for p in props] == [near, street]
    assert far not in [p.resource for p in props]
    assert props[0].nearness == "本社区" and props[1].nearness == "本街道" and not props[1].enough

    project = services.need_accept(actor=personas.secretary, need=need, resource=near, owner_name="王书记",
                                   deadline=TODAY + timedelta(days=30), budget="1200")
    need.refresh_from_db()
    near.refresh_from_db()
    assert need.status == NeedStatus.MATCHED and project.unit == units.a and project.budget == Decimal("1200")
    assert near.capacity == 20 and near.available
    assert need not in selectors.unmatched_needs(personas.secretary)
    assert AuditEntry.objects.filter(object_type="cobuild.project", action="create").exists()
    with pytest.raises(ValidationError):
        services.need_accept(actor=personas.secretary, need=need, resource=near, owner_name="王书记",
                             deadline=TODAY + timedelta(days=30))
    idle = set(selectors.idle_resources(personas.secretary))
    assert near not in idle


def test_accept_refuses_a_resource_not_proposed(personas, tree, units):
    far = services.resource_create(actor=personas.district_admin, unit=units.w, kind=ResourceKind.VENUE,
                                   title="矿务局礼堂", capacity=100)
    need = services.need_create(actor=personas.secretary, region=tree.east1, kind=ResourceKind.VENUE, title="场地")
    with pytest.raises(ValidationError) as exc:
        services.need_accept(actor=personas.district_admin, need=need, resource=far, owner_name="甲",
                             deadline=TODAY + timedelta(days=3))
    assert "不在推荐范围" in exc.value.message_dict["resource"][0]
    assert not Project.objects.exists() and Need.objects.get().status == NeedStatus.OPEN


def test_liaison_cannot_log_for_another_unit(personas, units):
    with pytest.raises(ValidationError):
        services.deed_create(actor=personas.liaison, unit=units.b, activity=Activity.SERVICE, date=TODAY,
                             title="义诊")


def test_shortfalls_and_member_hours(personas, units):
    r = selectors.rules()
    year = TODAY.year
    services.deed_create(actor=personas.secretary, unit=units.a, activity=Activity.SERVICE, date=TODAY,
                         title="义诊", team_service=True, participants=[{"name": "张三", "hours": 3},
                                                                        {"name": "李四", "hours": 1}])
    services.deed_create(actor=personas.secretary, unit=units.a, activity=Activity.CULTURE, date=TODAY,
                         title="文艺演出", team_service=True, participants=[{"name": "张三", "hours": 2}])
    short = {s.unit: s for s in selectors.unit_shortfalls(personas.secretary, year)}
    assert units.a not in short  # 2 deeds, 2 team services
    assert short[units.b].short_deeds and short[units.b].deeds == 0
    lines = {m.name: m for m in selectors.member_lines(personas.secretary, year)}
    assert lines["张三"].deeds == 2 and lines["张三"].hours == Decimal("5.0") and not lines["张三"].short
    assert lines["李四"].deeds == 1
    from members.services import settings_update

    settings_update(actor=personas.district_admin, deed_quota_min=2)  # the one quota, kept by members
    lines = {m.name: m for m in selectors.member_lines(personas.secretary, year)}
    assert lines["李四"].short and not lines["张三"].short
    assert r.min_team_services == 2


def test_rules_edit_validation(personas):
    with pytest.raises(ValidationError) as exc:
        services.rules_update(actor=personas.district_admin, assessment_weight=15)
    assert "不得低于 20%" in exc.value.message_dict["assessment_weight"][0]
    with pytest.raises(ValidationError):
        services.rules_update(actor=personas.district_admin, weight_deeds=50)  # sum 110
    with pytest.raises(ValidationError):
        services.rules_update(actor=personas.secretary, min_unit_deeds=3)
    assert selectors.rules().assessment_weight == 20


def _star_setup(personas, units, n_deeds=6):
    for i in range(n_deeds):
        services.deed_create(actor=personas.secretary, unit=units.a, activity=Activity.SERVICE,
                             date=TODAY - timedelta(days=i % 3), title=f"实事{i}", rating=5)


def test_star_board_compute_override_and_disqualify(personas, units, client):
    year = TODAY.year
    _star_setup(personas, units)
    p = services.project_create(actor=personas.secretary, region=units.a.region, title="项目", owner_name="甲",
                                deadline=TODAY + timedelta(days=5), unit=units.a)
    services.project_complete(actor=personas.secretary, project=p)
    p2 = services.project_create(actor=personas.secretary, region=units.a.region, title="项目2", owner_name="甲",
                                 deadline=TODAY + timedelta(days=5), unit=units.a)
    services.project_complete(actor=personas.secretary, project=p2)
    n = services.star_board_compute(actor=personas.street_staff, year=year)
    assert n == 3  # the east street's three units
    a = StarRating.objects.get(unit=units.a, year=year)
    assert a.score == Decimal("100.0") and a.stars == 5
    b = StarRating.objects.get(unit=units.b, year=year)
    assert b.stars == 2 and b.score == Decimal("30.0")  # attendance 20 (no invitations) + rating 10
    # Public page, without signing in: the five-star unit only.
    html = client.get("/cobuild/stars/public/").content.decode()
    assert "县医院" in html and "县一中" not in html

    # Bad overrides change nothing.
    for stars, reason, field in ((6, "表现突出", "stars"), (0, "表现突出", "stars"), (3, "  ", "override_reason")):
        with pytest.raises(ValidationError) as exc:
            services.star_override(actor=personas.street_staff, rating=b, stars=stars, reason=reason)
        assert field in exc.value.message_dict
    b.refresh_from_db()
    assert b.stars == 2 and b.override_reason == ""
    services.star_override(actor=personas.street_staff, rating=b, stars=3, reason="抗洪抢险表现突出")
    services.star_board_compute(actor=personas.street_staff, year=year)
    b.refresh_from_db()
    assert b.stars == 3 and b.computed_stars == 2 and b.override_reason == "抗洪抢险表现突出"

    # Two public criticisms disqualify the unit: not listed publicly any more.
    for i in range(2):
        services.criticism_record(actor=personas.secretary, unit=units.a, date=TODAY, reason=f"无故缺席{i}")
    services.star_board_compute(actor=personas.street_staff, year=year)
    a.refresh_from_db()
    assert a.disqualified and a.criticisms == 2
    assert "县医院" not in client.get(f"/cobuild/stars/public/?year={year}").content.decode()


def test_secretary_cannot_compute_star_board(personas, units):
    with pytest.raises(ValidationError):
        services.star_board_compute(actor=personas.secretary, year=TODAY.year)


def test_criticism_from_source_recorded_once(personas, units):
    for _ in range(2):
        services.criticism_record(actor=personas.secretary, unit=units.a, date=TODAY, reason="缺席",
                                  source_type="meetings.attendance", source_id=7)
    assert Criticism.objects.count() == 1
    services.criticism_withdraw(actor=personas.secretary, unit=units.a, source_type="meetings.attendance",
                                source_id=7)
    assert not Criticism.objects.exists()


def test_deed_photos_are_stored_without_gps_and_fit_the_box(personas, units):
    from core.tests.photo_samples import assert_clean_photo, camera_jpeg

    deed = services.deed_create(actor=personas.liaison, unit=units.a, activity=Activity.SERVICE, date=TODAY,
                                title="义诊", photos=[camera_jpeg()], participants=[{"name": "张三", "hours": 2}])
    assert_clean_photo(deed.photos.get().image)
