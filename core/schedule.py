"""The periodic jobs of a deployment, in one place, and a small cron-style matcher.

`manage.py run_scheduler` runs them (instead of a crontab): each due job in a child process
(`manage.py <command>`), which reads the same environment file as the service. Each job of a given
minute runs once per deployment even with a scheduler on every node: the run is claimed in the shared
cache (Redis in production) before it starts. Every command here is safe to run twice: it records what
it has done.

The monthly audit archive is not here: it runs as the database owner role (docs/security.md), so it
stays a separate cron line or timer with the owner's DATABASE_URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Job:
    schedule: str  # minute hour day-of-month month day-of-week (cron; Monday = 1, Sunday = 0 or 7)
    command: str
    what: str


JOBS: tuple[Job, ...] = (
    Job("*/5 * * * *", "escalate_demands", "overdue demands: flag, escalate, notify"),
    Job("*/10 * * * *", "points_sync", "points for new facts, reversals for undone ones"),
    Job("*/10 * * * *", "assessment_escalate", "overdue key tasks, problems and rectifications climb the tree"),
    Job("*/10 * * * *", "imports_reap", "import jobs whose worker died: finished true to what was committed"),
    Job("0 2 * * *", "stars_refresh", "star board figures of the year from the latest ledger"),
    Job("15 2 * * *", "audit_verify", "the audit hash chain (keep the head it prints)"),
    Job("30 3 * * *", "members_sweep_photos", "member photo files no record names, older than 24 h"),
    Job("45 3 * * *", "files_sweep", "uploads: old /media/ files moved private, orphans deleted"),
    Job("0 8 * * *", "meetings_cadence_check", "bodies behind their meeting cadence"),
    Job("10 8 * * *", "orglife_cadence_check", "Party organizations behind 三会一课 / 主题党日"),
    Job("20 8 * * *", "stability_visits_check", "key people whose visit is overdue: flagged to the secretary"),
    Job("0 9 * * *", "meetings_reply_reminders", "units that have not replied to tomorrow's meeting"),
    Job("0 9 * * 1", "vanguard_remind", "members whose pledges are overdue (once a week each)"),
    Job("*/10 * * * *", "dashboards_refresh", "数据驾驶舱 rollups: the days changed since the last refresh"),
    Job("30 2 * * *", "dashboards_rebuild", "数据驾驶舱 rollups: everything recounted"),
)

_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def _field(text: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
            if step < 1:
                raise ValueError(f"step {step} in {text!r}")
        if part == "*":
            first, last = low, high
        elif "-" in part:
            first, last = (int(v) for v in part.split("-", 1))
        else:
            first = last = int(part)
        if not (low <= first <= last <= high):
            raise ValueError(f"{text!r} is outside {low}-{high}")
        values.update(range(first, last + 1, step))
    return values


def parse(schedule: str) -> tuple[set[int], ...]:
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError(f"{schedule!r}: five fields expected (minute hour day month weekday)")
    parsed = tuple(_field(text, low, high) for text, (low, high) in zip(fields, _RANGES, strict=True))
    if 7 in parsed[4]:
        parsed[4].add(0)
    return parsed


def due(schedule: str, at: datetime) -> bool:
    """Whether `schedule` fires in the minute of `at` (local time: cron's, the deployment's TIME_ZONE)."""
    minute, hour, day, month, weekday = parse(schedule)
    cron_weekday = at.isoweekday() % 7  # Sunday = 0
    return at.minute in minute and at.hour in hour and at.day in day and at.month in month and (
        cron_weekday in weekday)


def due_jobs(at: datetime, jobs: tuple[Job, ...] = JOBS) -> list[Job]:
    return [job for job in jobs if due(job.schedule, at)]
