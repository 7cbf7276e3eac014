"""我单位的会议: what a resident unit's liaison sees of its meetings, and its reply (回执)."""

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import RoleAssignment
from accounts.roles import Role
from audit.models import AuditEntry
from cobuild.models import ResidentUnit
from conftest import make_user
from meetings import selectors, services
from meetings.models import Attendance, AttendanceReply, AttendanceStatus, BodyKind, Meeting, ResolutionKind

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


class World:
    """东一社区联席会 (units A 县医院 and B 县一中, and a person) with an upcoming and a past meeting;
    东二社区联席会 (unit C 供电公司) with an upcoming meeting. Liaisons: A → personas.liaison,
    B → liaison_b, C → liaison_c; liaison_none holds the role but no unit."""


@pytest.fixture
def world(personas, tree, units):
    w = World()
    w.liaison_b = make_user("liaison_b", Role.UNIT_LIAISON, tree.east1)
    w.liaison_c = make_user("liaison_c", Role.UNIT_LIAISON, tree.east2)
    w.liaison_none = make_user("liaison_none", Role.UNIT_LIAISON, tree.east1)
    ResidentUnit.objects.filter(pk=units.b.pk).update(liaison=w.liaison_b)
    ResidentUnit.objects.filter(pk=units.c.pk).update(liaison=w.liaison_c)
    sec = personas.secretary
    w.joint = services.body_create(actor=sec, name="东一社区党建联席会", kind=BodyKind.JOINT, region=tree.east1,
                                   secretary=sec, rotating_chair=True, since=TODAY - timedelta(days=400))
    services.member_add(actor=sec, body=w.joint, unit=units.a, title="成员单位")
    services.member_add(actor=sec, body=w.joint, unit=units.b, title="成员单位")
    services.member_add(actor=sec, body=w.joint, person_name="社区民警", title="列席")
    w.past = services.meeting_create(actor=sec, body=w.joint, title="上月联席会", date=TODAY - timedelta(days=20),
                                     place="社区党群服务中心", agenda="通报共建情况")
    att = {a.unit_id: a for a in w.past.attendances.all()}
    services.attendance_record(actor=sec, meeting=w.past, statuses={
        att[units.a.pk].pk: AttendanceStatus.PRESENT, att[units.b.pk].pk: AttendanceStatus.ABSENT,
        att[None].pk: AttendanceStatus.PRESENT})
    services.minutes_save(actor=sec, meeting=w.past, minutes="内部纪要：县一中无故缺席，需约谈。")
    w.task_a = services.resolution_create(actor=sec, meeting=w.past, text="县医院开展义诊进社区",
                                          kind=ResolutionKind.TASK, owner_name="县医院负责人",
                                          deadline=TODAY + timedelta(days=30), unit=units.a)
    w.project_a = services.resolution_create(actor=sec, meeting=w.past, text="建立老年人健康档案",
                                             kind=ResolutionKind.PROJECT, owner_name="张医生",
                                             deadline=TODAY + timedelta(days=60), budget=3000, unit=units.a)
    w.task_b = services.resolution_create(actor=sec, meeting=w.past, text="县一中书面说明缺席原因",
                                          kind=ResolutionKind.TASK, owner_name="县一中负责人",
                                          deadline=TODAY + timedelta(days=7), unit=units.b)
    w.task_none = services.resolution_create(actor=sec, meeting=w.past, text="社区排查消防隐患",
                                             kind=ResolutionKind.TASK, owner_name="李干事",
                                             deadline=TODAY + timedelta(days=7))
    w.next = services.meeting_create(actor=sec, body=w.joint, title="下月联席会", date=TODAY + timedelta(days=7),
                                     start_time=time(15, 30), place="社区三楼会议室", agenda="研究冬季清雪")
    Meeting.objects.filter(pk=w.next.pk).update(chair_unit=units.a)
    w.joint_e2 = services.body_create(actor=personas.street_staff, name="东二社区党建联席会", kind=BodyKind.JOINT,
                                      region=tree.east2, since=TODAY - timedelta(days=400))
    services.member_add(actor=personas.street_staff, body=w.joint_e2, unit=units.c, title="成员单位")
    w.other = services.meeting_create(actor=personas.street_staff, body=w.joint_e2, title="东二联席会",
                                      date=TODAY + timedelta(days=5))
    return w


def _row(meeting, unit) -> Attendance:
    return Attendance.objects.get(meeting=meeting, unit=unit)


def _reply_audits():
    return AuditEntry.objects.filter(object_type="meetings.attendance")


