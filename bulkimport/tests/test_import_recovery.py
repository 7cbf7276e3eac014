"""Issue 13: import jobs left 校验中/保存中 by a killed worker are put right, on worker start and by the
reaper, their state true to what was committed (no rows half-saved)."""

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from audit.models import AuditAction, AuditEntry
from audit.services import record
from bulkimport.recovery import runner_alive, running_lock
from core.models import DemoStep, ImportJob, ImportStatus

pytestmark = pytest.mark.django_db


def _job(personas, status, **kw):
    job = ImportJob(kind="tests.step", created_by=personas.secretary, status=status, original_name="a.xlsx", **kw)
    job.file.save("upload.xlsx", ContentFile(b"PK workbook"), save=False)
    job.save()
    return job


def test_a_job_interrupted_before_its_commit_is_failed_with_nothing_saved(personas, settings):
    job = _job(personas, ImportStatus.SAVING, total_rows=5000, processed_rows=5000)
    workbook = Path(job.file.path)
    call_command("imports_reap", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "未导入任何数据" in job.message and job.finished_at
    assert not workbook.exists() and job.file.name == ""
    assert not DemoStep.objects.exists()
    assert AuditEntry.objects.filter(object_id=str(job.pk), purpose="恢复中断的导入任务").exists()


def test_a_job_interrupted_after_its_commit_is_done_with_the_committed_count(personas):
    job = _job(personas, ImportStatus.SAVING, total_rows=3, processed_rows=3)
    # what the saving transaction commits together with the rows (bulkimport.jobs, on_saved)
    ImportJob.objects.filter(pk=job.pk).update(created_rows=3)
    record(actor=personas.secretary, action=AuditAction.IMPORT, obj=job, changes={"created": 3})
    call_command("imports_reap", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_rows == 3 and job.message.startswith("已导入 3 条")


def test_a_job_whose_process_is_alive_is_left_alone(personas):
    job = _job(personas, ImportStatus.RUNNING)
    with running_lock(job.pk):
        assert runner_alive(job.pk)
        call_command("imports_reap", verbosity=0)
        job.refresh_from_db()
        assert job.status == ImportStatus.RUNNING and job.file.name
    assert not runner_alive(job.pk)


def _hold_lock(job_id, ready):
    with running_lock(job_id):
        ready.set()
        time.sleep(60)


def test_the_lock_dies_with_the_process(personas):
    job = _job(personas, ImportStatus.RUNNING)
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    child = ctx.Process(target=_hold_lock, args=(job.pk, ready))
    child.start()
    try:
        assert ready.wait(10)
        assert runner_alive(job.pk)
        call_command("imports_reap", verbosity=0)
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING
        os.kill(child.pid, signal.SIGKILL)  # the worker is killed mid-import
        child.join(10)
        assert not runner_alive(job.pk)
        call_command("imports_reap", verbosity=0)
        assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.FAILED
    finally:
        if child.is_alive():
            child.kill()


def test_the_worker_recovers_jobs_when_it_starts(personas, monkeypatch):
    from bulkimport.management.commands import run_worker

    job = _job(personas, ImportStatus.RUNNING)
    started = []
    monkeypatch.setattr(run_worker, "execute_from_command_line", started.append)
    run_worker.Command().run_from_argv(["manage.py", "run_worker", "--queue-name", "*", "--batch"])
    assert started == [["manage.py", "db_worker", "--queue-name", "*", "--batch"]]
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.FAILED


def test_age_rule_for_workers_on_several_hosts(personas):
    job = _job(personas, ImportStatus.RUNNING)
    from django.utils import timezone

    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now())
    call_command("imports_reap", "--minutes", "30", verbosity=0)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timezone.timedelta(hours=1))
    call_command("imports_reap", "--minutes", "30", verbosity=0)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.FAILED
