"""Notifications about meetings (invitation → each unit's liaison, reply → the body's secretary, the
reminder the day before), and the invitations that follow a unit joining or leaving a body."""

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEntry
from cobuild import services as cobuild_services
from cobuild.models import Criticism, ResidentUnit, UnitKind
from conftest import make_user
from meetings import services
from meetings.models import Attendance, AttendanceStatus, BodyKind, BodyMember, Meeting
from notifications.models import Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LEAVE = {"reply": "leave", "reply_name": "", "reply_reason": "院内急诊保障任务"}
ATTEND = {"reply": "attend", "reply_name": "张院长", "reply_reason": ""}


class World:
    """东一社区党建联席会 (secretary: personas.secretary) with members 县医院 (liaison: personas.liaison),
    县一中 (liaison_b), 县税务局 (liaison_c, whose role is in 东二社区: cannot open 东一's pages),
    县供水站 (liaison_off, an inactive account), 县邮政局 (no liaison) and a person, 社区民警."""


@pytest.fixture
def world(personas, tree, units):
    w = World()
    w.liaison_b = make_user("liaison_b", Role.UNIT_LIAISON, tree.east1)
    w.liaison_c = make_user("liaison_c", Role.UNIT_LIAISON, tree.east2)
    w.liaison_off = make_user("liaison_off", Role.UNIT_LIAISON, tree.east1)
    mk = lambda name: cobuild_services.unit_create(  # noqa: E731
        actor=personas.district_admin, name=name, kind=UnitKind.GOVERNMENT, region=tree.east1)
    w.tax, w.water, w.post = mk("县税务局"), mk("县供水站"), mk("县邮政局")
    ResidentUnit.objects.filter(pk=units.b.pk).update(liaison=w.liaison_b)
    ResidentUnit.objects.filter(pk=w.tax.pk).update(liaison=w.liaison_c)
    ResidentUnit.objects.filter(pk=w.water.pk).update(liaison=w.liaison_off)
    type(w.liaison_off).objects.filter(pk=w.liaison_off.pk).update(is_active=False)
    for u in (units.b, w.tax, w.water):
        u.refresh_from_db()
    sec = personas.secretary
    w.body = services.body_create(actor=sec, name="东一社区党建联席会", kind=BodyKind.JOINT, region=tree.east1,
                                  secretary=sec, since=TODAY - timedelta(days=400))
    for u in (units.a, units.b, w.tax, w.water, w.post):
        services.member_add(actor=sec, body=w.body, unit=u, title="成员单位")
    services.member_add(actor=sec, body=w.body, person_name="社区民警", title="列席")
    Notification.objects.all().delete()
    return w


def _schedule(client_for, personas, world, **extra):
    data = {"title": "本月党建联席会", "date": str(TODAY + timedelta(days=6)), "start_time": "15:30",
            "place": "社区三楼会议室", "agenda": "研究冬季清雪安排", **extra}
    resp = client_for(personas.secretary).post(reverse("meetings:meeting_new", args=[world.body.pk]), data)
    assert resp.status_code == 302
    return Meeting.objects.get(title=data["title"])


def _opens(client_for, notification) -> int:
    """What the recipient gets following the notification (through notifications:open)."""
    c = client_for(notification.recipient)
    resp = c.post(reverse("notifications:open", args=[notification.pk]))
    assert resp.status_code == 302 and resp["Location"] == notification.link
    return c.get(notification.link).status_code


# --- invitation → liaisons ----------------------------------------------------------------------