LEAVE = {"reply": "leave", "reply_name": "", "reply_reason": "院内急诊任务"}


# --- role matrix ---------------------------------------------------------------------------------

@pytest.mark.parametrize("who, index, detail, reply", [
    ("liaison", 200, 200, 302),          # unit A's liaison
    ("liaison_b", 200, 200, 302),        # unit B: same body, replies for B only
    ("liaison_c", 200, 404, 404),        # unit C of 东二社区: not a member of 东一社区联席会
    ("liaison_none", 403, 403, 403),     # the role, but no unit
    ("secretary", 403, 403, 403),
    ("community_staff", 403, 403, 403),
    ("street_staff", 403, 403, 403),
    ("district_admin", 403, 403, 403),
    ("grid_worker", 403, 403, 403),
    ("member", 403, 403, 403),
    ("west_secretary", 403, 403, 403),
    ("auditor", 403, 403, 403),
    ("superuser", 403, 403, 403),
    ("nobody", 403, 403, 403),
])
def test_role_matrix(client_for, personas, world, units, who, index, detail, reply):
    user = getattr(world, who, None) or getattr(personas, who)
    c = client_for(user)
    assert c.get(reverse("meetings:unit_meetings")).status_code == index
    assert c.get(reverse("meetings:unit_meeting", args=[world.next.pk])).status_code == detail
    resp = c.post(reverse("meetings:attendance_reply", args=[world.next.pk]), LEAVE)
    assert resp.status_code == reply
    replied = Attendance.objects.filter(meeting=world.next).exclude(reply="")
    if reply == 302:
        own = {"liaison": units.a, "liaison_b": units.b}[who]
        assert [a.unit for a in replied] == [own]
    else:
        assert not replied.exists()


def test_anonymous_is_sent_to_login(world):
    c = Client()
    for url in (reverse("meetings:unit_meetings"), reverse("meetings:unit_meeting", args=[world.next.pk])):
        resp = c.get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert c.post(reverse("meetings:attendance_reply", args=[world.next.pk]), LEAVE).status_code == 302
    assert not Attendance.objects.exclude(reply="").exists()


def test_reply_page_refuses_get(client_for, personas, world):
    assert client_for(personas.liaison).get(reverse("meetings:attendance_reply", args=[world.next.pk])).status_code \
        == 405


def test_liaison_cannot_edit_meetings(client_for, personas, world, units):
    c = client_for(personas.liaison)
    row = _row(world.past, units.a)
    assert c.get(reverse("meetings:meeting", args=[world.past.pk])).status_code == 403
    assert c.post(reverse("meetings:attendance", args=[world.past.pk]), {f"a-{row.pk}": "absent"}).status_code == 403
    assert c.post(reverse("meetings:minutes", args=[world.past.pk]), {"minutes": "改"}).status_code == 403
    assert c.post(reverse("meetings:resolution_new", args=[world.past.pk]),
                  {"text": "x", "kind": "task", "owner_name": "x", "deadline": str(TODAY)}).status_code == 403
    assert c.post(reverse("meetings:meeting_new", args=[world.joint.pk]),
                  {"title": "x", "date": str(TODAY)}).status_code == 403
    assert c.get(f"/api/meetings/meetings/{world.past.pk}/").status_code == 403
    row.refresh_from_db()
    assert row.status == AttendanceStatus.PRESENT


def test_menu_entry_only_for_a_unit_liaison(client_for, personas, world):
    def menu(user):
        html = client_for(user).get("/").content.decode()
        return html[html.index('id="main-menu"'):html.index("</ul>", html.index('id="main-menu"'))]

    assert "我单位的会议" in menu(personas.liaison)
    assert "我单位的会议" in menu(world.liaison_c)
    for user in (world.liaison_none, personas.secretary, personas.grid_worker, personas.nobody,
                 personas.superuser):  # a superuser is no unit's liaison: the pages would refuse them
        assert "我单位的会议" not in menu(user), user
    home = client_for(personas.liaison).get("/").content.decode()
    assert "我单位下次会议" in home and f"{world.next.date:%m-%d}" in home


def test_losing_the_role_closes_the_pages(client_for, personas, world):
    RoleAssignment.objects.filter(user=personas.liaison).delete()
    c = client_for(personas.liaison)
    assert c.get(reverse("meetings:unit_meetings")).status_code == 403
    assert "我单位的会议" not in c.get("/").content.decode()


# --- what the liaison sees ----------------------------------------------------------------------

