"""Demo: the three steering bodies of seed 000 (county steering committee, a coordination
committee per town, a joint meeting per community with a rotating chair), a year of monthly
joint meetings with attendance (a few unexcused absences → public criticisms), then the star
board and the chronicle computed through cobuild's services."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from cobuild import services as cobuild_services
from cobuild.demo import LIAISON_USERNAME
from cobuild.models import Agreement, Criticism, ResidentUnit
from core.synthetic import person_name
from regions.models import Region, RegionKind

from .models import (
    Attendance,
    AttendanceReply,
    AttendanceStatus,
    Body,
    BodyKind,
    BodyMember,
    ChairTurn,
    Meeting,
    MeetingStatus,
    Resolution,
    ResolutionKind,
)
from .selectors import cadence_rules, chronicle_lines, unit_attendance
from .services import unit_community

START_TIMES = {BodyKind.STEERING: time(10, 0), BodyKind.COORDINATION: time(10, 0), BodyKind.JOINT: time(15, 30),
               BodyKind.LEADER_LIAISON: time(11, 0), BodyKind.MEMBER_COUNCIL: time(19, 30),
               BodyKind.DELIBERATION: time(19, 30)}
LEAVE_REASONS = ["单位有紧急医疗保障任务", "负责同志在外地参加培训", "与上级部门检查时间冲突"]
AGENDA = "一、通报上月驻区单位共驻共建活动开展情况\n二、研究需求清单与资源清单对接\n三、安排近期工作任务"
TOPICS = ["冬季清雪", "老旧小区改造", "文化广场活动", "困难群众慰问", "消防安全排查", "就业岗位对接"]


def _add_month(d: date, n: int = 1) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def load() -> None:
    rng = random.Random(6007)
    today = timezone.localdate()
    cadence_rules()
    county = Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path").first()
    if county is None:
        return
    secretary = User.objects.filter(username="sq_shuji").first()
    street_user = User.objects.filter(username="jd_staff").first()
    admin = User.objects.filter(username="qw_zzb").first()
    since = date(today.year - 1, 1, 1)
    units_by_comm: dict[int, list[ResidentUnit]] = {}  # the units serving each community (by agreement)
    for a in Agreement.objects.select_related("unit").order_by("unit_id", "pk"):
        if all(u.pk != a.unit_id for u in units_by_comm.get(a.region_id, [])):
            units_by_comm.setdefault(a.region_id, []).append(a.unit)

    steering = Body.objects.create(name=f"{county.name}社区大党建指导委员会", kind=BodyKind.STEERING, region=county,
                                   secretary=admin, since=since)
    liaison = Body.objects.create(name=f"{county.name}县领导联系社区督导", kind=BodyKind.LEADER_LIAISON,
                                  region=county, secretary=admin, since=since)
    bodies_meetings: list[tuple[Body, list[date]]] = [
        (steering, [date(today.year - 1, 12, 20)]),
        (liaison, [date(y, m, 15) for y, m in ((today.year - 1, 12), (today.year, 3), (today.year, 6),
                                               (today.year, 9)) if date(y, m, 15) <= today]),
    ]
    members: list[BodyMember] = [BodyMember(body=steering, person_name=person_name(rng), title=t, order=i)
                                 for i, t in enumerate(["主任", "副主任", "委员", "委员"])]
    for town in Region.objects.filter(kind=RegionKind.STREET).order_by("path"):
        body = Body.objects.create(name=f"{town.name}社区党建协调委员会", kind=BodyKind.COORDINATION, region=town,
                                   secretary=street_user if street_user and town.pk == _town_of(street_user) else None,
                                   since=since)
        bodies_meetings.append((body, [date(today.year - 1, 12, 10), date(today.year, 6, 20)]))
        members += [BodyMember(body=body, person_name=person_name(rng), title="委员", order=i) for i in range(3)]

    joint_bodies: list[Body] = []
    for comm in Region.objects.filter(kind=RegionKind.COMMUNITY).select_related("parent").order_by("path"):
        body = Body.objects.create(name=f"{comm.parent.name}{comm.name}党建联席会", kind=BodyKind.JOINT,
                                   region=comm, rotating_chair=True, since=since,
                                   secretary=secretary if secretary and _is_secretary_of(secretary, comm) else None)
        joint_bodies.append(body)
        members += [BodyMember(body=body, unit=u, title="成员单位", order=i)
                    for i, u in enumerate(units_by_comm.get(comm.pk, []))]
        # Monthly meetings of the last twelve months; the last one or two communities skipped last month,
        # so the cadence flag has something to show.
        first = _add_month(date(today.year, today.month, 1), -12)
        days = []
        for k in range(12):
            d = _add_month(first, k) + timedelta(days=rng.randint(4, 20))
            if d <= today:
                days.append(d)
        if comm.name == "迎宾路社区":
            days = days[:-1]
        bodies_meetings.append((body, days))
    BodyMember.objects.bulk_create(members, batch_size=1000)

    # Rotating chairs: each joint meeting's member units take turns month by month.
    turns = []
    for body in joint_bodies:
        units = units_by_comm.get(body.region_id, [])
        if not units:
            continue
        d = _add_month(date(today.year, today.month, 1), -12)
        # A year back and far enough ahead that every member unit has a next turn.
        for k in range(max(24, 12 + len(units))):
            start = _add_month(d, k)
            turns.append(ChairTurn(body=body, start=start, end=_add_month(start) - timedelta(days=1),
                                   unit=units[k % len(units)]))
    ChairTurn.objects.bulk_create(turns, batch_size=1000)
    chair = {(t.body_id, t.start): t.unit for t in turns}

    meetings = []
    for body, days in bodies_meetings:
        for d in (d for d in days if d <= today):
            meetings.append(Meeting(
                body=body, title=f"{d.year}年{d.month}月{body.get_kind_display()}", date=d, agenda=AGENDA,
                place="社区党群服务中心", chair_unit=chair.get((body.pk, d.replace(day=1))),
                start_time=START_TIMES[body.kind],
                minutes=f"会议通报了驻区单位共驻共建活动开展情况，研究了{rng.choice(TOPICS)}等事项。",
                status=MeetingStatus.HELD))
    # One upcoming joint meeting per community, so the calendar shows what is planned.
    for body in joint_bodies:
        d = today + timedelta(days=rng.randint(3, 20))
        meetings.append(Meeting(body=body, title=f"{d.year}年{d.month}月联席会（预定）", date=d, agenda=AGENDA,
                                chair_unit=chair.get((body.pk, d.replace(day=1))), place="社区党群服务中心",
                                start_time=START_TIMES[body.kind]))
    Meeting.objects.bulk_create(meetings, batch_size=500)

    member_map: dict[int, list[BodyMember]] = {}
    for m in BodyMember.objects.order_by("order", "pk"):
        member_map.setdefault(m.body_id, []).append(m)
    attendances = []
    for meeting in Meeting.objects.all():
        held = meeting.status == MeetingStatus.HELD
        for bm in member_map.get(meeting.body_id, []):
            status = AttendanceStatus.INVITED
            if held:
                roll = rng.random()
                status = (AttendanceStatus.ABSENT if roll < 0.012 else AttendanceStatus.EXCUSED if roll < 0.08
                          else AttendanceStatus.PRESENT)
            attendances.append(Attendance(meeting=meeting, unit=bm.unit, person_name=bm.person_name, status=status))
    Attendance.objects.bulk_create(attendances, batch_size=2000)
    # Every unexcused absence of a unit is a public criticism (what attendance_record does one by one).
    criticisms = []
    for a in (Attendance.objects.filter(status=AttendanceStatus.ABSENT, unit__isnull=False)
              .select_related("meeting", "meeting__body", "unit")):
        m = a.meeting
        criticisms.append(Criticism(unit=a.unit, region=unit_community(a.unit, m.body.region), date=m.date,
                                    year=m.date.year,
                                    reason=f"无故缺席{m.date:%Y年%m月%d日}{m.body.name}“{m.title}”",
                                    leader_name=a.unit.leader_name, source_type="meetings.attendance",
                                    source_id=str(a.pk)))
    # One unit of the demo community is criticized twice this year, so the board shows a disqualification.
    target_comm, target_units = next(iter(units_by_comm.items()))
    target = target_units[-1]
    for k in range(2):
        d = max(date(today.year, 1, 1), today - timedelta(days=30 * (k + 1)))
        criticisms.append(Criticism(unit=target, region_id=target_comm, date=d, year=d.year,
                                    reason="无故不参加共驻共建会议", leader_name=target.leader_name))
    Criticism.objects.bulk_create(criticisms)

    # A few resolutions: tasks with owners and deadlines.
    res = []
    for meeting in Meeting.objects.filter(status=MeetingStatus.HELD, body__kind=BodyKind.JOINT).order_by("-date")[:16]:
        res.append(Resolution(meeting=meeting, text=f"落实{rng.choice(TOPICS)}工作", kind=ResolutionKind.TASK,
                              owner_name=person_name(rng), deadline=today + timedelta(days=rng.randint(5, 60))))
    Resolution.objects.bulk_create(res)

    _liaison_unit_story(today, admin)

    if admin is not None:
        for year in (today.year - 1, today.year):
            cobuild_services.star_board_compute(actor=admin, year=year, attendance_of=unit_attendance)
            cobuild_services.chronicle_generate(actor=admin, year=year, more_lines=chronicle_lines)


def _liaison_unit_story(today: date, admin) -> None:
    """What the demo liaison (dw_lly) sees on 我单位的会议: replies (回执) to the past meetings their
    unit was invited to that match the attendance recorded, and two resolutions that concern the
    unit (a task done, a co-building project under way). The upcoming meeting is left unanswered,
    for the liaison to reply, with its invitation among the liaison's notifications. Its own random
    stream, so the rest of the demo stays as it was."""
    unit = ResidentUnit.objects.filter(liaison__username=LIAISON_USERNAME).select_related("liaison").first()
    if unit is None:
        return
    rng = random.Random(6008)
    rows = list(Attendance.objects.filter(unit=unit, meeting__status=MeetingStatus.HELD)
                .select_related("meeting", "meeting__body").order_by("meeting__date"))
    for a in rows:
        if a.status == AttendanceStatus.ABSENT:
            continue  # no reply: that is what made the absence unexcused
        m = a.meeting
        a.replied_by = unit.liaison
        a.replied_at = timezone.make_aware(datetime.combine(m.date - timedelta(days=rng.randint(1, 4)), time(10, 0)))
        if a.status == AttendanceStatus.EXCUSED:
            a.reply, a.reply_reason = AttendanceReply.LEAVE, rng.choice(LEAVE_REASONS)
        else:
            a.reply, a.reply_name = AttendanceReply.ATTEND, unit.leader_name or person_name(rng)
    Attendance.objects.bulk_update(rows, ["reply", "reply_name", "reply_reason", "replied_at", "replied_by"])
    # The invitation to the upcoming meeting, as scheduling it through the pages sends it.
    from .services import _notify_invited

    for m in (Meeting.objects.filter(attendances__unit=unit, status=MeetingStatus.PLANNED, date__gte=today)
              .select_related("body", "chair_unit")):
        _notify_invited(m, [unit])
    held = [a.meeting for a in rows if a.meeting.body.kind == BodyKind.JOINT][-2:]
    if len(held) < 2:
        return
    owner = unit.leader_name or person_name(rng)
    Resolution.objects.create(meeting=held[0], text=f"{unit.name}组织医护人员进社区开展义诊", kind=ResolutionKind.TASK,
                              owner_name=owner, unit=unit, deadline=held[0].date + timedelta(days=30), done=True)
    res = Resolution.objects.create(meeting=held[1], text="为社区老年人建立健康档案", kind=ResolutionKind.PROJECT,
                                    owner_name=owner, unit=unit, deadline=today + timedelta(days=45))
    if admin is not None:
        res.project = cobuild_services.project_create(
            actor=admin, region=held[1].body.region, title=res.text, owner_name=owner, deadline=res.deadline,
            budget=8000, unit=unit, source_type="meetings.resolution", source_id=res.pk)
        res.save(update_fields=["project"])


def _town_of(user) -> int | None:
    a = user.role_assignments.select_related("region").first()
    return a.region_id if a else None


def _is_secretary_of(user, comm: Region) -> bool:
    return user.role_assignments.filter(region=comm).exists()


DEMO_STEPS = [("meetings", load)]
