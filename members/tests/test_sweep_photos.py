"""manage.py members_sweep_photos: unreferenced photo files older than the grace period go; others stay."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from members.models import PartyMember, private_storage

pytestmark = pytest.mark.django_db


def _file(name: str, age_hours: float) -> str:
    saved = private_storage.save(f"members/photos/{name}.jpg", ContentFile(b"\xff\xd8 not a real photo"))
    then = time.time() - age_hours * 3600
    os.utime(private_storage.path(saved), (then, then))
    return saved


def _run(*args) -> str:
    out = io.StringIO()
    call_command("members_sweep_photos", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_only_old_unreferenced_files_are_deleted(members):
    member = PartyMember.objects.first()
    used = _file("used", 48)
    PartyMember.objects.filter(pk=member.pk).update(photo=used)
    old_orphan = _file("old", 48)
    young_orphan = _file("young", 1)
    assert "可删除 1 个" in _run("--dry-run")
    assert private_storage.exists(old_orphan)  # a dry run deletes nothing
    assert "已删除 1 个" in _run()
    assert not private_storage.exists(old_orphan)
    assert private_storage.exists(used) and private_storage.exists(young_orphan)


def test_no_photo_folder_yet_and_a_too_short_grace_period(members):
    assert "已删除 0 个" in _run()
    assert "不能小于 1" in _run("--hours", "0.1")