def test_scheduling_notifies_each_invited_liaison_who_can_open_the_meeting(client_for, personas, world, units):
    m = _schedule(client_for, personas, world)
    notes = {n.recipient: n for n in Notification.objects.all()}
    # Only 县医院's and 县一中's liaisons: 县税务局's liaison holds the role elsewhere (the page would be a
    # 404 for them), 县供水站's is inactive, 县邮政局 has none; nothing to the secretary who scheduled it.
    assert set(notes) == {personas.liaison, world.liaison_b}
    n = notes[personas.liaison]
    assert n.title == "会议通知：本月党建联席会"
    d = m.date
    assert f"东一社区党建联席会定于{d.year}年{d.month}月{d.day}日" in n.body and "15:30" in n.body
    assert "在社区三楼会议室召开“本月党建联席会”，邀请县医院参加" in n.body and "请在会议开始前填写回执" in n.body
    assert "议程：研究冬季清雪安排" in n.body and "县一中" not in n.body
    assert n.link == reverse("meetings:unit_meeting", args=[m.pk]) and n.source_type == "meetings.meeting"
    assert "邀请县一中参加" in notes[world.liaison_b].body
    for note in notes.values():
        assert _opens(client_for, note) == 200
    assert client_for(world.liaison_c).get(n.link).status_code == 403  # why 县税务局's liaison got nothing


def test_one_message_for_a_liaison_of_two_invited_units(client_for, personas, world, units):
    ResidentUnit.objects.filter(pk=units.b.pk).update(liaison=personas.liaison)
    m = _schedule(client_for, personas, world, place="")
    n = Notification.objects.get()
    assert n.recipient == personas.liaison and "邀请县医院、县一中参加" in n.body and "地点另行通知" in n.body
    page = client_for(personas.liaison).get(n.link).content.decode()
    assert page.count('class="reply-form"') == 2 and m.title in page


def test_chair_unit_is_told_so(personas, world, units):
    type(world.body).objects.filter(pk=world.body.pk).update(rotating_chair=True)
    world.body.refresh_from_db()
    with mock.patch("meetings.services.chair_for", return_value=units.a):
        services.meeting_create(actor=personas.secretary, body=world.body, title="例会",
                                date=TODAY + timedelta(days=3))
    assert "县医院是本次会议的轮值会长单位" in Notification.objects.get(recipient=personas.liaison).body
    assert "轮值会长" not in Notification.objects.get(recipient=world.liaison_b).body


def test_a_meeting_entered_after_the_fact_notifies_nobody(personas, world):
    services.meeting_create(actor=personas.secretary, body=world.body, title="上月联席会",
                            date=TODAY - timedelta(days=20))
    assert not Notification.objects.exists()


def test_nothing_is_sent_when_scheduling_fails(client_for, personas, world):
    resp = client_for(personas.secretary).post(reverse("meetings:meeting_new", args=[world.body.pk]),
                                               {"title": "", "date": str(TODAY)})
    assert resp.status_code == 302 and not Meeting.objects.exists() and not Notification.objects.exists()


# --- reply → secretary ----------------------------------------------------------------------------

@pytest.fixture
def meeting(client_for, personas, world):
    m = _schedule(client_for, personas, world)
    Notification.objects.all().delete()
    return m


def _reply(client_for, user, m, data, unit=None):
    payload = {**data, **({"unit": unit.pk} if unit else {})}
    return client_for(user).post(reverse("meetings:attendance_reply", args=[m.pk]), payload)


def test_reply_notifies_the_secretary_only(client_for, personas, world, units, meeting):
    assert _reply(client_for, personas.liaison, meeting, LEAVE).status_code == 302
    n = Notification.objects.get()
    assert n.recipient == personas.secretary
    assert n.title == "会议回执：县医院请假“本月党建联席会”"
    assert "请假事由请在会议页面查看" in n.body and "院内急诊" not in n.body  # the reason stays on the page
    assert "目前回执：参加 0、请假 1、未回执 4（共邀请 5 个单位）" in n.body
    assert n.link == reverse("meetings:meeting", args=[meeting.pk]) and n.source_type == "meetings.attendance"
    assert _opens(client_for, n) == 200
    assert "院内急诊保障任务" in client_for(personas.secretary).get(n.link).content.decode()


