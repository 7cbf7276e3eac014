"""Import jobs whose process died (a killed worker, a restarted server) are put right: their state made
true to what was committed. Saving is one transaction that commits the rows together with the job's
``import`` audit entry (``on_saved``), so that entry says whether the rows are in: with it the job is
DONE (with the count committed with it), without it FAILED with nothing saved. A job is only touched
when no live process runs it: the process running a job holds an exclusive ``flock`` on
``PRIVATE_MEDIA_ROOT/imports/running/<id>.lock``, which the operating system releases when the process
dies. (Workers on several hosts need a shared PRIVATE_MEDIA_ROOT with POSIX locks, or the age rule
alone: ``imports_reap --minutes``.)

Called when a worker starts (``manage.py run_worker``) and by ``manage.py imports_reap`` (cron)."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

# A job still waiting in the queue this long after its upload has lost its task (a worker died
# between claiming the task and starting the job).
PENDING_LOST_MINUTES = 24 * 60


def _lock_path(job_id: int) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "imports" / "running" / f"{job_id}.lock"


@contextmanager
def running_lock(job_id: int):
    """Held while a process runs the job."""
    path = _lock_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        try:
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)  # releases the lock


def runner_alive(job_id: int) -> bool:
    """Whether some live process holds the job's lock."""
    path = _lock_path(job_id)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def recover_stuck_jobs(*, minutes: float | None = None) -> list[tuple[int, str]]:
    """Finish every job left 排队中/校验中/保存中 by a dead process. ``minutes``: also require the job
    to have started (or, pending, been uploaded) that long ago. Returns [(job id, new status)]."""
    from audit.models import AuditAction, AuditEntry
    from audit.services import record
    from core.models import ImportJob, ImportStatus

    from .importer import IMPORTERS
    from .jobs import _job_update

    now = timezone.now()
    done = []
    candidates = ImportJob.objects.filter(status__in=[ImportStatus.RUNNING, ImportStatus.SAVING])
    lost = ImportJob.objects.filter(status=ImportStatus.PENDING,
                                    created_at__lt=now - timedelta(minutes=max(minutes or 0, PENDING_LOST_MINUTES)))
    for job in [*candidates, *lost]:
        since = job.started_at or job.created_at
        if minutes is not None and since > now - timedelta(minutes=minutes):
            continue
        if runner_alive(job.pk):
            continue
        committed = AuditEntry.objects.filter(action=AuditAction.IMPORT, object_type="core.importjob",
                                              object_id=str(job.pk)).exists()
        job.refresh_from_db()
        before = job.status
        if committed:
            _job_update(job, status=ImportStatus.DONE, finished_at=now,
                        message=f"已导入 {job.created_rows} 条。（导入进程中断，已按提交的数据恢复状态）")
        elif before == ImportStatus.PENDING and getattr(IMPORTERS.get(job.kind), "previews", False):
            _job_update(job, status=ImportStatus.FAILED, finished_at=now,  # a preview nobody confirmed
                        message="预览后超过 24 小时未确认，已作废，未修改任何数据；如仍需修改请重新上传")
        else:
            _job_update(job, status=ImportStatus.FAILED, finished_at=now,
                        message="导入进程意外中断，未导入任何数据，请重新上传")
        job.drop_workbook()
        record(actor=None, action=AuditAction.UPDATE, obj=job, changes={"status": [before, job.status]},
               purpose="恢复中断的导入任务")
        done.append((job.pk, job.status))
    return done
