"""Private file storage: every uploaded file (import workbooks, visit/demand/co-building photos and
scans, member photos) lives under settings.PRIVATE_MEDIA_ROOT, which no web server publishes. A file
is read only through a view that applies the data scope and writes the audit log
(``audit.downloads.serve_private``). ``STORAGES["default"]`` is this storage, so a FileField
without its own storage is private too.

Stored names are unguessable: the directory of ``upload_to`` is kept (``grid/visits/2026/12/``),
the file name is replaced by 32 random hex digits with the original extension."""

from __future__ import annotations

import os
import posixpath
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage rooted at PRIVATE_MEDIA_ROOT (read on every access, so a changed setting
    takes effect), with no URL at all and random file names."""

    def __init__(self, **kwargs):
        kwargs.pop("location", None)
        kwargs.pop("base_url", None)
        super().__init__(**kwargs)

    @property
    def location(self) -> str:
        return os.path.abspath(settings.PRIVATE_MEDIA_ROOT)

    @property
    def base_location(self) -> str:
        return self.location

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("此文件没有公开地址，只能通过有权限的页面读取")

    def generate_filename(self, filename: str) -> str:
        filename = super().generate_filename(filename)
        dirname, base = posixpath.split(filename)
        ext = posixpath.splitext(base)[1].lower()[:6]
        if not ext[1:].isalnum():
            ext = ""
        return posixpath.join(dirname, uuid.uuid4().hex + ext)


private_storage = PrivateStorage()