def test_changed_reply_notifies_again_unchanged_does_not(client_for, personas, world, units, meeting):
    _reply(client_for, personas.liaison, meeting, ATTEND)
    _reply(client_for, personas.liaison, meeting, ATTEND)  # the same reply again: no event
    assert Notification.objects.count() == 1
    first = Notification.objects.get()
    assert first.title == "会议回执：县医院参加“本月党建联席会”" and "参会人员：张院长\n" in first.body
    _reply(client_for, personas.liaison, meeting, LEAVE)
    _reply(client_for, personas.liaison, meeting, {**LEAVE, "reply_reason": "外出培训"})
    titles = list(Notification.objects.order_by("id").values_list("title", flat=True))
    assert titles == ["会议回执：县医院参加“本月党建联席会”", "回执变更：县医院改为请假“本月党建联席会”",
                      "回执变更：县医院请假“本月党建联席会”（信息有修改）"]
    assert set(Notification.objects.values_list("recipient", flat=True)) == {personas.secretary.pk}


def test_refused_reply_notifies_nobody(client_for, personas, world, units, meeting):
    assert _reply(client_for, personas.liaison, meeting, {"reply": "leave"}).status_code == 200
    with mock.patch("meetings.models._now", return_value=meeting.starts_at + timedelta(minutes=1)):
        _reply(client_for, personas.liaison, meeting, LEAVE)
    assert not Notification.objects.exists()


def test_no_reply_notice_without_a_secretary_who_can_open_the_meeting(client_for, personas, world, units, meeting):
    type(world.body).objects.filter(pk=world.body.pk).update(secretary=personas.west_secretary)  # 西一社区's
    _reply(client_for, personas.liaison, meeting, LEAVE)
    assert client_for(personas.west_secretary).get(reverse("meetings:meeting", args=[meeting.pk])).status_code \
        == 404
    type(world.body).objects.filter(pk=world.body.pk).update(secretary=None)
    _reply(client_for, world.liaison_b, meeting, LEAVE)
    assert not Notification.objects.exists()


# --- joining and leaving a body -------------------------------------------------------------------

@pytest.fixture
def timeline(personas, world, units):
    """A held meeting last month (县医院 present, 县一中 absent → a criticism), one today that started
    at 08:00 and is not recorded yet, and two to come (one replied to by 县医院)."""
    sec = personas.secretary
    t = World()
    t.past = services.meeting_create(actor=sec, body=world.body, title="上月联席会", date=TODAY - timedelta(days=20))
    rows = {a.unit_id: a.pk for a in t.past.attendances.all()}
    services.attendance_record(actor=sec, meeting=t.past, statuses={rows[units.a.pk]: AttendanceStatus.PRESENT,
                                                                    rows[units.b.pk]: AttendanceStatus.ABSENT})
    t.today = services.meeting_create(actor=sec, body=world.body, title="今早联席会", date=TODAY,
                                      start_time=time(8, 0))
    t.soon = services.meeting_create(actor=sec, body=world.body, title="下周联席会", date=TODAY + timedelta(days=7),
                                     start_time=time(15, 30), place="社区三楼会议室")
    t.later = services.meeting_create(actor=sec, body=world.body, title="下月联席会", date=TODAY + timedelta(days=35))
    services.attendance_reply(actor=personas.liaison, meeting=t.soon, unit=units.a, reply="leave", reason="出差")
    Notification.objects.all().delete()
    return t


AT_NINE = timezone.make_aware(datetime.combine(TODAY, time(9, 0)))