def test_overview_shows_own_unit_only(client_for, personas, world, units):
    services.chair_schedule_generate(actor=personas.secretary, body=world.joint, year=TODAY.year + 1)
    html = client_for(personas.liaison).get(reverse("meetings:unit_meetings")).content.decode()
    # The body, the upcoming meeting with time, place, agenda, and the unit as its chair.
    assert "东一社区党建联席会" in html and "下月联席会" in html and "15:30" in html
    assert "社区三楼会议室" in html and "研究冬季清雪" in html and "本单位轮值" in html and "待回执" in html
    # The past meeting with the unit's own attendance, and the resolutions about it.
    assert "上月联席会" in html and ">出席</span>" in html
    assert "县医院开展义诊进社区" in html and "建立老年人健康档案" in html
    assert "下次轮值" in html or "本期" in html
    # Nothing of the other unit, the minutes, or resolutions about others.
    for secret in ("县一中", "无故缺席", "内部纪要", "社区排查消防隐患", "社区民警", "东二联席会", "供电公司"):
        assert secret not in html, secret


def test_meeting_page_shows_own_attendance_only(client_for, personas, world, units):
    html = client_for(personas.liaison).get(reverse("meetings:unit_meeting", args=[world.past.pk])).content.decode()
    assert ">出席</span>" in html and "县医院开展义诊进社区" in html and "查看项目" in html
    for secret in ("县一中", "无故缺席", "内部纪要", "社区排查消防隐患", "社区民警", "reply-form"):
        assert secret not in html, secret
    html_b = client_for(world.liaison_b).get(reverse("meetings:unit_meeting", args=[world.past.pk])).content.decode()
    assert "无故缺席" in html_b and "县一中书面说明缺席原因" in html_b
    for secret in ("县医院开展义诊进社区", "建立老年人健康档案", "内部纪要", "社区民警"):
        assert secret not in html_b, secret


def test_other_liaison_does_not_see_the_reply(client_for, personas, world, units):
    client_for(personas.liaison).post(reverse("meetings:attendance_reply", args=[world.next.pk]), LEAVE)
    c = client_for(world.liaison_b)
    for url in (reverse("meetings:unit_meeting", args=[world.next.pk]), reverse("meetings:unit_meetings")):
        html = c.get(url).content.decode()
        assert "院内急诊任务" not in html and "已回执" not in html and "县一中" in html


def test_next_chair_turn(personas, world, units):
    services.chair_schedule_generate(actor=personas.secretary, body=world.joint, year=TODAY.year + 1)
    d = selectors.unit_meetings(units.a)
    assert d.next_turn is not None and d.next_turn.unit == units.a and d.next_turn.end >= TODAY
    assert [ms.member.body for ms in d.memberships] == [world.joint]
    assert [m for m, _ in d.upcoming] == [world.next]
    assert [(m, a.status) for m, a in d.past] == [(world.past, AttendanceStatus.PRESENT)]
    assert {r.text for r in d.resolutions} == {"县医院开展义诊进社区", "建立老年人健康档案"}


# --- the reply (回执) ------------------------------------------------------------------------------

def test_leave_reply_saved_audited_and_shown_to_staff(client_for, personas, world, units):
    c = client_for(personas.liaison)
    resp = c.post(reverse("meetings:attendance_reply", args=[world.next.pk]),
                  {"reply": "leave", "reply_name": "", "reply_reason": "院内急诊任务"})
    assert resp.status_code == 302 and resp["Location"] == reverse("meetings:unit_meeting", args=[world.next.pk])
    a = _row(world.next, units.a)
    assert (a.reply, a.reply_reason, a.replied_by) == (AttendanceReply.LEAVE, "院内急诊任务", personas.liaison)
    assert a.status == AttendanceStatus.INVITED and a.replied_at is not None
    entry = _reply_audits().get()
    assert entry.actor == personas.liaison and entry.object_id == str(a.pk)
    assert entry.changes["reply"] == ["", "请假"]
    assert entry.changes["reply_reason"][1] != "院内急诊任务"  # the reason is masked in the log
    staff = client_for(personas.secretary).get(reverse("meetings:meeting", args=[world.next.pk])).content.decode()
    assert "院内急诊任务" in staff and "请假 1" in staff and "未回执 1" in staff
    assert "已提交回执" in c.get(reverse("meetings:unit_meeting", args=[world.next.pk])).content.decode()


