import io
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from . import readable
from .downloads import audited_download
from .models import AuditAction
from .selectors import audit_entries

MAX_EXPORT_ROWS = 100_000


def _parse_date(value: str):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request):
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "action": request.GET.get("action", ""),
        "date_from": _parse_date(request.GET.get("date_from", "")),
        "date_to": _parse_date(request.GET.get("date_to", "")),
        "object_type": request.GET.get("object_type", "").strip()[:100],
        "object_id": request.GET.get("object_id", "").strip()[:64],
    }


@login_required
def entry_list(request):
    filters = _filters(request)
    qs = audit_entries(actor=request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(e, readable.type_label(e.object_type), readable.changes_of(e)) for e in page]
    return render(request, "audit/list.html", {
        "page": page, "rows": rows, "actions": AuditAction.choices, **filters,
        "object_types": readable.object_types(),
        "raw": {k: request.GET.get(k, "") for k in ("q", "action", "date_from", "date_to", "object_type",
                                                     "object_id")},
    })


@login_required
def entry_export(request):
    import xlsxwriter

    filters = _filters(request)
    qs = audit_entries(actor=request.user, **filters)[:MAX_EXPORT_ROWS]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("审计日志")
    head = wb.add_format({"bold": True, "bg_color": "#F2F2F2"})
    headers = ["时间", "操作人", "操作", "对象类型", "对象ID", "对象", "变更内容", "查看事由", "IP 地址"]
    ws.write_row(0, 0, headers, head)
    labels = dict(AuditAction.choices)
    n = 0
    for n, e in enumerate(qs.iterator(chunk_size=2000), start=1):
        ws.write_row(n, 0, [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, labels.get(e.action, e.action),
            readable.type_label(e.object_type), e.object_id, e.object_repr,
            "；".join(f"{c.label}：{c.before} → {c.after}" if c.before is not None else f"{c.label}：{c.after}"
                     for c in readable.changes_of(e)),
            e.purpose, e.ip or "",
        ])
    ws.set_column(0, 0, 20)
    ws.set_column(5, 6, 40)
    ws.autofilter(0, 0, max(n, 1), len(headers) - 1)
    wb.close()
    return audited_download(
        request, buf.getvalue(), filename=f"audit-{timezone.localdate():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        object_type="audit.auditentry", object_repr=f"审计日志导出 {n} 条",
        changes={"filters": {k: str(v) for k, v in filters.items() if v}})


@login_required
def chain_check(request):
    """The audit admin's look at the hash chain (the newest entries; the daily command checks all)."""
    from .selectors import chain_report

    latest = 10_000
    return render(request, "audit/verify.html", {"report": chain_report(actor=request.user, latest=latest),
                                                 "latest": latest})
