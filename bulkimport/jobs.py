"""Running an import job: in the request for small files, as a background task for big ones."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.utils import timezone
from django_tasks import task

from .importer import FileProblem, Importer, ImportRow, get_importer
from .parsers import _setting
from .reading import read_sheet


def _job_update(job, **fields) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    type(job).objects.filter(pk=job.pk).update(**fields)


class _SideProgress:
    """Progress updates of a job written on a connection of their own, from a worker thread, for
    while the job's own connection is inside a COPY. At most one update is in flight; extra ones
    are dropped (the next one carries a higher count anyway)."""

    def __init__(self, job):
        from concurrent.futures import ThreadPoolExecutor

        self.table = job._meta.db_table
        self.job_pk = job.pk
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-progress")
        self.pending = None
        self.conn = None

    def _update(self, n: int) -> None:
        self._update_sql(f'UPDATE "{self.table}" SET processed_rows = %s WHERE id = %s', [n, self.job_pk])

    def _update_sql(self, sql: str, params: list[Any]) -> None:
        from django.db import connections

        if self.conn is None:  # a private connection, outside Django's per-thread handler
            self.conn = connections.create_connection("default")
            self.conn.set_autocommit(True)
        with self.conn.cursor() as cur:
            cur.execute(sql, params)

    def __call__(self, n: int) -> None:
        if self.pending is None or self.pending.done():
            self.pending = self.pool.submit(self._update, n)

    def status(self, status: str) -> None:
        """A new status (never dropped: it follows the updates already queued)."""
        self.pending = self.pool.submit(self._status, status)

    def _status(self, status: str) -> None:
        self._update_sql(f'UPDATE "{self.table}" SET status = %s WHERE id = %s', [status, self.job_pk])

    def close(self) -> None:
        def _close() -> None:
            if self.conn is not None:
                self.conn.close()

        try:
            self.pool.submit(_close).result()
        finally:
            self.pool.shutdown(wait=True)


def run_import(job) -> None:
    """Validate and (if allowed) save one ImportJob. Never raises for bad data; records the outcome.
    The running process holds the job's lock (bulkimport.recovery) until the job has ended."""
    from .recovery import running_lock

    with running_lock(job.pk):
        _run_import(job)


def _run_import(job) -> None:
    from audit.models import AuditAction
    from audit.services import record
    from core.models import ImportJob, ImportMode, ImportStatus

    importer_cls = get_importer(job.kind)
    importer = importer_cls(actor=job.created_by, job=job)
    _job_update(job, status=ImportStatus.RUNNING, started_at=timezone.now())
    started = time.perf_counter()
    side = None
    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        sheet = read_sheet(importer_cls, data, filename=job.original_name)
        _job_update(job, total_rows=len(sheet.rows))
        if importer.interleaves(len(sheet.rows)):
            side = progress = _SideProgress(job)
        else:
            def progress(n: int) -> None:
                _job_update(job, processed_rows=n)

        def on_saved(created: int, rows: list[ImportRow]) -> None:
            bad = [r for r in rows if not r.ok]
            ImportJob.objects.filter(pk=job.pk).update(created_rows=created)
            record(actor=job.created_by, action=AuditAction.IMPORT, obj=job,
                   changes={"kind": job.kind, "created": created, "bad_rows": len(bad),
                            "mode": job.mode, "file": job.original_name})

        def on_saving() -> None:  # every row checked: the rest of the saving (and the commit) begins
            if side is not None:
                side.status(ImportStatus.SAVING)
            else:
                _job_update(job, status=ImportStatus.SAVING)

        outcome = importer.import_sheet(sheet, good_rows_only=job.mode != ImportMode.ALL_OR_NOTHING,
                                        progress=progress, on_saved=on_saved, on_saving=on_saving)
        if side is not None:
            side.close()
            side = None
        rows, bad = outcome.rows, outcome.bad
        errors = [e for r in bad for e in r.errors]
        if bad:
            _store_report(job, importer_cls, sheet, bad)
        _job_update(job, processed_rows=len(rows), error_rows=len(bad), errors=errors[:5000],
                    bad_row_numbers=[r.number for r in bad])
        if not outcome.saved:
            _job_update(job, status=ImportStatus.INVALID, finished_at=timezone.now(),
                        message=f"共 {len(rows)} 行，其中 {len(bad)} 行有错误，未导入任何数据。请修改后重新上传。")
            return
        created = outcome.created
        msg = importer_cls.done_message.format(n=created)
        if bad:
            msg += f"{len(bad)} 行有错误未导入，可下载错误行修改后再导入。"
        _job_update(job, status=ImportStatus.DONE, created_rows=created, finished_at=timezone.now(),
                    message=msg, seconds=round(time.perf_counter() - started, 3))
    except FileProblem as exc:
        _job_update(job, status=ImportStatus.REJECTED, message=str(exc), finished_at=timezone.now())
    except IntegrityError:  # e.g. someone saved the same person while this import ran
        _job_update(job, status=ImportStatus.FAILED, finished_at=timezone.now(),
                    message="保存时发现与系统中已有数据重复（可能有人同时录入了相同的记录），未导入任何数据，请重新上传")
    except ValidationError as exc:  # a service refused while saving: nothing was saved
        _job_update(job, status=ImportStatus.FAILED, message="保存时出错，未导入任何数据：" + "；".join(exc.messages),
                    finished_at=timezone.now())
    except Exception:
        import logging

        logging.getLogger(__name__).exception("import job %s failed", job.pk)
        _job_update(job, status=ImportStatus.FAILED, message="导入时发生内部错误，未导入任何数据，请联系管理员",
                    finished_at=timezone.now())
    finally:
        if side is not None:
            side.close()
        job.drop_workbook()