def test_attend_reply_then_change_before_start(client_for, personas, world, units):
    c = client_for(personas.liaison)
    url = reverse("meetings:attendance_reply", args=[world.next.pk])
    assert c.post(url, {"reply": "attend", "reply_name": "张院长", "reply_reason": "忽略"}).status_code == 302
    a = _row(world.next, units.a)
    assert (a.reply, a.reply_name, a.reply_reason) == ("attend", "张院长", "")
    assert c.post(url, {"reply": "attend", "reply_name": "张院长"}).status_code == 302
    assert _reply_audits().count() == 1  # an unchanged reply writes nothing
    assert c.post(url, LEAVE).status_code == 302
    a.refresh_from_db()
    assert a.reply == "leave" and _reply_audits().count() == 2


def test_staff_attendance_form_offers_excused_for_a_leave_reply(client_for, personas, world, units):
    client_for(personas.liaison).post(reverse("meetings:attendance_reply", args=[world.next.pk]), LEAVE)
    Meeting.objects.filter(pk=world.next.pk).update(date=TODAY)
    html = client_for(personas.secretary).get(reverse("meetings:meeting", args=[world.next.pk])).content.decode()
    a = _row(world.next, units.a)
    select = html[html.index(f'name="a-{a.pk}"'):]
    select = select[:select.index("</select>")]
    assert 'value="excused" selected' in select


@pytest.mark.parametrize("data, field, message", [
    ({"reply": "leave", "reply_reason": "<script>alert(1)</script>"}, "reply_reason", "不能包含 &lt; 或 &gt; 符号"),
    ({"reply": "leave", "reply_reason": "<b>出差</b>"}, "reply_reason", "不能包含"),
    ({"reply": "leave", "reply_reason": "   "}, "reply_reason", "请假事由不能为空"),
    ({"reply": "leave"}, "reply_reason", "请假事由不能为空"),
    ({"reply": "attend", "reply_name": ""}, "reply_name", "参会人员姓名不能为空"),
    ({"reply": "attend", "reply_name": "<i>张</i>"}, "reply_name", "不能包含"),
    ({"reply": "maybe", "reply_reason": "x"}, "reply", "请选择 参加 或 请假"),
    ({"reply_reason": "x"}, "reply", "请选择 参加 或 请假"),
    ({"reply": "leave", "reply_reason": "长" * 201}, "reply_reason", "200"),
])
def test_bad_reply_refused_nothing_saved(client_for, personas, world, units, data, field, message):
    resp = client_for(personas.liaison).post(reverse("meetings:attendance_reply", args=[world.next.pk]), data)
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert "<script>alert(1)</script>" not in resp.content.decode()
    a = _row(world.next, units.a)
    assert (a.reply, a.reply_name, a.reply_reason, a.replied_at) == ("", "", "", None)
    assert not _reply_audits().exists()


def test_reply_to_a_past_meeting_refused(client_for, personas, world, units):
    resp = client_for(personas.liaison).post(reverse("meetings:attendance_reply", args=[world.past.pk]), LEAVE)
    assert resp.status_code == 200
    assert "不能再提交或修改回执" in resp.content.decode()
    a = _row(world.past, units.a)
    assert (a.reply, a.status) == ("", AttendanceStatus.PRESENT) and not _reply_audits().exists()


def test_reply_after_start_refused_even_if_not_recorded(client_for, personas, world, units):
    # A meeting of yesterday, still only planned, and one of today whose start time has passed.
    Meeting.objects.filter(pk=world.next.pk).update(date=TODAY - timedelta(days=1))
    c = client_for(personas.liaison)
    resp = c.post(reverse("meetings:attendance_reply", args=[world.next.pk]), LEAVE)
    assert "会议已于" in resp.content.decode() and "不能再提交或修改回执" in resp.content.decode()
    Meeting.objects.filter(pk=world.next.pk).update(date=TODAY, start_time=time(15, 30))
    at_four = timezone.make_aware(datetime.combine(TODAY, time(16, 0)))
    with mock.patch("meetings.models._now", return_value=at_four):
        resp = c.post(reverse("meetings:attendance_reply", args=[world.next.pk]), LEAVE)
    assert f"会议已于 {TODAY:%Y-%m-%d} 15:30 开始" in resp.content.decode()
    assert not Attendance.objects.exclude(reply="").exists() and not _reply_audits().exists()
    at_three = timezone.make_aware(datetime.combine(TODAY, time(15, 0)))
    with mock.patch("meetings.models._now", return_value=at_three):
        assert c.post(reverse("meetings:attendance_reply", args=[world.next.pk]), LEAVE).status_code == 302
    assert _row(world.next, units.a).reply == "leave"


