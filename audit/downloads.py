"""The two audited downloads: a file the platform builds (an export: ``audited_download``) and a private
stored file (core.storage) read after the caller has applied the data scope (``serve_private``). Each
writes one audit entry, and neither may be kept by browsers or proxies. A private file is, by setting,
handed over to the reverse proxy instead of being streamed by Django.

PRIVATE_MEDIA_SERVE (environment variable of the same name):
- ``django`` (default): Django sends the file itself.
- ``x-accel-redirect``: nginx. The response carries ``X-Accel-Redirect: <PRIVATE_MEDIA_INTERNAL_URL><name>``
  and no body; nginx serves it from an ``internal`` location aliased to PRIVATE_MEDIA_ROOT.
- ``x-sendfile``: Apache mod_xsendfile / lighttpd. ``X-Sendfile: <absolute path>``.
- ``redirect`` (object storage only, DANGJIAN_S3_BUCKET): a 302 to a presigned URL of the bucket valid
  for DANGJIAN_S3_URL_SECONDS (default 60), after the same scope check and audit entry. With
  ``django`` the file is streamed from the bucket through the application.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpResponse

SERVE_MODES = ("django", "x-accel-redirect", "x-sendfile")


def _attachment(resp: HttpResponse, filename: str, *, attachment: bool = True) -> HttpResponse:
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    disposition = "attachment" if attachment else "inline"
    if filename:
        disposition += f"; filename*=UTF-8''{quote(filename)}"
    resp["Content-Disposition"] = disposition
    return resp


def audited_download(request, content: bytes, *, filename: str, content_type: str, obj: Model | None = None,
                     object_type: str = "", object_id: str = "", object_repr: str = "", changes=None,
                     purpose: str = "") -> HttpResponse:
    """An export the view has built from data it fetched through the scope, as a download: one ``export``
    audit entry (about ``obj``, or ``object_type``/``object_repr`` for a list), the file name in UTF-8."""
    from .models import AuditAction
    from .services import record

    with transaction.atomic():
        record(actor=request.user, action=AuditAction.EXPORT, obj=obj, object_type=object_type,
               object_id=object_id, object_repr=object_repr, changes=changes, purpose=purpose)
    return _attachment(HttpResponse(content, content_type=content_type), filename)


def serve_private(request, field_file, *, obj: Model, label: str, filename: str = "",
                  attachment: bool = False) -> HttpResponse:
    """The file of ``field_file`` (a FieldFile of a private storage), whose record ``obj`` the view has
    already fetched through the data scope. ``label`` names the file in the audit log (e.g. 走访照片)."""
    from .models import AuditAction  # not at the top: bulkimport (an installed app) imports this module
    from .services import record

    name = field_file.name if field_file else ""
    storage = field_file.storage if field_file else None
    if not name or not storage.exists(name):
        raise Http404("文件不存在")
    with transaction.atomic():
        record(actor=request.user, action=AuditAction.VIEW_PII, obj=obj,
               changes={"file": label}, purpose=f"查看{label}")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    mode = getattr(settings, "PRIVATE_MEDIA_SERVE", "django")
    if mode == "x-accel-redirect":
        resp = HttpResponse(content_type=content_type)
        resp["X-Accel-Redirect"] = settings.PRIVATE_MEDIA_INTERNAL_URL.rstrip("/") + "/" + quote(name)
    elif mode == "redirect" and hasattr(storage, "signed_url"):
        resp = HttpResponse(status=302)
        resp["Location"] = storage.signed_url(name, filename=filename, content_type=content_type,
                                              attachment=attachment)
        resp["Cache-Control"] = "private, no-store"
        resp["Referrer-Policy"] = "no-referrer"
        return resp
    elif mode == "x-sendfile":
        resp = HttpResponse(content_type=content_type)
        resp["X-Sendfile"] = storage.path(name)
    else:  # every stored file is bounded by its upload limit (photos 5 MB, scans 10 MB): read at once
        with storage.open(name, "rb") as fh:
            resp = HttpResponse(fh.read(), content_type=content_type)
    return _attachment(resp, filename, attachment=attachment)
