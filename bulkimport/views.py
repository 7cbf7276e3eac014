"""Pages (mounted by each app with import_urls)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from audit.downloads import serve_private

from .files import XLSX_CONTENT_TYPE, template_xlsx
from .importer import FileProblem, Importer
from .jobs import preview_import, run_import, start_import
from .parsers import _setting


def _job_for(request, importer_cls, pk):
    from core.models import ImportJob

    job = ImportJob.objects.filter(pk=pk, kind=importer_cls.kind).select_related("created_by").first()
    if job is None or (job.created_by_id != request.user.pk and not request.user.is_superuser):
        raise Http404("不存在或不是您发起的导入")
    return job


def _check_perm(request, importer_cls):
    # Django's has_perm, answered from the roles by accounts' backend (accounts sits above this app).
    if importer_cls.perm and not request.user.has_perm(importer_cls.perm):
        raise PermissionDenied(f"您没有导入{importer_cls.label}的权限")


def import_urls(importer_cls: type[Importer], *, prefix: str = "import/", name: str = "import",
                back_url_name: str = "", extra_context: Callable[[Any], dict] | None = None) -> list:
    """URL patterns for one importer: upload + job list, template, job result, progress, bad rows.

    Names (inside the including app's namespace): ``<name>``, ``<name>_template``,
    ``<name>_job``, ``<name>_progress``, ``<name>_bad_rows``.
    """
    from core.models import ImportJob, ImportMode, ImportStatus

    def ns(request, suffix=""):
        namespace = request.resolver_match.namespace
        return (f"{namespace}:" if namespace else "") + name + suffix

    @login_required
    def upload(request):
        _check_perm(request, importer_cls)
        problem = ""
        if request.method == "POST":
            upload_file = request.FILES.get("file")
            mode = request.POST.get("mode", ImportMode.ALL_OR_NOTHING)
            if mode not in ImportMode.values:
                mode = ImportMode.ALL_OR_NOTHING
            if upload_file is None:
                problem = "请选择要上传的 .xlsx 文件"
            else:
                try:
                    job = start_import(actor=request.user, importer_cls=importer_cls, upload=upload_file, mode=mode)
                except FileProblem as exc:
                    problem = str(exc)
                else:
                    return redirect(reverse(ns(request, "_job"), args=[job.pk]))
        jobs = ImportJob.objects.filter(kind=importer_cls.kind, created_by=request.user).order_by("-created_at")[:20]
        ctx = {
            "importer": importer_cls, "jobs": jobs, "problem": problem, "modes": ImportMode.choices,
            "template_url": reverse(ns(request, "_template")), "job_url_name": ns(request, "_job"),
            "back_url": reverse(back_url_name) if back_url_name else "",
            "max_mb": _setting("IMPORT_MAX_BYTES", 20 * 1024 * 1024) // 1048576,
            "max_rows": _setting("IMPORT_MAX_ROWS", 100_000),
        }
        if extra_context:
            ctx.update(extra_context(request))
        return render(request, "core/import_upload.html", ctx, status=400 if problem else 200)

    @login_required
    def template(request):
        _check_perm(request, importer_cls)
        resp = HttpResponse(template_xlsx(importer_cls), content_type=XLSX_CONTENT_TYPE)
        from urllib.parse import quote

        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(importer_cls.template_filename())}"
        return resp

    def _guide():
        from .files import column_options, column_rule

        return [{"key": c.key, "header": c.header, "required": c.required, "rule": column_rule(c),
                 "options": column_options(c)} for c in importer_cls.columns]

    def _errors(job):
        """The report's rows, each with the link to its fix."""
        keys = {c.header: c.key for c in importer_cls.columns}
        out = []
        for e in job.errors or []:
            link = importer_cls.fix_link(e)
            if link is None and e.get("column") in keys:
                link = ("看填写要求", f"#col-{keys[e['column']]}")
            out.append({**e, "fix_label": link[0] if link else "", "fix_url": link[1] if link else ""})
        return out

    def _ctx(request, job):
        return {
            "importer": importer_cls, "job": job, "guide": _guide() if job.errors else [],
            "errors": _errors(job),
            "progress_url": reverse(ns(request, "_progress"), args=[job.pk]),
            "bad_rows_url": reverse(ns(request, "_bad_rows"), args=[job.pk]),
            "upload_url": reverse(ns(request)),
            "back_url": reverse(back_url_name) if back_url_name else "",
        }

    def _awaits_confirmation(job) -> bool:
        return importer_cls.previews and job.status == ImportStatus.PENDING

    def _preview(request, job, stale=False):
        rows, changes, digest = preview_import(job)
        bad = [r for r in rows if not r.ok]
        job.errors = [e for r in bad for e in r.errors][:5000]
        ctx = _ctx(request, job)
        ctx.update({
            "changes": changes, "digest": digest, "rows": len(rows), "bad": len(bad), "stale": stale,
            "unchanged": len(rows) - len(bad) - len(changes),
            "can_confirm": bool(changes) and (not bad or job.mode != ImportMode.ALL_OR_NOTHING),
            "confirm_url": reverse(ns(request, "_confirm"), args=[job.pk]),
        })
        return render(request, "core/import_preview.html", ctx)

    @login_required
    def job_detail(request, pk):
        job = _job_for(request, importer_cls, pk)
        if _awaits_confirmation(job):
            _check_perm(request, importer_cls)
            return _preview(request, job)
        return render(request, "core/import_job.html", _ctx(request, job))

    @login_required
    def confirm(request, pk):
        """Apply the changes the user saw: refused (and shown again) when they are no longer what
        the preview showed."""
        job = _job_for(request, importer_cls, pk)
        _check_perm(request, importer_cls)
        if request.method != "POST" or not _awaits_confirmation(job):
            return redirect(reverse(ns(request, "_job"), args=[job.pk]))
        _, _, digest = preview_import(job)
        if request.POST.get("digest") != digest:
            return _preview(request, job, stale=True)
        run_import(job)
        return redirect(reverse(ns(request, "_job"), args=[job.pk]))

    @login_required
    def job_progress(request, pk):
        job = _job_for(request, importer_cls, pk)
        resp = render(request, "core/import_progress.html", _ctx(request, job))
        if job.is_finished:
            resp["HX-Refresh"] = "true"  # show the full result page once done
        return resp

    @login_required
    def bad_rows(request, pk):
        job = _job_for(request, importer_cls, pk)
        if not job.report:
            raise Http404("没有错误报告")
        return serve_private(request, job.report, obj=job, label="导入错误报告", attachment=True,
                             filename=f"{importer_cls.label}导入错误行-{job.pk}.xlsx")

    return [
        path(prefix, upload, name=name),
        path(f"{prefix}template/", template, name=f"{name}_template"),
        path(f"{prefix}jobs/<int:pk>/", job_detail, name=f"{name}_job"),
        path(f"{prefix}jobs/<int:pk>/progress/", job_progress, name=f"{name}_progress"),
        path(f"{prefix}jobs/<int:pk>/confirm/", confirm, name=f"{name}_confirm"),
        path(f"{prefix}jobs/<int:pk>/bad-rows.xlsx", bad_rows, name=f"{name}_bad_rows"),
    ]
