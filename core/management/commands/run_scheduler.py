"""The scheduler process: every minute, the periodic jobs due in that minute (core.schedule.JOBS), each in
a child `manage.py <command>` with the service's environment. One systemd unit (deploy/systemd/
dangjian-scheduler.service) or one container instead of a crontab per machine.

    manage.py run_scheduler             # loop until stopped (SIGTERM: finishes the running job)
    manage.py run_scheduler --list      # the jobs and their schedules
    manage.py run_scheduler --once [--at "2026-12-07 09:00"] [--dry-run]   # the jobs of one minute
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.schedule import JOBS, Job, due_jobs

log = logging.getLogger("dangjian.scheduler")
MANAGE = Path(settings.BASE_DIR) / "manage.py"


def claim(job: Job, minute: datetime) -> bool:
    """True for the one scheduler (of all nodes sharing the cache) that runs `job` in this minute."""
    return cache.add(f"scheduler:{job.command}:{minute:%Y%m%d%H%M}", "1", timeout=24 * 3600)


def run_job(job: Job) -> int:
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(MANAGE), job.command], cwd=settings.BASE_DIR, check=False)
    log.info("job %s finished with %s in %.1f s", job.command, result.returncode, time.monotonic() - started)
    return result.returncode


class Command(BaseCommand):
    help = "Run the periodic jobs (escalations, reminders, sweeps, audit check) on their schedules"

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="print the jobs and exit")
        parser.add_argument("--once", action="store_true", help="run the jobs due in one minute, then exit")
        parser.add_argument("--at", help='with --once: the minute, "YYYY-MM-DD HH:MM" local time (default now)')
        parser.add_argument("--dry-run", action="store_true", help="print the due jobs without running them")

    def handle(self, *args, **options):
        if options["list"]:
            for job in JOBS:
                self.stdout.write(f"{job.schedule:<14} {job.command:<26} {job.what}")
            return
        if options["once"]:
            minute = self._minute(options["at"])
            self._tick(minute, dry_run=options["dry_run"])
            return
        self._loop(dry_run=options["dry_run"])

    def _minute(self, text: str | None) -> datetime:
        if not text:
            return timezone.localtime().replace(second=0, microsecond=0)
        try:
            return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))
        except ValueError:
            raise CommandError(f'--at {text!r}: expected "YYYY-MM-DD HH:MM"') from None

    def _tick(self, *minutes: datetime, dry_run: bool) -> None:
        """Run each job due in any of `minutes` once (minutes missed while a long job ran are caught up
        without running a job several times in a row)."""
        started = set()
        for minute in minutes:
            for job in due_jobs(minute):
                if job.command in started or self._stopping:
                    continue
                started.add(job.command)
                if dry_run:
                    self.stdout.write(f"{minute:%Y-%m-%d %H:%M} {job.command}")
                elif claim(job, minute):
                    self.stdout.write(f"{minute:%Y-%m-%d %H:%M} {job.command}")
                    self.stdout.flush()
                    run_job(job)

    _stopping = False

    def _loop(self, *, dry_run: bool) -> None:
        def stop(signum, frame):
            self._stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_minute = timezone.localtime().replace(second=0, microsecond=0)
        while not self._stopping:
            now = timezone.localtime()
            if now >= next_minute:
                minutes = []
                while next_minute <= now:
                    minutes.append(next_minute)
                    next_minute += timedelta(minutes=1)
                self._tick(*minutes, dry_run=dry_run)
            time.sleep(min(5.0, max(0.5, (next_minute - timezone.localtime()).total_seconds())))
