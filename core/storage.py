"""Private file storage: every uploaded file (import workbooks, visit/demand/co-building photos and
scans, member photos) lives under settings.PRIVATE_MEDIA_ROOT, which no web server publishes. A file
is read only through a view that applies the data scope and writes the audit log
(``audit.downloads.serve_private``). ``STORAGES["default"]`` is this storage, so a FileField
without its own storage is private too.

Stored names are unguessable: the directory of ``upload_to`` is kept (``grid/visits/2026/12/``),
the file name is replaced by 32 random hex digits with the original extension.

Object storage: with ``DANGJIAN_S3_BUCKET`` set (settings.PRIVATE_S3), every ``PrivateStorage()``
is a :class:`PrivateS3Storage` instead: the same random names and the same refusal of public URLs,
the files in a private bucket of an S3-compatible server (MinIO on an intranet) that every node and
worker share. It still answers to the name ``core.storage.PrivateStorage`` in migrations, so the
choice is the deployment's, not the schema's. A file is handed out only by
``audit.downloads.serve_private``: streamed, or (``PRIVATE_MEDIA_SERVE=redirect``) as a redirect to a
presigned URL valid for ``DANGJIAN_S3_URL_SECONDS`` (default 60)."""

from __future__ import annotations

import os
import posixpath
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def _random_name(filename: str) -> str:
    dirname, base = posixpath.split(filename)
    ext = posixpath.splitext(base)[1].lower()[:6]
    if not ext[1:].isalnum():
        ext = ""
    return posixpath.join(dirname, uuid.uuid4().hex + ext)


class PrivateStorage(FileSystemStorage):
    """A FileSystemStorage rooted at PRIVATE_MEDIA_ROOT (read on every access, so a changed setting
    takes effect), with no URL at all and random file names. With settings.PRIVATE_S3 the object
    storage instead (PrivateS3Storage)."""

    def __new__(cls, *args, **kwargs):
        if getattr(settings, "PRIVATE_S3", None):
            storage = PrivateS3Storage()
            storage.stands_for = f"{cls.__module__}.{cls.__qualname__}"  # what migrations call it
            return storage
        return super().__new__(cls)

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
        return _random_name(super().generate_filename(filename))


def _s3_class():
    from storages.backends.s3 import S3Storage

    return S3Storage


class PrivateS3Storage(_s3_class()):
    """Private files in an S3-compatible bucket (settings.PRIVATE_S3): objects without a public ACL,
    random names, never overwritten, no public URL; `signed_url()` for serve_private's redirect."""

    def __init__(self, **overrides):
        conf = dict(settings.PRIVATE_S3)
        conf.update(overrides)
        super().__init__(
            bucket_name=conf["bucket"], endpoint_url=conf.get("endpoint_url") or None,
            access_key=conf.get("access_key") or None, secret_key=conf.get("secret_key") or None,
            region_name=conf.get("region") or None, location=conf.get("prefix", ""),
            verify=conf.get("verify"), addressing_style=conf.get("addressing_style") or "path",
            signature_version="s3v4", default_acl=None, querystring_auth=True,
            querystring_expire=int(conf.get("url_seconds", 60)), file_overwrite=False, custom_domain=None,
        )

    stands_for = "core.storage.PrivateStorage"

    def deconstruct(self):
        return (self.stands_for, (), {})

    def path(self, name):
        raise NotImplementedError("对象存储中的文件没有本地路径")

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("此文件没有公开地址，只能通过有权限的页面读取")

    def signed_url(self, name: str, *, seconds: int | None = None, filename: str = "", content_type: str = "",
                   attachment: bool = False) -> str:
        """A presigned GET for one file, valid `seconds` (default DANGJIAN_S3_URL_SECONDS)."""
        from urllib.parse import quote

        params = {"ResponseCacheControl": "private, no-store"}
        if content_type:
            params["ResponseContentType"] = content_type
        disposition = "attachment" if attachment else "inline"
        if filename:
            disposition += f"; filename*=UTF-8''{quote(filename)}"
        params["ResponseContentDisposition"] = disposition
        return super().url(name, parameters=params, expire=seconds or self.querystring_expire)

    def generate_filename(self, filename: str) -> str:
        return _random_name(super().generate_filename(filename))


private_storage = PrivateStorage()
