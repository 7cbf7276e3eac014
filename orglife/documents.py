"""Files of organizational life: the session record (.docx, the layout branches print and keep in
their files) and the year's statistics (.xlsx)."""

from __future__ import annotations

from members.documents import Card, card_docx

from .models import AttendanceStatus, Session


def _d(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def session_card(session: Session, rows) -> Card:
    counts = {s: 0 for s in AttendanceStatus.values}
    for a in rows:
        counts[a.status] += 1
    expected = len(rows)
    attended = counts[AttendanceStatus.PRESENT] + counts[AttendanceStatus.ONLINE]
    absent = "；".join(f"{a.member.name}（{a.get_status_display()}{'：' + a.reason if a.reason else ''}）"
                      for a in rows if a.status in (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT))
    when = _d(session.date) + (f" {session.start_time:%H:%M}" if session.start_time else "")
    fields = [
        ("党组织", session.org.name), ("类别", session.get_kind_display()),
        ("时间", when), ("地点", ("线上 " if session.online else "") + session.place),
        ("主持人", session.host_name), ("记录人", session.recorder_name),
        ("应到人数", str(expected)),
        ("实到人数", f"{attended}（其中线上 {counts[AttendanceStatus.ONLINE]}）"),
        ("主题", session.topic), ("授课人", session.lecturer or "—"),
    ]
    tables = []
    if absent:
        tables.append(("缺席及请假", ["人员及事由"], [[absent]]))
    tables.append(("议程", ["内容"], [[session.agenda or "—"]]))
    tables.append(("会议记录", ["内容"], [[session.minutes or "（未填写）"]]))
    tables.append(("决议", ["内容"], [[session.resolutions or "—"]]))
    tables.append(("参加人员", ["序号", "姓名", "所在党组织", "参加情况", "请假事由", "签名"],
                   [[str(i), a.member.name, a.member.org.name + ("（流入）" if a.inflow else ""),
                     a.get_status_display(), a.reason, ""] for i, a in enumerate(rows, 1)]))
    return Card(title=f"{session.get_kind_display()}记录", subtitle=f"{session.org.name}  {_d(session.date)}",
                fields=fields, tables=tables)


def session_docx(session: Session, rows) -> bytes:
    return card_docx(session_card(session, rows))