def test_a_unit_joining_is_invited_to_the_meetings_to_come(client_for, personas, world, units, tree, timeline):
    liaison = make_user("liaison_new", Role.UNIT_LIAISON, tree.east1)
    unit = cobuild_services.unit_create(actor=personas.district_admin, name="县图书馆", kind=UnitKind.INSTITUTION,
                                        region=tree.east1, liaison=liaison)
    with mock.patch("meetings.models._now", return_value=AT_NINE):
        resp = client_for(personas.secretary).post(reverse("meetings:member_add", args=[world.body.pk]),
                                                   {"unit": unit.pk, "title": "成员单位"}, follow=True)
    assert "并邀请其参加 2 次尚未召开的会议：下周联席会、下月联席会" in resp.content.decode()
    assert set(Attendance.objects.filter(unit=unit).values_list("meeting__title", "status")) == {
        ("下周联席会", "invited"), ("下月联席会", "invited")}  # not the past one, nor today's (started)
    notes = list(Notification.objects.order_by("id"))
    assert [(n.recipient, n.title) for n in notes] == [(liaison, "会议通知：下周联席会"),
                                                       (liaison, "会议通知：下月联席会")]
    assert "邀请县图书馆参加" in notes[0].body
    for n in notes:
        assert _opens(client_for, n) == 200
    # It may reply at once.
    assert _reply(client_for, liaison, timeline.soon, ATTEND).status_code == 302
    assert Attendance.objects.get(meeting=timeline.soon, unit=unit).reply == "attend"
    audit = AuditEntry.objects.filter(object_type="meetings.body").order_by("-id").first()
    assert "下周联席会" in audit.changes["invited_to"][1]


def test_a_person_joining_is_listed_on_the_meetings_to_come(personas, world, timeline):
    with mock.patch("meetings.models._now", return_value=AT_NINE):
        m = services.member_add(actor=personas.secretary, body=world.body, person_name="网格长", title="列席")
    assert m.invited_meetings == [timeline.soon, timeline.later]
    assert set(Attendance.objects.filter(person_name="网格长").values_list("meeting__title", flat=True)) == {
        "下周联席会", "下月联席会"}
    assert not Notification.objects.exists()


def test_a_unit_leaving_is_withdrawn_from_the_meetings_to_come(client_for, personas, world, units, timeline):
    member = BodyMember.objects.get(body=world.body, unit=units.b)
    with mock.patch("meetings.models._now", return_value=AT_NINE):
        resp = client_for(personas.secretary).post(
            reverse("meetings:member_remove", args=[world.body.pk, member.pk]), follow=True)
    assert "已移除成员“县一中”，并撤回其对 2 次尚未召开的会议的邀请" in resp.content.decode()
    assert not BodyMember.objects.filter(pk=member.pk).exists()
    # The past attendance (and its criticism) and today's started meeting stay; the two to come go.
    assert set(Attendance.objects.filter(unit=units.b).values_list("meeting__title", "status")) == {
        ("上月联席会", "absent"), ("今早联席会", "invited")}
    assert Criticism.objects.filter(unit=units.b).count() == 1
    n = Notification.objects.get()
    assert n.recipient == world.liaison_b and n.title == "会议邀请已取消：县一中已退出东一社区党建联席会"
    assert "下周联席会" in n.body and "下月联席会" in n.body and "上月联席会" not in n.body
    assert n.link == reverse("meetings:unit_meetings") + f"?unit={units.b.pk}"
    assert _opens(client_for, n) == 200
    c = client_for(world.liaison_b)
    assert c.get(reverse("meetings:unit_meeting", args=[timeline.soon.pk])).status_code == 404
    assert c.get(reverse("meetings:unit_meeting", args=[timeline.past.pk])).status_code == 200  # still invited
    audit = AuditEntry.objects.filter(object_type="meetings.body").order_by("-id").first()
    assert audit.changes["members"] == ["县一中", None] and "下周联席会" in audit.changes["uninvited_from"][0]
    # The others' invitations are untouched; joining again invites it again.
    assert Attendance.objects.filter(meeting=timeline.soon).count() == 5
    with mock.patch("meetings.models._now", return_value=AT_NINE):
        services.member_add(actor=personas.secretary, body=world.body, unit=units.b)
    assert Attendance.objects.filter(meeting=timeline.soon, unit=units.b, reply="").exists()


