"""Bodies, cadences, meetings, attendance → criticism → disqualification, resolutions."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cobuild import services as cobuild_services
from cobuild.models import Criticism, Project, StarRating
from meetings import selectors, services
from meetings.models import AttendanceStatus, BodyKind, ResolutionKind

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def joint(personas, tree, units):
    body = services.body_create(actor=personas.secretary, name="东一社区党建联席会", kind=BodyKind.JOINT,
                                region=tree.east1, secretary=personas.secretary, rotating_chair=True,
                                since=date(TODAY.year - 1, 1, 1))
    services.member_add(actor=personas.secretary, body=body, unit=units.a, title="委员")
    services.member_add(actor=personas.secretary, body=body, unit=units.b, title="委员")
    services.member_add(actor=personas.secretary, body=body, person_name="社区民警", title="列席")
    return body


def test_periods():
    assert selectors.period_of(date(2026, 5, 9), 1).key == "2026-05"
    p = selectors.period_of(date(2026, 8, 9), 6)
    assert (p.start, p.end) == (date(2026, 7, 1), date(2026, 12, 31))
    q = selectors.previous_period(date(2026, 1, 15), 3)
    assert (q.start, q.end, q.label) == (date(2025, 10, 1), date(2025, 12, 31), "2025 年 10–12 月")
    assert selectors.previous_period(date(2026, 3, 1), 12).label == "2025 年"


def test_default_cadences_from_the_seed():
    rules = selectors.cadence_rules()
    assert rules[BodyKind.STEERING].months == 12 and rules[BodyKind.STEERING].year_end
    assert rules[BodyKind.COORDINATION].months == 6
    assert rules[BodyKind.JOINT].months == 1
    assert rules[BodyKind.LEADER_LIAISON].months == 3


def test_rotating_chair(personas, units, joint):
    turns = services.chair_schedule_generate(actor=personas.secretary, body=joint, year=TODAY.year)
    assert len(turns) == 12
    assert [t.unit for t in turns[:4]] == [units.a, units.b, units.a, units.b]
    m = services.meeting_create(actor=personas.secretary, body=joint, title="例会", date=date(TODAY.year, 2, 10))
    assert m.chair_unit == units.b
    assert m.attendances.count() == 3


def test_unexcused_absence_records_criticism_and_two_disqualify(personas, units, joint):
    day1, day2 = TODAY - timedelta(days=40), TODAY - timedelta(days=5)
    for day in (day1, day2):
        m = services.meeting_create(actor=personas.secretary, body=joint, title=f"{day:%m}月联席会", date=day)
        att = {a.unit_id: a for a in m.attendances.all()}
        statuses = {a.pk: AttendanceStatus.PRESENT for a in m.attendances.all()}
        statuses[att[units.b.pk].pk] = AttendanceStatus.ABSENT
        services.attendance_record(actor=personas.secretary, meeting=m, statuses=statuses)
    crits = Criticism.objects.filter(unit=units.b)
    assert crits.count() == 2 and "无故缺席" in crits.first().reason
    assert not Criticism.objects.filter(unit=units.a).exists()
    m.refresh_from_db()
    assert m.status == "held"
    if day1.year == day2.year:
        cobuild_services.star_board_compute(actor=personas.street_staff, year=day2.year,
                                            attendance_of=selectors.unit_attendance)
        b = StarRating.objects.get(unit=units.b, year=day2.year)
        assert b.disqualified and b.criticisms == 2 and b.attendance_rate == 0
        a = StarRating.objects.get(unit=units.a, year=day2.year)
        assert a.attendance_rate == 100 and not a.disqualified
    # Correcting the second absence to excused withdraws that criticism.
    b_att = m.attendances.get(unit=units.b)
    services.attendance_record(actor=personas.secretary, meeting=m, statuses={b_att.pk: AttendanceStatus.EXCUSED})
    assert Criticism.objects.filter(unit=units.b).count() == 1


def test_attendance_for_future_meeting_refused(personas, joint):
    m = services.meeting_create(actor=personas.secretary, body=joint, title="下月例会",
                                date=TODAY + timedelta(days=10))
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(actor=personas.secretary, meeting=m,
                                   statuses={m.attendances.first().pk: AttendanceStatus.ABSENT})
    assert "还未到" in exc.value.message_dict["date"][0]
    assert not Criticism.objects.exists()


def test_bad_status_refused_nothing_changed(personas, units, joint):
    m = services.meeting_create(actor=personas.secretary, body=joint, title="例会", date=TODAY)
    a, b = list(m.attendances.filter(unit__isnull=False))
    with pytest.raises(ValidationError):
        services.attendance_record(actor=personas.secretary, meeting=m,
                                   statuses={a.pk: AttendanceStatus.ABSENT, b.pk: "late"})
    assert not Criticism.objects.exists()
    assert m.attendances.filter(status=AttendanceStatus.ABSENT).count() == 0


def test_resolution_becomes_project_or_task(personas, units, joint):
    m = services.meeting_create(actor=personas.secretary, body=joint, title="例会", date=TODAY)
    r = services.resolution_create(actor=personas.secretary, meeting=m, text="修缮社区活动室",
                                   kind=ResolutionKind.PROJECT, owner_name="王书记",
                                   deadline=TODAY + timedelta(days=60), budget=5000, unit=units.a)
    p = Project.objects.get(pk=r.project_id)
    assert p.title == "修缮社区活动室" and p.unit == units.a and p.source_type == "meetings.resolution"
    t = services.resolution_create(actor=personas.secretary, meeting=m, text="排查消防隐患",
                                   kind=ResolutionKind.TASK, owner_name="李干事", deadline=TODAY + timedelta(days=7))
    assert t.project is None
    with pytest.raises(ValidationError):
        services.resolution_create(actor=personas.secretary, meeting=m, text="过期", kind=ResolutionKind.TASK,
                                   owner_name="甲", deadline=TODAY - timedelta(days=1))


def test_missed_cadence_flagged_and_secretary_notified(personas, joint):
    sent = []
    with mock.patch("meetings.services._notify", side_effect=lambda **kw: sent.append(kw)):
        flagged = services.cadence_check(today=TODAY)
        again = services.cadence_check(today=TODAY)  # once per missed period
    assert flagged == [joint] and again == []
    assert sent[0]["recipients"] == [personas.secretary] and "未按期" in sent[0]["title"]
    status = selectors.body_statuses([joint], TODAY)[0]
    assert status.missed is not None


def test_cadence_met_is_not_flagged(personas, joint):
    prev = selectors.previous_period(TODAY, 1)
    m = services.meeting_create(actor=personas.secretary, body=joint, title="例会", date=prev.start)
    services.minutes_save(actor=personas.secretary, meeting=m, minutes="通报本月共建情况")
    assert services.cadence_check(today=TODAY) == []


def test_notification_through_notifications_app_when_present(personas, joint):
    try:
        from notifications.services import notify  # noqa: F401
    except ImportError:
        pytest.skip("notifications.services.notify not available yet")
    from notifications import models as nmodels

    services.cadence_check(today=TODAY)
    model = next(m for m in vars(nmodels).values() if isinstance(m, type) and hasattr(m, "_meta")
                 and m._meta.app_label == "notifications" and not m._meta.abstract)
    assert model.objects.exists()


@pytest.mark.parametrize("who, status", [
    ("district_admin", 200), ("street_staff", 200), ("secretary", 200), ("community_staff", 200),
    ("west_secretary", 404), ("liaison", 403), ("grid_worker", 403), ("nobody", 403), ("auditor", 403),
])
def test_role_matrix_body_page_and_api(client_for, personas, joint, who, status):
    c = client_for(getattr(personas, who))
    assert c.get(reverse("meetings:body", args=[joint.pk])).status_code == status
    assert c.get(f"/api/meetings/bodies/{joint.pk}/").status_code == status


def test_pages_render(client_for, personas, units, joint):
    m = services.meeting_create(actor=personas.secretary, body=joint, title="<b>例会</b>", date=TODAY)
    c = client_for(personas.secretary)
    for url in (reverse("meetings:index"), reverse("meetings:calendar"), reverse("meetings:rules"),
                reverse("meetings:meeting", args=[m.pk]), reverse("meetings:calendar") + "?month=2020-13"):
        resp = c.get(url)
        assert resp.status_code == 200, url
    assert "&lt;b&gt;例会&lt;/b&gt;" in c.get(reverse("meetings:meeting", args=[m.pk])).content.decode()


def test_attendance_page_post(client_for, personas, units, joint):
    m = services.meeting_create(actor=personas.secretary, body=joint, title="例会", date=TODAY)
    c = client_for(personas.secretary)
    data = {f"a-{a.pk}": ("absent" if a.unit_id == units.a.pk else "present") for a in m.attendances.all()}
    assert c.post(reverse("meetings:attendance", args=[m.pk]), data).status_code == 302
    assert Criticism.objects.filter(unit=units.a).count() == 1
    html = client_for(personas.liaison).get(reverse("cobuild:unit", args=[units.a.pk])).content.decode()
    assert "通报批评（1 次）" in html


def test_cadence_rules_edit(client_for, personas):
    assert client_for(personas.secretary).post(reverse("meetings:rules"), {"months-joint": 2}).status_code == 403
    c = client_for(personas.district_admin)
    c.post(reverse("meetings:rules"), {"months-joint": "5"})
    assert selectors.cadence_rules()[BodyKind.JOINT].months == 1
    c.post(reverse("meetings:rules"), {"months-joint": "2", "months-coordination": "6"})
    assert selectors.cadence_rules()[BodyKind.JOINT].months == 2


def test_cadence_check_command(personas, joint):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with mock.patch("meetings.services._notify"):
        call_command("meetings_cadence_check", stdout=out)
    assert "东一社区党建联席会" in out.getvalue()


def test_home_cards(client_for, personas, units):
    html = client_for(personas.liaison).get("/").content.decode()
    assert "驻区单位" in html and "待对接需求" in html


def test_planned_meeting_counts_only_inside_the_period(personas, joint):
    cur = selectors.period_of(TODAY, 1)
    services.meeting_create(actor=personas.secretary, body=joint, title="下期例会", date=cur.end + timedelta(days=3))
    st = selectors.body_statuses([joint], TODAY)[0]
    assert st.next_meeting is not None and not st.planned_in_period
    services.meeting_create(actor=personas.secretary, body=joint, title="本期例会", date=cur.end)
    st = selectors.body_statuses([joint], TODAY)[0]
    assert st.planned_in_period and st.next_meeting.date == cur.end
