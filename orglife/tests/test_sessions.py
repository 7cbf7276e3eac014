"""三会一课 and 主题党日: attendance (mobile members at both organizations), bad input, the cadence
check, the .docx record."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from notifications.models import Notification
from orglife import selectors, services
from orglife.models import CadenceFlag, Session, SessionAttendance, SessionKind

pytestmark = pytest.mark.django_db


def _held(world, actor, kind=SessionKind.ASSEMBLY, day=None, org=None, held=False):
    return services.session_create(actor=actor, org=org or world.branch, kind=kind, date=day or timezone.localdate(),
                                   topic="学习党章", host_name="支部书记", place="社区活动室", held=held)


def test_assembly_with_a_mobile_member_online_and_at_the_inflow_org(world, personas, tree):
    s = _held(world, world.branch_secretary)
    rows = {world.me.pk: ("present", ""), world.other.pk: ("excused", "住院"), world.away.pk: ("online", "")}
    services.attendance_record(actor=world.branch_secretary, session=s, rows=rows)
    s.refresh_from_db()
    assert s.held
    assert {a.member.name: a.status for a in s.attendances.select_related("member")} == {
        "张建国": "present", "李秀英": "excused", "赵六": "online"}
    # At the inflow organization the same member attends on site; both organizations see both rows.
    w = _held(world, personas.west_secretary, kind=SessionKind.THEME_DAY, org=tree.west1_org)
    assert (world.away, True) in selectors.eligible_members(tree.west1_org)
    services.attendance_record(actor=personas.west_secretary, session=w,
                               rows={world.away.pk: ("present", ""), world.west.pk: ("present", "")})
    a = SessionAttendance.objects.get(session=w, member=world.away)
    assert a.inflow
    assert [x.session.org for x in selectors.member_attendance(world.away)] == [tree.west1_org, world.branch] or \
        {x.session.org for x in selectors.member_attendance(world.away)} == {tree.west1_org, world.branch}
    assert AuditEntry.objects.filter(object_type="orglife.session", object_id=str(s.pk)).count() == 2


def test_bad_input_changes_nothing(world, personas):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.session_create(actor=world.branch_secretary, org=world.branch, kind=SessionKind.THEME_DAY,
                                date=tomorrow, topic="主题党日", host_name="书记", place="活动室", held=True)
    assert "还未到" in str(exc.value)
    planned = services.session_create(actor=world.branch_secretary, org=world.branch, kind=SessionKind.THEME_DAY,
                                      date=tomorrow, topic="主题党日", host_name="书记", place="活动室")
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(actor=world.branch_secretary, session=planned, rows={world.me.pk: ("present", "")})
    assert "还未到" in str(exc.value)
    s = _held(world, world.branch_secretary)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(actor=world.branch_secretary, session=s,
                                   rows={world.me.pk: ("present", ""), world.west.pk: ("present", "")})
    assert "王五不是“网格1党支部”的党员" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(actor=world.branch_secretary, session=s, rows={world.other.pk: ("excused", " ")})
    assert "李秀英请假，请填写请假事由" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.session_create(actor=world.branch_secretary, org=world.branch, kind=SessionKind.LECTURE,
                                date=timezone.localdate(), topic="党课\x00", host_name="", place="活动室")
    assert "主持人不能为空" in str(exc.value) and "控制字符" in str(exc.value) and "授课人不能为空" in str(exc.value)
    assert SessionAttendance.objects.count() == 0
    s.refresh_from_db()
    assert not s.held and Session.objects.count() == 2
    with pytest.raises(ValidationError):  # another community's secretary cannot write here
        _held(world, personas.west_secretary)


def test_missed_theme_day_is_flagged_to_the_branch_and_the_community(world, personas, tree):
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    flags = services.cadence_check(today_=today)
    kinds = {f.kind for f in flags if f.org_id == world.branch.pk}
    assert SessionKind.THEME_DAY in kinds and SessionKind.COMMITTEE in kinds
    f = CadenceFlag.objects.get(org=world.branch, kind=SessionKind.THEME_DAY)
    assert f.period_label == f"{last_month_end.year} 年 {last_month_end.month} 月"
    told = set(Notification.objects.filter(title__contains="主题党日", title__startswith="网格1党支部")
               .values_list("recipient__username", flat=True))
    assert {"branch_secretary", "secretary"} <= told and "west_secretary" not in told
    # Once per period.
    assert services.cadence_check(today_=today) == []
    # A theme day held last month clears it for the next check of that period.
    _held(world, world.branch_secretary, kind=SessionKind.THEME_DAY, day=last_month_end, held=True)
    st = selectors.org_statuses([world.branch], today)[0]
    assert SessionKind.THEME_DAY not in {k.kind for k in st.missed}


def test_cadences_are_data(world, personas):
    with pytest.raises(ValidationError):
        services.cadence_update(actor=personas.secretary, values={("branch", "theme_day"): 3})
    services.cadence_update(actor=personas.district_admin, values={("branch", "theme_day"): 0})
    st = selectors.org_statuses([world.branch])[0]
    assert SessionKind.THEME_DAY not in {k.kind for k in st.kinds}
    with pytest.raises(ValidationError) as exc:
        services.cadence_update(actor=personas.district_admin, values={("branch", "lecture"): 5})
    assert "周期应为" in str(exc.value)


def test_session_record_docx(world, personas, client_for):
    from docx import Document

    s = _held(world, world.branch_secretary)
    services.attendance_record(actor=world.branch_secretary, session=s,
                               rows={world.me.pk: ("present", ""), world.other.pk: ("excused", "住院"),
                                     world.away.pk: ("online", "")})
    services.session_minutes_save(actor=world.branch_secretary, session=s, minutes="传达学习文件精神",
                                  resolutions="开展一次入户走访", recorder_name="李秀英")
    resp = client_for(personas.secretary).get(reverse("orglife:session_docx", args=[s.pk]))
    assert resp.status_code == 200
    doc = Document(io.BytesIO(resp.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "支部党员大会记录" in text
    assert "传达学习文件精神" in cells and "开展一次入户走访" in cells
    assert "3" in cells and "2（其中线上 1）" in cells
    assert any("李秀英（请假：住院）" in c for c in cells)
    assert "赵六" in cells and "线上参加" in cells


def test_pages_work_for_the_branch(world, personas, client_for):
    c = client_for(world.branch_secretary)
    resp = c.post(reverse("orglife:session_new"), {
        "org": world.branch.pk, "kind": "assembly", "date": timezone.localdate().isoformat(), "topic": "学习党章",
        "host_name": "支部书记", "place": "活动室"})
    assert resp.status_code == 302
    s = Session.objects.get()
    page = c.get(reverse("orglife:session", args=[s.pk])).content.decode()
    assert "赵六" in page and "流动党员（在外）" in page
    resp = c.post(reverse("orglife:session", args=[s.pk]), {
        "action": "attendance", f"status_{world.me.pk}": "present", f"status_{world.other.pk}": "absent",
        f"status_{world.away.pk}": "online"})
    assert resp.status_code == 302
    assert s.attendances.count() == 3
    # A non-member's id in the form: refused, nothing saved.
    resp = c.post(reverse("orglife:session", args=[s.pk]), {
        "action": "attendance", f"status_{world.west.pk}": "present", f"status_{world.me.pk}": "absent"}, follow=True)
    assert "王五不是" in resp.content.decode()
    assert s.attendances.get(member=world.me).status == "present"


def test_a_date_in_the_future_is_refused_on_the_form(world, client_for):
    c = client_for(world.branch_secretary)
    resp = c.post(reverse("orglife:session_new"), {
        "org": world.branch.pk, "kind": "theme_day", "date": (date.today() + timedelta(days=3)).isoformat(),
        "topic": "主题党日", "host_name": "书记", "place": "活动室", "held": "on"})
    assert resp.status_code == 200
    assert "不能登记为已召开" in resp.content.decode()
    assert Session.objects.count() == 0