def test_reply_for_another_units_meeting_or_row_refused(client_for, personas, world, units):
    c = client_for(personas.liaison)
    # 东二社区's meeting (unit A is no member): 404, as if it did not exist.
    assert c.post(reverse("meetings:attendance_reply", args=[world.other.pk]), LEAVE).status_code == 404
    assert c.get(reverse("meetings:unit_meeting", args=[world.other.pk])).status_code == 404
    # Unit B's row of a meeting A can see: 404 too.
    assert c.post(reverse("meetings:attendance_reply", args=[world.next.pk]),
                  {**LEAVE, "unit": units.b.pk}).status_code == 404
    assert c.post(reverse("meetings:attendance_reply", args=[world.next.pk]),
                  {**LEAVE, "unit": "x"}).status_code == 404
    assert not Attendance.objects.exclude(reply="").exists() and not _reply_audits().exists()


def test_member_not_invited_is_told_so(client_for, personas, world, units, tree):
    from cobuild import services as cobuild_services
    from cobuild.models import UnitKind

    d = cobuild_services.unit_create(actor=personas.district_admin, name="县税务局", kind=UnitKind.GOVERNMENT,
                                     region=tree.east1, liaison=world.liaison_none)
    services.member_add(actor=personas.secretary, body=world.joint, unit=d)
    # A member without an invitation (joining now invites it: a row removed by hand, or from before).
    Attendance.objects.filter(unit=d).delete()
    c = client_for(world.liaison_none)
    assert "不在该会议的邀请名单中" in c.get(reverse("meetings:unit_meetings")).content.decode()
    resp = c.post(reverse("meetings:attendance_reply", args=[world.next.pk]), LEAVE)
    assert resp.status_code == 200 and "不在本次会议的邀请名单中" in resp.content.decode()
    assert not Attendance.objects.filter(unit=d).exists()


def test_service_refuses_non_liaisons(personas, world, units):
    for actor in (personas.secretary, personas.district_admin, world.liaison_b):
        with pytest.raises(ValidationError):
            services.attendance_reply(actor=actor, meeting=world.next, unit=units.a, reply="leave", reason="x")
    assert not _reply_audits().exists()


def test_resolution_unit_backfill_migration(personas, world, units):
    import importlib

    from django.apps import apps

    from meetings.models import Resolution

    Resolution.objects.filter(pk=world.project_a.pk).update(unit=None)
    mig = importlib.import_module("meetings.migrations.0002_reply_start_time_resolution_unit")
    mig.backfill_resolution_unit(apps, None)
    assert Resolution.objects.get(pk=world.project_a.pk).unit == units.a


def test_meeting_start_time_through_the_form(client_for, personas, world):
    c = client_for(personas.secretary)
    resp = c.post(reverse("meetings:meeting_new", args=[world.joint.pk]),
                  {"title": "临时会", "date": str(TODAY + timedelta(days=3)), "start_time": "09:30"})
    m = Meeting.objects.get(title="临时会")
    assert resp.status_code == 302 and m.start_time == time(9, 30)
    assert "09:30" in c.get(reverse("meetings:meeting", args=[m.pk])).content.decode()


def test_liaison_of_two_units(client_for, personas, world, units, tree):
    from cobuild import services as cobuild_services
    from cobuild.models import UnitKind

    tax = cobuild_services.unit_create(actor=personas.district_admin, name="县税务局", kind=UnitKind.GOVERNMENT,
                                       region=tree.east1, liaison=personas.liaison)
    services.member_add(actor=personas.secretary, body=world.joint, unit=tax)
    c = client_for(personas.liaison)
    html = c.get(reverse("meetings:unit_meetings")).content.decode()
    assert 'id="unit-switch"' in html and "县税务局" in html
    assert "县税务局" in c.get(reverse("meetings:unit_meetings") + f"?unit={tax.pk}").content.decode()
    assert c.get(reverse("meetings:unit_meetings") + f"?unit={units.b.pk}").status_code == 404
    page = c.get(reverse("meetings:unit_meeting", args=[world.next.pk])).content.decode()
    # The tax bureau joined after the meeting was scheduled, and was invited on joining.
    assert page.count('class="card mb-3 reply-card"') == 2 and page.count('class="reply-form"') == 2
    url = reverse("meetings:attendance_reply", args=[world.next.pk])
    assert c.post(url, LEAVE).status_code == 404  # which unit? the form always says
    assert c.post(url, {**LEAVE, "unit": units.a.pk}).status_code == 302
    assert [a.unit for a in Attendance.objects.exclude(reply="")] == [units.a]
    assert c.post(url, {**LEAVE, "unit": tax.pk}).status_code == 302
    assert {a.unit for a in Attendance.objects.exclude(reply="")} == {units.a, tax}
