"""The daily sweep of uploaded files (``manage.py files_sweep``, cron line in docs/deployment.md).

1. Files of older releases still under MEDIA_ROOT (once published at /media/) move into private
   storage under a random name, their records updated; an import workbook of a finished job is
   deleted instead; what no record names is deleted.
2. Workbooks of finished import jobs still on disk (a worker died between the end and the delete)
   are deleted.
3. Files in private storage that no record names (a process died between writing a file and the
   commit; a replaced agreement scan) are deleted once older than ``hours``, so a file being saved
   right now is never touched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.db import models

from .storage import PrivateStorage

# Directories of MEDIA_ROOT that older releases wrote uploads to.
LEGACY_DIRS = ("imports", "grid", "demands", "cobuild", "members")
RUNNING_DIR = "imports/running/"


@dataclass
class SweepResult:
    moved: list[str] = field(default_factory=list)      # legacy public names moved into private storage
    workbooks: list[str] = field(default_factory=list)  # import workbooks of finished jobs deleted
    orphans: list[str] = field(default_factory=list)    # unreferenced files deleted (private and legacy)


def private_file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    return [(m, f) for m in apps.get_models() for f in m._meta.get_fields()
            if isinstance(f, models.FileField) and isinstance(f.storage, PrivateStorage)]


def _referenced() -> set[str]:
    names: set[str] = set()
    for model, f in private_file_fields():
        names.update(model._default_manager.exclude(**{f.name: ""}).values_list(f.name, flat=True).iterator())
    return names


def _files_under(root: Path, subdirs=("",)) -> list[str]:
    out = []
    for sub in subdirs:
        base = root / sub
        for dirpath, _dirs, files in os.walk(base):
            for fn in files:
                out.append(Path(dirpath, fn).relative_to(root).as_posix())
    return out


def _old(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def _move_legacy(result: SweepResult, dry_run: bool) -> None:
    from core.models import ImportJob

    legacy_root = Path(settings.MEDIA_ROOT)
    if not legacy_root.is_dir() or legacy_root.resolve() == Path(settings.PRIVATE_MEDIA_ROOT).resolve():
        return
    for model, f in private_file_fields():
        rows = model._default_manager.exclude(**{f.name: ""}).values_list("pk", f.name)
        for pk, name in rows.iterator():
            old = legacy_root / name
            if f.storage.exists(name) or not old.is_file():
                continue
            result.moved.append(name)
            if dry_run:
                continue
            if model is ImportJob and f.name == "file":
                job = ImportJob.objects.get(pk=pk)
                if job.is_finished:
                    ImportJob.objects.filter(pk=pk).update(file="")
                    old.unlink()
                    continue
            with old.open("rb") as fh:
                obj = model._default_manager.get(pk=pk)
                new = f.storage.save(f.generate_filename(obj, old.name), File(fh))
            model._default_manager.filter(pk=pk).update(**{f.name: new})
            old.unlink()


def sweep_files(*, hours: float = 24.0, dry_run: bool = False) -> SweepResult:
    from core.models import ImportJob

    result = SweepResult()
    _move_legacy(result, dry_run)
    for job in ImportJob.objects.exclude(file="").filter(status__in=ImportJob.FINISHED):
        result.workbooks.append(job.file.name)
        if not dry_run:
            job.drop_workbook()
    cutoff = time.time() - hours * 3600
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    listed = _files_under(root)
    used = _referenced()  # read after listing: a file committed meanwhile is in it, or too young to go
    for name in sorted(set(listed) - used):
        if name.startswith(RUNNING_DIR):  # the locks of running import jobs (bulkimport.recovery)
            continue
        if _old(root / name, cutoff):
            result.orphans.append(name)
            if not dry_run:
                (root / name).unlink(missing_ok=True)
    legacy_root = Path(settings.MEDIA_ROOT)
    if legacy_root.is_dir() and legacy_root.resolve() != root.resolve():
        # Nothing writes there any more: what is left (no record names it) goes, whatever its age.
        for name in sorted(set(_files_under(legacy_root, LEGACY_DIRS)) - set(result.moved)):
            result.orphans.append(f"MEDIA_ROOT/{name}")
            if not dry_run:
                (legacy_root / name).unlink(missing_ok=True)
    return result
