"""Rules of the demand workflow as data: permissions, the state machine, the escalation ladder,
deadline arithmetic with optional working hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import OPEN_STATES, State
from .workcalendar import WorkCalendar, current_calendar


class DemandPerm:
    VIEW = "demands.view"        # see demands of the scope
    HANDLE = "demands.handle"    # intake, accept, dispatch, handle, follow up
    STATS = "demands.stats"      # statistics and the escalation pages
    MANAGE = "demands.manage"    # categories, handling units, API keys


@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change
    note_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition("受理", (State.SUBMITTED,), State.ACCEPTED),
    "dispatch": Transition("派单", (State.SUBMITTED, State.ACCEPTED, State.DISPATCHED), State.DISPATCHED),
    "return": Transition("退单", (State.DISPATCHED, State.ON_SITE), State.ACCEPTED, note_required=True),
    "arrive": Transition("到场", (State.DISPATCHED,), State.ON_SITE),
    "handle": Transition("办结", (State.DISPATCHED, State.ON_SITE), State.HANDLED, note_required=True),
    "follow_up": Transition("回访", (State.HANDLED,), State.FOLLOW_UP),
    "close": Transition("关闭", (State.HANDLED, State.FOLLOW_UP), State.CLOSED),
    "reopen": Transition("重新办理", (State.HANDLED, State.FOLLOW_UP, State.CLOSED), State.ACCEPTED,
                         note_required=True),
    "escalate": Transition("升级", tuple(OPEN_STATES), None, note_required=True),
    "note": Transition("备注", tuple(State.values), None, note_required=True),
}

# Actions a person may choose on a page (merge, rate, add-info have their own forms).
STAFF_ACTIONS = ["accept", "dispatch", "arrive", "handle", "return", "follow_up", "close", "reopen", "escalate", "note"]

EVENT_LABELS = {k: t.label for k, t in TRANSITIONS.items()} | {
    "submit": "提交", "merge": "合并", "rate": "评价", "add_info": "补充信息", "overdue": "超期",
    "deadline": "时限调整",
}


def escalation_days() -> dict[int, int]:
    """Days past the handling deadline after which an open demand rises to each level."""
    return getattr(settings, "DEMANDS_ESCALATION_DAYS", {1: 0, 2: 7, 3: 30})


def duplicate_window_days() -> int:
    return int(getattr(settings, "DEMANDS_DUPLICATE_DAYS", 7))


DUPLICATE_RADIUS_M = 50
WORK_START, WORK_END = time(9, 0), time(17, 0)


def add_minutes(start: datetime, minutes: int, *, working_hours_only: bool,
                calendar: WorkCalendar | None = None) -> datetime:
    """The deadline `minutes` after `start`. With working hours, only 9:00–17:00 of working days
    count: Mon–Fri, minus the days off of the work calendar (法定节假日), plus its adjusted working
    weekend days (调休上班). `calendar` defaults to the process's cached one (no query per day;
    bulk callers load one and pass it)."""
    if not working_hours_only:
        return start + timedelta(minutes=minutes)
    if calendar is None:
        calendar = current_calendar()
    tz = ZoneInfo(settings.TIME_ZONE)
    # Working hours are wall-clock hours: count in naive local time, attach the zone at the end.
    local = start.astimezone(tz).replace(tzinfo=None)
    day = local.date()
    offset = local - datetime.combine(day, time.min)  # time of day
    left = timedelta(minutes=minutes)
    while True:
        if calendar.is_workday(day):
            begin = max(offset, _DAY_START)
            if begin < _DAY_END:
                if left <= _DAY_END - begin:
                    return (datetime.combine(day, time.min) + begin + left).replace(tzinfo=tz)
                left -= _DAY_END - begin
        day += _ONE_DAY
        offset = _ZERO


_DAY_START = timedelta(hours=WORK_START.hour, minutes=WORK_START.minute)
_DAY_END = timedelta(hours=WORK_END.hour, minutes=WORK_END.minute)
_ONE_DAY, _ZERO = timedelta(days=1), timedelta(0)