def test_a_replied_unit_leaving_loses_its_reply_to_come(personas, world, units, timeline):
    member = BodyMember.objects.get(body=world.body, unit=units.a)
    with mock.patch("meetings.models._now", return_value=AT_NINE):
        withdrawn = services.member_remove(actor=personas.secretary, member=member)
    assert withdrawn == [timeline.soon, timeline.later]
    assert Attendance.objects.filter(meeting=timeline.today, unit=units.a).exists()
    assert not Attendance.objects.filter(meeting=timeline.soon, unit=units.a).exists()
    assert Attendance.objects.get(meeting=timeline.past, unit=units.a).status == AttendanceStatus.PRESENT


def test_a_person_leaving_leaves_one_row(personas, world, timeline):
    services.member_add(actor=personas.secretary, body=world.body, person_name="社区民警", title="列席")  # namesake
    member = BodyMember.objects.filter(body=world.body, person_name="社区民警").first()
    services.member_remove(actor=personas.secretary, member=member)
    assert Attendance.objects.filter(meeting=timeline.later, person_name="社区民警").count() == 1
    assert Attendance.objects.filter(meeting=timeline.past, person_name="社区民警").count() == 1
    assert not Notification.objects.exists()


def test_removing_members_needs_edit_rights(client_for, personas, world, units, tree):
    member = BodyMember.objects.get(body=world.body, unit=units.a)
    url = reverse("meetings:member_remove", args=[world.body.pk, member.pk])
    assert client_for(personas.community_staff).post(url).status_code == 403
    assert client_for(personas.west_secretary).post(url).status_code == 404
    assert client_for(personas.liaison).post(url).status_code == 403
    assert client_for(personas.secretary).get(url).status_code == 405
    other = services.body_create(actor=personas.street_staff, name="东二社区党建联席会", kind=BodyKind.JOINT,
                                 region=tree.east2)
    # A member of another body through this body's URL: 404.
    other_member = services.member_add(actor=personas.street_staff, body=other, person_name="某某")
    assert client_for(personas.secretary).post(
        reverse("meetings:member_remove", args=[world.body.pk, other_member.pk])).status_code == 404
    assert BodyMember.objects.filter(pk__in=[member.pk, other_member.pk]).count() == 2
    html = client_for(personas.secretary).get(reverse("meetings:body", args=[world.body.pk])).content.decode()
    assert url in html and "移除" in html
    assert url not in client_for(personas.community_staff).get(
        reverse("meetings:body", args=[world.body.pk])).content.decode()


# --- reminder the day before ------------------------------------------------------------------------

def test_reminder_the_day_before_to_units_that_have_not_replied(client_for, personas, world, units, settings):
    sec = personas.secretary
    tomorrow = services.meeting_create(actor=sec, body=world.body, title="明天的联席会",
                                       date=TODAY + timedelta(days=1), start_time=time(15, 30), place="社区三楼会议室")
    services.meeting_create(actor=sec, body=world.body, title="三天后的联席会", date=TODAY + timedelta(days=3))
    services.attendance_reply(actor=personas.liaison, meeting=tomorrow, unit=units.a, reply="attend", name="张院长")
    Notification.objects.all().delete()
    out = mock.Mock()
    call_command("meetings_reply_reminders", stdout=out)
    n = Notification.objects.get()  # 县一中 only: 县医院 replied, the others' liaisons cannot open it
    assert n.recipient == world.liaison_b and n.title == "请回执：“明天的联席会”明天召开"
    assert "县一中还没有回复东一社区党建联席会“明天的联席会”的邀请" in n.body and "15:30" in n.body
    assert n.link == reverse("meetings:unit_meeting", args=[tomorrow.pk]) and _opens(client_for, n) == 200
    assert "已发送回执提醒 1 条" in "".join(str(c) for c in out.write.call_args_list)
    assert Attendance.objects.get(meeting=tomorrow, unit=units.b).reminded_at is not None
    # Once per invitation: again (command or task) sends nothing.
    call_command("meetings_reply_reminders", stdout=mock.Mock())
    from meetings.tasks import reply_reminders_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert reply_reminders_task.enqueue().return_value == 0
    assert Notification.objects.count() == 1


