"""Member photos: stored re-encoded, their files following the transaction."""

from __future__ import annotations

import weakref
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import record
from core.images import check_image, to_jpeg

from ..models import (
    PartyMember,
)
from ..perms import MembersPerm
from .common import _require

# --------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_BOX = (600, 800)  # stored size limit (an ID photo is 3:4); the original is never kept


def _clean_photo(upload) -> bytes:
    """A real JPEG or PNG of at most 5 MB (core.images.check_image), re-encoded as a JPEG that fits
    PHOTO_BOX: orientation applied, metadata such as GPS dropped, the original never kept."""
    if upload is None:
        raise ValidationError({"photo": "照片：请选择要上传的图片文件"})
    name = getattr(upload, "name", "") or "照片"
    check_image(upload, field="photo", label=f"照片（{name}）", formats=("JPEG", "PNG"),
                max_bytes=MAX_PHOTO_BYTES, max_pixels=MAX_PHOTO_PIXELS)
    return to_jpeg(upload, box=PHOTO_BOX)  # EXIF (GPS), XMP, ICC and the JPEG comment dropped


def _delete_file_on_commit(storage, name: str) -> None:
    """Delete a file the transaction supersedes, once (and only if) it commits: a rollback keeps the file the
    record still names. `robust`: a failed delete after the commit is logged, it does not fail the request."""
    if name:
        transaction.on_commit(partial(storage.delete, name), robust=True)


def _delete_file_on_rollback(storage, name: str) -> None:
    """Delete a file written inside the current transaction unless that transaction commits.

    Django has no on-rollback hook, but it keeps commit hooks in a list it drops, unrun, when the transaction
    (or a savepoint the hook was registered under) rolls back. The hook registered here only notes the commit;
    a finalizer on it runs as soon as the list lets go of it (CPython's reference counting: at once, during the
    rollback) and deletes the file when no commit was noted. One exception: Django stops running commit hooks
    at the first one that raises, dropping the rest; the connection then still says it is running the hooks of
    a commit (`run_commit_hooks_on_set_autocommit_on`), and the file, committed with the record, stays."""
    connection = transaction.get_connection()
    state = {"committed": False}

    def committed() -> None:
        state["committed"] = True

    def dropped() -> None:
        if not state["committed"] and not connection.run_commit_hooks_on_set_autocommit_on:
            storage.delete(name)

    weakref.finalize(committed, dropped)
    transaction.on_commit(committed, robust=True)


@transaction.atomic
def member_photo_set(*, actor, member: PartyMember, photo) -> PartyMember:
    """Upload or replace a member's photo. The new file is deleted again if the transaction rolls back (this
    one or an outer one); the old file is deleted once the change commits."""
    from django.core.files.base import ContentFile

    member = PartyMember.objects.select_for_update().select_related("org__region").get(pk=member.pk)
    _require(actor, MembersPerm.EDIT, member.org.region.path, "修改此党员的照片")
    data = _clean_photo(photo)
    field = PartyMember._meta.get_field("photo")
    old = member.photo.name
    new_name = field.storage.save(field.generate_filename(member, "photo.jpg"), ContentFile(data))
    # The file follows the transaction: gone again if this one (or any transaction around it) rolls back.
    _delete_file_on_rollback(field.storage, new_name)
    PartyMember.objects.filter(pk=member.pk).update(photo=new_name, updated_at=timezone.now())
    member.photo.name = new_name
    record(actor=actor, action=AuditAction.UPDATE, obj=member,
           changes={"photo": ["有照片" if old else "无照片", "已更换照片" if old else "已上传照片"]})
    _delete_file_on_commit(field.storage, old)
    return member


@transaction.atomic
def member_photo_remove(*, actor, member: PartyMember) -> PartyMember:
    member = PartyMember.objects.select_for_update().select_related("org__region").get(pk=member.pk)
    _require(actor, MembersPerm.EDIT, member.org.region.path, "修改此党员的照片")
    old = member.photo.name
    if not old:
        raise ValidationError({"photo": "该党员尚未上传照片"})
    PartyMember.objects.filter(pk=member.pk).update(photo="", updated_at=timezone.now())
    member.photo.name = ""
    record(actor=actor, action=AuditAction.UPDATE, obj=member, changes={"photo": ["有照片", "已删除照片"]})
    _delete_file_on_commit(PartyMember._meta.get_field("photo").storage, old)
    return member


def member_photo_bytes(member: PartyMember) -> bytes | None:
    """The stored photo (JPEG), or None when there is none or the file is gone."""
    if not member.photo.name:
        return None
    try:
        with member.photo.storage.open(member.photo.name, "rb") as f:
            return f.read()
    except OSError:
        return None


def sweep_orphan_photos(*, hours: float = 24.0, dry_run: bool = False) -> tuple[list[str], int]:
    """Delete member photo files no record names (a process died between writing a new photo and the
    commit) once they are older than ``hours``, so a photo being saved right now is never touched.
    Returns (the names deleted, or that would be with ``dry_run``; how many photo files there are)."""
    import time

    from ..models import PHOTO_DIR, private_storage

    try:
        _dirs, files = private_storage.listdir(PHOTO_DIR)
    except FileNotFoundError:
        files = []
    names = {f"{PHOTO_DIR}/{f}" for f in files}
    # Read after listing: a photo committed meanwhile is in this set, or too young to go.
    used = set(PartyMember.objects.exclude(photo="").values_list("photo", flat=True))
    cutoff = time.time() - hours * 3600
    orphans = sorted(n for n in names - used if private_storage.get_modified_time(n).timestamp() < cutoff)
    if not dry_run:
        for name in orphans:
            private_storage.delete(name)
    return orphans, len(names)