def _store_report(job, importer_cls, sheet, bad: list[ImportRow]) -> None:
    """Keep the masked error report (bulkimport.files.bad_rows_xlsx) for the bad-rows download."""
    from .files import bad_rows_xlsx

    field = type(job)._meta.get_field("report")
    name = field.storage.save(field.generate_filename(job, "report.xlsx"),
                              ContentFile(bad_rows_xlsx(importer_cls, sheet.sheet_name, bad)))
    _job_update(job, report=name)


@task()
def run_import_job(job_id: int) -> None:
    from core.models import ImportJob, ImportStatus

    job = ImportJob.objects.select_related("created_by").filter(pk=job_id, status=ImportStatus.PENDING).first()
    if job is not None:
        run_import(job)


def preview_import(job) -> tuple[list[ImportRow], list[dict], str]:
    """(rows, changes, digest) of a job waiting for confirmation: the stored file checked again
    against the database as it is now; the digest changes whenever a change does."""
    import hashlib
    import json

    importer_cls = get_importer(job.kind)
    importer = importer_cls(actor=job.created_by, job=job)
    with job.file.open("rb") as fh:
        sheet = read_sheet(importer_cls, fh.read(), filename=job.original_name)
    rows = importer.validate(sheet)
    changes = importer.preview([r for r in rows if r.ok])
    digest = hashlib.sha256(json.dumps([c.get("key", "") for c in changes], ensure_ascii=False,
                                       default=str).encode()).hexdigest()
    return rows, changes, digest


def start_import(*, actor, importer_cls: type[Importer], upload, mode: str, scope=None):
    """Check the upload now (file problems are answered at once), store it, run or enqueue the job.
    An importer that previews (``previews``) only stores it: the job runs once the user confirms."""
    from core.models import ImportJob, ImportStatus

    name = getattr(upload, "name", "") or "upload.xlsx"
    size = getattr(upload, "size", None)
    max_bytes = _setting("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
    if size is not None and size > max_bytes:
        raise FileProblem(f"文件过大：{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB，请分批导入")
    data = upload.read()
    sheet = read_sheet(importer_cls, data, filename=name)
    sync_rows = _setting("IMPORT_SYNC_ROWS", 3000)
    if importer_cls.previews and len(sheet.rows) > sync_rows:
        raise FileProblem(f"共 {len(sheet.rows)} 行：逐条预览修改的文件最多 {sync_rows} 行，请分批上传")
    job = ImportJob(kind=importer_cls.kind, created_by=actor, scope=scope, mode=mode, original_name=name[:200],
                    total_rows=len(sheet.rows), status=ImportStatus.PENDING)
    job.file.save("upload.xlsx", ContentFile(data), save=False)  # private storage, random name
    job.save()
    if importer_cls.previews:
        return job
    if len(sheet.rows) <= sync_rows:
        run_import(job)
    else:
        run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job