def test_reminder_skips_started_meetings_and_reminds_today_before_start(personas, world, units):
    m = services.meeting_create(actor=personas.secretary, body=world.body, title="今天下午的联席会", date=TODAY,
                                start_time=time(15, 30))
    Notification.objects.all().delete()
    at_four = timezone.make_aware(datetime.combine(TODAY, time(16, 0)))
    assert services.reply_reminders(now=at_four) == 0
    at_eight = timezone.make_aware(datetime.combine(TODAY, time(8, 0)))
    assert services.reply_reminders(now=at_eight) == 2
    assert set(Notification.objects.values_list("recipient", flat=True)) == {personas.liaison.pk,
                                                                             world.liaison_b.pk}
    assert Notification.objects.filter(title="请回执：“今天下午的联席会”今天召开").count() == 2
    assert services.reply_reminders(now=at_eight) == 0
    assert Attendance.objects.filter(meeting=m, reminded_at__isnull=False).count() == 2


# --- the co-building unit page links to 我单位的会议 for its liaison ------------------------------------

def test_unit_page_links_the_liaison_to_their_meetings(client_for, personas, world, units, meeting):
    page = client_for(personas.liaison).get(reverse("cobuild:unit", args=[units.a.pk])).content.decode()
    link = reverse("meetings:unit_meetings") + f"?unit={units.a.pk}"
    assert f'id="unit-meetings-link" href="{link}"' in page
    resp = client_for(personas.liaison).get(link)
    assert resp.status_code == 200 and "本月党建联席会" in resp.content.decode()
    # Staff see the unit page without the link, and so does a staff account set as a unit's liaison
    # without the liaison role (我单位的会议 would refuse it).
    assert "unit-meetings-link" not in client_for(personas.secretary).get(
        reverse("cobuild:unit", args=[units.a.pk])).content.decode()
    ResidentUnit.objects.filter(pk=world.post.pk).update(liaison=personas.community_staff)
    assert client_for(personas.community_staff).get(reverse("cobuild:unit", args=[world.post.pk])).status_code == 200
    assert "unit-meetings-link" not in client_for(personas.community_staff).get(
        reverse("cobuild:unit", args=[world.post.pk])).content.decode()


# --- editing and cancelling a scheduled meeting -----------------------------------------------------

def _edit(client_for, user, m, **changes):
    data = {"title": m.title, "date": str(m.date), "start_time": f"{m.start_time:%H:%M}" if m.start_time else "",
            "place": m.place, "agenda": m.agenda, **changes}
    return client_for(user).post(reverse("meetings:meeting_edit", args=[m.pk]), data)


def _meeting_audits(m):
    return AuditEntry.objects.filter(object_type="meetings.meeting", object_id=str(m.pk), action__in=["update",
                                                                                                     "transition"])


