"""The scheduler: cron-style schedules, the jobs of a minute, each run once per deployment."""

from __future__ import annotations

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command, get_commands

from core.management.commands import run_scheduler
from core.schedule import JOBS, due, due_jobs, parse


def test_every_job_names_an_existing_command_and_a_valid_schedule():
    commands = get_commands()
    for job in JOBS:
        assert job.command in commands, job.command
        parse(job.schedule)


@pytest.mark.parametrize("schedule, at, expected", [
    ("*/5 * * * *", "2026-12-07 10:15", True),
    ("*/5 * * * *", "2026-12-07 10:16", False),
    ("0 9 * * 1", "2026-12-07 09:00", True),   # a Monday
    ("0 9 * * 1", "2026-12-08 09:00", False),
    ("0 9 * * 0", "2026-12-13 09:00", True),   # Sunday as 0
    ("0 9 * * 7", "2026-12-13 09:00", True),   # and as 7
    ("15 2 1-3 * *", "2026-12-02 02:15", True),
    ("15 2 1-3 * *", "2026-12-04 02:15", False),
    ("0 8,20 * * *", "2026-12-04 20:00", True),
])
def test_schedules_match_like_cron(schedule, at, expected):
    assert due(schedule, datetime.strptime(at, "%Y-%m-%d %H:%M")) is expected


@pytest.mark.parametrize("bad", ["* * * *", "61 * * * *", "*/0 * * * *", "x * * * *"])
def test_a_malformed_schedule_is_refused(bad):
    with pytest.raises(ValueError):
        parse(bad)


def test_jobs_of_a_monday_morning():
    names = [j.command for j in due_jobs(datetime(2026, 12, 7, 9, 0))]
    assert names == ["escalate_demands", "points_sync", "assessment_escalate", "imports_reap",
                     "meetings_reply_reminders", "vanguard_remind", "dashboards_refresh"]


def test_each_job_of_a_minute_runs_once_even_with_two_schedulers(monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "scheduler-test"}}
    ran = []
    monkeypatch.setattr(run_scheduler, "run_job", lambda job: ran.append(job.command) or 0)
    for _ in range(2):  # a second scheduler (another node, same cache) in the same minute
        call_command("run_scheduler", "--once", "--at", "2026-12-07 02:15", stdout=StringIO())
    assert ran == ["escalate_demands", "audit_verify"]
    call_command("run_scheduler", "--once", "--at", "2026-12-07 02:20", stdout=StringIO())
    assert ran[2:] == ["escalate_demands", "points_sync", "assessment_escalate", "imports_reap",
                       "dashboards_refresh"]


def test_minutes_missed_during_a_long_job_are_caught_up_once(monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "scheduler-catch-up"}}
    ran = []
    monkeypatch.setattr(run_scheduler, "run_job", lambda job: ran.append(job.command) or 0)
    command = run_scheduler.Command(stdout=StringIO())
    minutes = [datetime(2026, 12, 7, 2, m) for m in range(10, 21)]  # 02:10 … 02:20 missed
    from django.utils import timezone

    command._tick(*[timezone.make_aware(m) for m in minutes], dry_run=False)
    assert sorted(ran) == sorted(["escalate_demands", "points_sync", "assessment_escalate", "imports_reap",
                                  "audit_verify", "dashboards_refresh"])


def test_the_list_and_a_bad_minute():
    out = StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    assert "escalate_demands" in out.getvalue() and "*/5 * * * *" in out.getvalue()
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD HH:MM"):
        call_command("run_scheduler", "--once", "--at", "tomorrow")
