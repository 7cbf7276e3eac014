"""简报: the list, generating a draft, editing, issuing, reading (the receipt) and the documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.scope import has_perm
from accounts.views import add_errors
from audit.downloads import audited_download
from regions.models import Region

from .. import briefings as svc
from ..forms import BriefingEditForm, BriefingNewForm
from ..models import BriefingStatus
from ..selectors.leader import dashboard_nodes


def _need(request):
    if not has_perm(request.user, svc.BRIEF_READ):
        raise PermissionDenied("简报供区、街道、社区的党组织和工作人员使用，您的角色没有查看权限")


def _brief_nodes(user) -> list[Region]:
    """Nodes the user may issue briefings for: their scope roots of kind district, street or community."""
    return [n for n in dashboard_nodes(user) if n.kind in svc.CHILD_KIND and svc.has_perm_at(user, svc.BRIEF, n.path)]


@login_required
def briefing_list(request):
    _need(request)
    nodes = _brief_nodes(request.user)
    form = BriefingNewForm(request.POST or None, nodes=nodes) if nodes else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("您没有编发简报的权限")
        if form.is_valid():
            region = next(n for n in nodes if str(n.pk) == form.cleaned_data["region"])
            try:
                b = svc.briefing_generate(actor=request.user, region=region, kind=form.cleaned_data["kind"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已从台帐生成简报草稿，请核对修改后下发")
                return redirect("briefing", pk=b.pk)
    page = Paginator(svc.briefings(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "dashboards/briefings.html", {"page": page, "form": form},
                  status=400 if form is not None and form.errors else 200)


@login_required
def briefing_detail(request, pk: int):
    _need(request)
    b = svc.briefing_get(request.user, pk)
    editable = svc.can_edit(request.user, b) and b.status == BriefingStatus.DRAFT
    form = BriefingEditForm(request.POST or None, initial={"title": b.title, "body": b.body}) if editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("简报已下发或您没有修改权限")
        if form.is_valid():
            try:
                svc.briefing_update(actor=request.user, briefing=b, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect("briefing", pk=b.pk)
    mine = svc.my_receipts(request.user, b)
    return render(request, "dashboards/briefing.html", {
        "b": b, "form": form, "can_issue": editable, "receipts": b.receipts.select_related("region", "read_by")
        if svc.can_edit(request.user, b) else [], "to_sign": [r for r in mine if r.read_at is None], "mine": mine,
    }, status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def briefing_issue(request, pk: int):
    _need(request)
    b = svc.briefing_get(request.user, pk)
    try:
        n = svc.briefing_issue(actor=request.user, briefing=b)
        messages.success(request, f"已下发至 {n} 个下级单位")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("briefing", pk=b.pk)


@login_required
@require_POST
def briefing_read(request, pk: int):
    _need(request)
    b = svc.briefing_get(request.user, pk)
    if svc.briefing_read(actor=request.user, briefing=b):
        messages.success(request, "已签收（阅读回执已送达编发单位）")
    return redirect("briefing", pk=b.pk)


@login_required
def briefing_file(request, pk: int, fmt: str):
    _need(request)
    b = svc.briefing_get(request.user, pk)
    if fmt == "docx":
        data = svc.briefing_docx(b)
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        data = svc.briefing_pdf(b)
        ctype = "application/pdf"
    return audited_download(request, data, filename=f"{b.title}.{fmt}", content_type=ctype, obj=b,
                            changes={"format": fmt})