def test_edit_and_cancel_need_edit_rights_in_scope(client_for, personas, world, meeting):
    edit, cancel = (reverse(f"meetings:{n}", args=[meeting.pk]) for n in ("meeting_edit", "meeting_cancel"))
    for user, code in ((personas.community_staff, 403), (personas.liaison, 403), (personas.west_secretary, 404)):
        c = client_for(user)
        assert c.get(edit).status_code == code
        assert c.post(edit, {"title": "改", "date": str(meeting.date)}).status_code == code
        assert c.post(cancel, {"reason": "天气原因"}).status_code == code
    assert client_for(personas.street_staff).get(edit).status_code == 200  # 东街道 staff may schedule it too
    page = client_for(personas.secretary).get(reverse("meetings:meeting", args=[meeting.pk])).content.decode()
    assert 'id="meeting-edit-link"' in page and 'id="meeting-cancel-form"' in page
    page = client_for(personas.community_staff).get(reverse("meetings:meeting", args=[meeting.pk])).content.decode()
    assert 'id="meeting-edit-link"' not in page and 'id="meeting-cancel-form"' not in page
    meeting.refresh_from_db()
    assert meeting.title == "本月党建联席会" and meeting.status == "planned"
    assert not Notification.objects.exists() and not _meeting_audits(meeting).exists()


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": ""}, "会议名称"),
    ({"title": "<b>联席会</b>"}, "会议名称不能包含 &lt; 或 &gt; 符号"),
    ({"place": "<script>x</script>"}, "地点不能包含 &lt; 或 &gt; 符号"),
    ({"agenda": "一、<img src=x>"}, "议程不能包含 &lt; 或 &gt; 符号"),
    ({"date": str(TODAY - timedelta(days=1))}, "会议日期不能早于今天"),
    ({"date": str(TODAY), "start_time": "00:00"}, "会议开始时间已过"),
    ({"date": "明天"}, "日期"),
])
def test_bad_edit_saves_and_sends_nothing(client_for, personas, world, meeting, changes, message):
    resp = _edit(client_for, personas.secretary, meeting, **{"place": "党群服务中心", **changes})
    assert resp.status_code == 200 and message in resp.content.decode()
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.title, fresh.date, fresh.place, fresh.agenda) == ("本月党建联席会", meeting.date, "社区三楼会议室",
                                                                    "研究冬季清雪安排")
    assert not Notification.objects.exists() and not _meeting_audits(meeting).exists()


def test_changing_time_and_place_notifies_liaisons_and_keeps_replies(client_for, personas, world, units, meeting):
    _reply(client_for, personas.liaison, meeting, ATTEND)
    Attendance.objects.filter(meeting=meeting).update(reminded_at=timezone.now())
    Notification.objects.all().delete()
    new_day = TODAY + timedelta(days=8)
    resp = _edit(client_for, personas.secretary, meeting, date=str(new_day), start_time="09:00", place="党群服务中心")
    assert resp.status_code == 302
    notes = {n.recipient: n for n in Notification.objects.all()}
    assert set(notes) == {personas.liaison, world.liaison_b}  # as for the invitation; not the secretary
    n = notes[personas.liaison]
    assert n.title == "会议变更：本月党建联席会"
    assert f"时间由{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日" in n.body
    assert f"15:30改为{new_day.year}年{new_day.month}月{new_day.day}日" in n.body and "09:00" in n.body
    assert "地点由社区三楼会议室改为党群服务中心" in n.body and "邀请县医院参加" in n.body
    assert "回执仍然保留，请确认能否按新的时间参加" in n.body
    assert n.link == reverse("meetings:unit_meeting", args=[meeting.pk]) and _opens(client_for, n) == 200
    a = Attendance.objects.get(meeting=meeting, unit=units.a)
    assert a.reply == "attend" and a.reminded_at is None  # the reply stays; the reminder is due again
    audit = _meeting_audits(meeting).get()
    assert set(audit.changes) == {"date", "start_time", "place"} and audit.actor == personas.secretary


def test_place_only_change_and_title_only_change(client_for, personas, world, meeting):
    _edit(client_for, personas.secretary, meeting, place="")
    n = Notification.objects.get(recipient=personas.liaison)
    assert "地点由社区三楼会议室改为待通知" in n.body and "时间由" not in n.body and "回执不受影响" in n.body
    Notification.objects.all().delete()
    meeting.refresh_from_db()
    assert _edit(client_for, personas.secretary, meeting, title="本月联席会（扩大）").status_code == 302
    assert not Notification.objects.exists()  # no notice for a new title or agenda
    assert Meeting.objects.get(pk=meeting.pk).title == "本月联席会（扩大）"
    assert set(_meeting_audits(meeting).order_by("-id").first().changes) == {"title"}


def test_cancel_needs_a_reason_then_notifies_and_closes_replies(client_for, personas, world, units, meeting):
    c = client_for(personas.secretary)
    url = reverse("meetings:meeting_cancel", args=[meeting.pk])
    for reason in ("", "<b>急事</b>"):
        c.post(url, {"reason": reason})
        assert Meeting.objects.get(pk=meeting.pk).status == "planned"
    assert not Notification.objects.exists() and not _meeting_audits(meeting).exists()
    resp = c.post(url, {"reason": "暴雪预警，改期另行通知"}, follow=True)
    assert "已取消会议" in resp.content.decode() and "暴雪预警" in resp.content.decode()
    m = Meeting.objects.get(pk=meeting.pk)
    assert m.status == "cancelled" and m.cancel_reason == "暴雪预警，改期另行通知" and m.cancelled_at
    assert _meeting_audits(m).get().changes["status"] == ["已安排", "已取消"]
    notes = {n.recipient: n for n in Notification.objects.all()}
    assert set(notes) == {personas.liaison, world.liaison_b}
    n = notes[personas.liaison]
    assert n.title == "会议取消：本月党建联席会" and "取消原因：暴雪预警，改期另行通知" in n.body
    assert "县医院无需参会" in n.body and _opens(client_for, n) == 200
    page = client_for(personas.liaison).get(n.link).content.decode()
    assert 'id="cancel-notice"' in page and 'class="reply-form"' not in page
    # The reply is refused, with the reason.
    resp = _reply(client_for, personas.liaison, m, ATTEND)
    assert resp.status_code == 200 and "会议已取消" in resp.content.decode()
    assert Attendance.objects.get(meeting=m, unit=units.a).reply == ""
    with pytest.raises(ValidationError, match="会议已取消"):
        services.attendance_reply(actor=personas.liaison, meeting=m, unit=units.a, reply="attend", name="张院长")
    # It leaves the upcoming lists, never counts as held, and cannot be edited, cancelled again or recorded.
    listing = client_for(personas.liaison).get(reverse("meetings:unit_meetings")).content.decode()
    assert f'data-meeting="{m.pk}"' not in listing and "cancelled-badge" in listing
    from meetings import selectors
    status = selectors.body_statuses([world.body])[0]
    assert status.next_meeting is None and not status.current_done
    assert services.reply_reminders(now=timezone.make_aware(datetime.combine(m.date, time(8, 0)))) == 0
    with pytest.raises(ValidationError, match="会议已取消"):
        services.meeting_cancel(actor=personas.secretary, meeting=m, reason="再取消")
    with pytest.raises(ValidationError, match="会议已取消"):
        services.attendance_record(actor=personas.secretary, meeting=m, statuses={})
    with pytest.raises(ValidationError, match="会议已取消"):
        services.resolution_create(actor=personas.secretary, meeting=m, text="清雪", kind="task",
                                   owner_name="王书记", deadline=timezone.localdate() + timedelta(days=5))
    assert "登记决议" not in c.get(reverse("meetings:meeting", args=[m.pk])).content.decode()
    assert _edit(client_for, personas.secretary, m, place="别处").status_code == 302
    assert Meeting.objects.get(pk=m.pk).place == "社区三楼会议室"


def test_a_started_meeting_cannot_be_edited_or_cancelled(personas, world, meeting):
    with mock.patch("meetings.models._now", return_value=meeting.starts_at + timedelta(minutes=1)):
        with pytest.raises(ValidationError, match="会议已开始"):
            services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="晚了")
        with pytest.raises(ValidationError, match="会议已开始"):
            services.meeting_update(actor=personas.secretary, meeting=meeting, title="x", date=meeting.date)
