from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Perm
from accounts.scope import get_in_scope_or_404, has_perm, has_perm_at, scope_filter
from accounts.views import add_errors
from audit.models import AuditAction
from audit.services import record, record_pii_view
from core.imports import XLSX_CONTENT_TYPE
from orgs.models import UNIT_LEVELS, PartyOrg
from orgs.selectors import leading_org
from regions.models import Region, RegionKind

from . import documents, selectors, services
from .forms import (
    BatchTransferForm,
    DecideForm,
    DeedForm,
    DualRequestForm,
    DuesForm,
    FixedDuesForm,
    InflowForm,
    MemberForm,
    OutflowForm,
    PhotoForm,
    RevealForm,
    RulesForm,
    TierFormSet,
    TransferForm,
    UnitDualRequestForm,
    UserLinkForm,
)
from .models import (
    Category,
    Decision,
    DuesBase,
    MemberStatus,
    PartyMember,
    RegistrySettings,
    Transfer,
    TransferBatch,
)
from .perms import MembersPerm as P

MEMBER_FIELDS = ["name", "id_number", "gender", "ethnicity", "mobile", "education", "occupation", "joined_on",
                 "full_member_on", "status", "category", "residence", "address", "employer", "unit_org",
                 "monthly_income"]


def _need(request, perm: str, what: str = "查看党员信息") -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied(f"您没有{what}的权限")


def _file(data: bytes, name: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


def _member_or_404(request, pk, perm=P.VIEW) -> PartyMember:
    return get_in_scope_or_404(PartyMember.objects.select_related("org__region", "residence", "unit_org", "user"),
                               request.user, perm, pk=pk)


def _form_kwargs(user, perm):
    orgs = selectors.orgs_in_scope(user, perm)
    return {
        "orgs": orgs,
        "regions": scope_filter(Region.objects.filter(kind__in=[RegionKind.COMMUNITY, RegionKind.GRID,
                                                                RegionKind.COMPOUND, RegionKind.BUILDING]),
                                user, Perm.TREE_VIEW).order_by("path"),
        "unit_orgs": PartyOrg.objects.filter(level__in=list(UNIT_LEVELS)).order_by("name"),
    }


# --------------------------------------------------------------------------
# Members
# --------------------------------------------------------------------------


@login_required
def member_index(request):
    _need(request, P.VIEW)
    q = request.GET.get("q", "").strip()
    org = request.GET.get("org") or None
    category = request.GET.get("category", "")
    status = request.GET.get("status", "active")
    qs = selectors.member_list(actor=request.user, q=q, org=int(org) if org and org.isdigit() else None,
                               category=category, status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "members/list.html", {
        "page": page, "q": q, "org": org, "category": category, "status": status,
        "orgs": selectors.orgs_in_scope(request.user), "categories": Category.choices,
        "statuses": MemberStatus.choices, "can_edit": has_perm(request.user, P.EDIT),
        "can_import": has_perm(request.user, P.IMPORT), "pending": selectors.pending_counts(request.user),
    })


@login_required
def member_create(request):
    _need(request, P.EDIT, "登记党员")
    form = MemberForm(request.POST or None, **_form_kwargs(request.user, P.EDIT))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            m = services.member_create(actor=request.user, org=d["org"], **{k: d[k] for k in MEMBER_FIELDS})
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已登记党员“{m.name}”")
            return redirect("members:detail", pk=m.pk)
    return render(request, "members/form.html", {"form": form, "title": "登记党员"})


def _edit_page(request, member: PartyMember, *, form: MemberForm | None = None, photo_form: PhotoForm | None = None,
               link_form: UserLinkForm | None = None) -> HttpResponse:
    """The edit page: the member's fields, the photo and the platform account, each card a form of its own
    posting to its own address (`members:edit`, `members:photo_set` / `members:photo_remove`,
    `members:user_link`). A card whose post failed comes back bound, with its errors; the others fresh."""
    if form is None:
        from core.masking import mask_id_number, mask_mobile

        initial = {f: getattr(member, f) for f in MEMBER_FIELDS}
        initial["org"] = member.org
        # Masked as everywhere but the detail page's audited reveal; a masked value posted back keeps the stored one.
        initial["id_number"] = mask_id_number(member.id_number)
        initial["mobile"] = mask_mobile(member.mobile) if member.mobile else ""
        form = MemberForm(initial=initial, editing=True, **_form_kwargs(request.user, P.EDIT))
    if photo_form is None:
        photo_form = PhotoForm()
    if link_form is None:
        link_form = UserLinkForm(initial={"username": member.user.get_username() if member.user_id else ""})
    return render(request, "members/form.html", {"form": form, "title": f"修改党员信息：{member.name}",
                                                 "member": member, "photo_form": photo_form,
                                                 "photo_url": _photo_url(member), "link_form": link_form},
                  status=400 if photo_form.errors or link_form.errors else 200)


@login_required
def member_edit(request, pk):
    """The member's fields (GET shows the whole edit page)."""
    member = _member_or_404(request, pk, P.EDIT)
    if request.method != "POST":
        return _edit_page(request, member)
    initial = {f: getattr(member, f) for f in MEMBER_FIELDS}
    initial["org"] = member.org
    form = MemberForm(request.POST, initial=initial, editing=True, **_form_kwargs(request.user, P.EDIT))
    if form.is_valid():
        d = form.cleaned_data
        data = {k: d[k] for k in MEMBER_FIELDS}
        if "*" in (data["id_number"] or ""):
            data["id_number"] = member.id_number
        if "*" in (data["mobile"] or ""):
            data["mobile"] = member.mobile
        try:
            services.member_update(actor=request.user, member=member, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("members:detail", pk=member.pk)
    return _edit_page(request, member, form=form)


@login_required
@require_POST
def member_photo_set(request, pk):
    """Upload or replace the photo (card 照片 of the edit page)."""
    member = _member_or_404(request, pk, P.EDIT)
    had_photo = bool(member.photo)
    photo_form = PhotoForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            services.member_photo_set(actor=request.user, member=member, photo=photo_form.cleaned_data["photo"])
        except ValidationError as exc:
            add_errors(photo_form, exc)
        else:
            messages.success(request, "已更换照片" if had_photo else "已上传照片")
            return redirect("members:detail", pk=member.pk)
    return _edit_page(request, member, photo_form=photo_form)


@login_required
@require_POST
def member_photo_remove(request, pk):
    member = _member_or_404(request, pk, P.EDIT)
    try:
        services.member_photo_remove(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已删除照片")
    return redirect("members:edit", pk=member.pk)


@login_required
@require_POST
def member_user_link(request, pk):
    """Link the record to a platform account, or unlink it (card 平台账号 of the edit page)."""
    member = _member_or_404(request, pk, P.EDIT)
    link_form = UserLinkForm(request.POST)
    if link_form.is_valid():
        try:
            linked = services.member_user_link(actor=request.user, member=member,
                                               username=link_form.cleaned_data["username"])
        except ValidationError as exc:
            add_errors(link_form, exc)
        else:
            messages.success(request, "已关联平台账号" if linked.user_id else "已取消关联平台账号")
            return redirect("members:edit", pk=member.pk)
    return _edit_page(request, member, link_form=link_form)


@login_required
def member_photo(request, pk):
    """The photo, only through the data scope (never a public media address)."""
    member = _member_or_404(request, pk)
    return _photo_response(member)


def _photo_url(member: PartyMember, name: str = "members:photo") -> str:
    """The scoped photo address (versioned so a replaced photo is not taken from the browser cache)."""
    from django.urls import reverse

    if not member.photo:
        return ""
    args = [member.pk] if name == "members:photo" else []
    return f"{reverse(name, args=args)}?v={int(member.updated_at.timestamp())}"


def _photo_response(member: PartyMember) -> HttpResponse:
    data = services.member_photo_bytes(member)
    if data is None:
        raise Http404("没有照片")
    resp = HttpResponse(data, content_type="image/jpeg")
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Disposition"] = "inline"
    return resp


@login_required
def member_detail(request, pk):
    member = _member_or_404(request, pk)
    path = member.org.region.path
    revealed = False
    reveal_form = RevealForm(request.POST or None) if has_perm_at(request.user, Perm.PII_VIEW_FULL, path) else None
    if request.method == "POST" and request.POST.get("action") == "reveal":
        if reveal_form is None:
            raise PermissionDenied("您没有查看完整个人信息的权限")
        if reveal_form.is_valid():
            with transaction.atomic():
                record_pii_view(actor=request.user, obj=member, fields=["id_number", "mobile"],
                                purpose=reveal_form.cleaned_data["purpose"])
            revealed = True
    deed_form = DeedForm(request.POST if request.POST.get("action") == "deed" else None,
                         initial={"date": timezone.localdate()})
    can_edit = has_perm_at(request.user, P.EDIT, path)
    if request.method == "POST" and request.POST.get("action") == "deed":
        if not can_edit:
            raise PermissionDenied("您没有登记实事的权限")
        if deed_form.is_valid():
            d = deed_form.cleaned_data
            try:
                services.member_deed_record(actor=request.user, member=member, date=d["date"], title=d["title"],
                                            hours=d["hours"] or 0)
            except ValidationError as exc:
                add_errors(deed_form, exc)
            else:
                messages.success(request, "已登记实事")
                return redirect("members:detail", pk=member.pk)
    settings_ = RegistrySettings.current()
    year = timezone.localdate().year
    return render(request, "members/detail.html", {
        "m": member, "revealed": revealed, "reveal_form": reveal_form, "can_edit": can_edit,
        "photo_url": _photo_url(member),
        "can_export": has_perm_at(request.user, P.EXPORT, path), "deed_form": deed_form,
        "events": member.events.select_related("actor")[:50],
        "deeds": member.deeds.all()[:50], "deeds_year": member.deeds.filter(date__year=year).count(),
        "settings": settings_, "dues": member.dues.all()[:24],
        "monthly_dues": services.monthly_dues(member, settings_=settings_),
        "registrations": member.dual_registrations.select_related("community"),
        "transfers": member.transfers.select_related("from_org", "to_org"),
        "mobility": member.mobility.select_related("origin_org", "destination_org"),
        "transfer_form": TransferForm(orgs=PartyOrg.objects.exclude(pk=member.org_id).order_by("name")),
        "dues_form": DuesForm(initial={"month": timezone.localdate().replace(day=1),
                                       "amount": services.monthly_dues(member, settings_=settings_)}),
    })


@login_required
@require_POST
def member_dues_pay(request, pk):
    member = _member_or_404(request, pk, P.EDIT)
    form = DuesForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.dues_pay(actor=request.user, member=member, month=d["month"], amount=d["amount"],
                              paid_on=d["paid_on"])
        except ValidationError as exc:
            messages.error(request, "党费登记失败：" + "；".join(exc.messages))
        else:
            messages.success(request, "已登记党费")
    else:
        messages.error(request, "党费登记失败：" + "；".join(f"{form.fields[k].label}：{v[0]}"
                                                    for k, v in form.errors.items() if k in form.fields))
    return redirect("members:detail", pk=member.pk)


@login_required
@require_POST
def member_transfer(request, pk):
    member = _member_or_404(request, pk, P.EDIT)
    form = TransferForm(request.POST, orgs=PartyOrg.objects.exclude(pk=member.org_id))
    if form.is_valid():
        try:
            services.transfer_request(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "转接申请失败：" + "；".join(exc.messages))
        else:
            messages.success(request, "已提交组织关系转接申请，等待转入党组织确认")
    else:
        messages.error(request, "请选择转入党组织")
    return redirect("members:detail", pk=member.pk)


def _card(request, member: PartyMember, fmt: str, purpose: str = "") -> HttpResponse:
    """The member's registration card as a file, its export audited (with `purpose` when given)."""
    card = documents.member_card(member)
    with transaction.atomic():
        record(actor=request.user, action=AuditAction.EXPORT, obj=member, changes={"file": f"党员登记卡.{fmt}"},
               purpose=purpose)
    if fmt == "pdf":
        return _file(documents.card_pdf(card), f"社区党员登记卡-{member.name}.pdf", "application/pdf")
    return _file(documents.card_docx(card), f"社区党员登记卡-{member.name}.docx",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@login_required
def member_card_docx(request, pk):
    return _card(request, _member_or_404(request, pk, P.EXPORT), "docx")


@login_required
def member_card_pdf(request, pk):
    return _card(request, _member_or_404(request, pk, P.EXPORT), "pdf")


# --------------------------------------------------------------------------
# Roster and organization activity card
# --------------------------------------------------------------------------


def _roster_org(request, perm):
    orgs = selectors.orgs_in_scope(request.user, perm)
    org_id = request.GET.get("org")
    org = None
    if org_id and org_id.isdigit():
        org = orgs.filter(pk=int(org_id)).first()
        if org is None:
            raise Http404("不存在或不在您的管辖范围内")
    return orgs, org


@login_required
def roster(request):
    _need(request, P.VIEW)
    orgs, org = _roster_org(request, P.VIEW)
    members = selectors.member_list(actor=request.user, org=org.pk if org else None).order_by("org_id", "joined_on")
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(request, "members/roster.html", {
        "orgs": orgs.filter(members__isnull=False).distinct(), "org": org, "page": page,
        "rows": documents.roster_rows(page.object_list), "header": documents.ROSTER_HEADER,
        "can_export": has_perm(request.user, P.EXPORT),
        "offset": page.start_index() - 1 if page.object_list else 0,
    })


@login_required
def roster_export(request):
    _need(request, P.EXPORT, "导出党员名册")
    orgs, org = _roster_org(request, P.EXPORT)
    members = selectors.member_list(actor=request.user, org=org.pk if org else None, perm=P.EXPORT)
    members = members.order_by("org_id", "joined_on")
    title = org.name if org else "管辖范围内"
    n = members.count()
    with transaction.atomic():
        record(actor=request.user, action=AuditAction.EXPORT, obj=org, object_type="members.roster",
               object_repr=f"{title}党员一览表", changes={"rows": n})
    return _file(documents.roster_xlsx(title, members), f"{title}党员基本情况一览表.xlsx", XLSX_CONTENT_TYPE)


@login_required
def org_card(request, org_id, fmt):
    _need(request, P.EXPORT, "打印党组织活动登记卡")
    org = get_in_scope_or_404(PartyOrg.objects.select_related("region"), request.user, P.EXPORT, pk=org_id)
    card = documents.org_activity_card(org)
    with transaction.atomic():
        record(actor=request.user, action=AuditAction.EXPORT, obj=org, changes={"file": f"党组织活动登记卡.{fmt}"})
    if fmt == "pdf":
        return _file(documents.card_pdf(card), f"社区党组织活动登记卡-{org.name}.pdf", "application/pdf")
    if fmt == "docx":
        return _file(documents.card_docx(card), f"社区党组织活动登记卡-{org.name}.docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    raise Http404()


# --------------------------------------------------------------------------
# Dual registration
# --------------------------------------------------------------------------


@login_required
def dual_index(request):
    _need(request, P.VIEW)
    status = request.GET.get("status", "")
    regs = selectors.dual_registrations(actor=request.user, status=status)
    page = Paginator(regs, 30).get_page(request.GET.get("page"))
    deeds = selectors.deeds_this_year([r.member_id for r in page.object_list if r.member_id])
    s = RegistrySettings.current()
    rows = []
    for r in page.object_list:
        n = deeds.get(r.member_id, 0) if r.member_id else None
        rows.append((r, n, has_perm_at(request.user, P.CONFIRM, r.community.path)))
    members = selectors.member_list(actor=request.user, category=Category.EMPLOYED, perm=P.EDIT)
    communities = Region.objects.filter(kind=RegionKind.COMMUNITY).order_by("path")
    form = DualRequestForm(request.POST if request.POST.get("action") == "member" else None,
                           members=members, communities=communities)
    unit_form = UnitDualRequestForm(request.POST if request.POST.get("action") == "unit" else None,
                                    unit_orgs=selectors.orgs_in_scope(request.user, P.EDIT).filter(
                                        level__in=list(UNIT_LEVELS)))
    if request.method == "POST":
        _need(request, P.EDIT, "申请报到")
        target = form if request.POST.get("action") == "member" else unit_form
        if target.is_valid():
            d = target.cleaned_data
            try:
                if target is form:
                    services.dual_registration_request(actor=request.user, **d)
                else:
                    services.dual_registration_request(actor=request.user, unit_org=d["unit_org"],
                                                       community=d["unit_org"].region, note=d["note"])
            except ValidationError as exc:
                add_errors(target, exc)
            else:
                messages.success(request, "已提交报到申请，等待社区确认")
                return redirect("members:dual")
    return render(request, "members/dual.html", {
        "rows": rows, "page": page, "status": status, "statuses": Decision.choices, "settings": s,
        "form": form, "unit_form": unit_form, "can_edit": has_perm(request.user, P.EDIT),
        "decide_form": DecideForm(),
    })


@login_required
@require_POST
def dual_decide(request, pk):
    reg = selectors.dual_registrations(actor=request.user).filter(pk=pk).first()
    if reg is None:
        raise Http404("不存在或不在您的管辖范围内")
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.dual_registration_decide(actor=request.user, registration=reg, confirm=confirm,
                                          reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已确认报到" if confirm else "已退回报到申请")
    return redirect("members:dual")


# --------------------------------------------------------------------------
# Mobile members
# --------------------------------------------------------------------------


@login_required
def mobile_index(request):
    _need(request, P.VIEW)
    cutoff = selectors.no_contact_cutoff()
    recs = selectors.mobile_records(actor=request.user)
    flagged = request.GET.get("flag") == "1"
    if flagged:
        recs = recs.filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=cutoff))
    form = OutflowForm(request.POST or None, members=selectors.member_list(actor=request.user, perm=P.EDIT))
    if request.method == "POST":
        _need(request, P.EDIT, "登记流动党员")
        if form.is_valid():
            try:
                services.mobile_outflow_report(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "已登记外出（流出地报告）")
                return redirect("members:mobile")
    page = Paginator(recs, 30).get_page(request.GET.get("page"))
    rows = []
    for r in page.object_list:
        origin = has_perm_at(request.user, P.VIEW, r.origin_org.region.path)
        role = "流出地" if origin else "流入地"
        rows.append((r, role, (r.last_contact_on or date.min) < cutoff))
    return render(request, "members/mobile.html", {
        "rows": rows, "page": page, "form": form, "flagged": flagged, "cutoff": cutoff,
        "months": RegistrySettings.current().mobile_no_contact_months, "can_edit": has_perm(request.user, P.EDIT),
        "inflow_form": InflowForm(orgs=selectors.orgs_in_scope(request.user, P.EDIT)),
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def mobile_inflow(request, pk):
    rec = selectors.mobile_records(actor=request.user).filter(pk=pk).first()
    if rec is None:
        raise Http404("不存在或不在您的管辖范围内")
    form = InflowForm(request.POST, orgs=selectors.orgs_in_scope(request.user, P.EDIT))
    if form.is_valid():
        try:
            services.mobile_inflow_register(actor=request.user, record_=rec, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已登记流入地报到")
    else:
        messages.error(request, "请填写流入地党组织和报到日期")
    return redirect("members:mobile")


@login_required
@require_POST
def mobile_contact(request, pk):
    rec = selectors.mobile_records(actor=request.user).filter(pk=pk).first()
    if rec is None:
        raise Http404("不存在或不在您的管辖范围内")
    try:
        services.mobile_contact_record(actor=request.user, record_=rec, on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已记录与{rec.member.name}的联系")
    return redirect("members:mobile")


# --------------------------------------------------------------------------
# Transfers
# --------------------------------------------------------------------------


@login_required
def transfer_index(request):
    _need(request, P.VIEW)
    status = request.GET.get("status", "pending")
    qs = selectors.transfers(actor=request.user)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [(t, has_perm_at(request.user, P.CONFIRM, t.to_org.region.path)) for t in page.object_list]
    # Batches with pending transfers into organizations the user may confirm: one confirmation per organization.
    batch_rows = []
    pending = (Transfer.objects.filter(status=Decision.PENDING, batch__isnull=False)
               .values("batch_id", "batch__title", "to_org_id", "to_org__name", "to_org__region__path"))
    grouped: dict[tuple, int] = {}
    for p in pending:
        if has_perm_at(request.user, P.CONFIRM, p["to_org__region__path"]):
            key = (p["batch_id"], p["batch__title"], p["to_org_id"], p["to_org__name"])
            grouped[key] = grouped.get(key, 0) + 1
    batch_rows = [(*k, n) for k, n in grouped.items()]
    batch_form = BatchTransferForm(request.POST or None, orgs=selectors.orgs_in_scope(request.user, P.EDIT))
    if request.method == "POST":
        _need(request, P.EDIT, "批量转接")
        if batch_form.is_valid():
            from_org = batch_form.cleaned_data["from_org"]
            retirees = list(PartyMember.objects.filter(org=from_org, category=Category.RETIRED,
                                                       status__in=["probationary", "full"]).select_related("residence"))
            moves, skipped = [], []
            for m in retirees:
                community = _community_of(m.residence)
                to_org = leading_org(community) if community else None
                if to_org is None or to_org.pk == from_org.pk:
                    skipped.append(m.name)
                else:
                    moves.append((m, to_org))
            try:
                batch = services.transfer_batch_create(actor=request.user, title=batch_form.cleaned_data["title"],
                                                       from_org=from_org, moves=moves)
            except ValidationError as exc:
                add_errors(batch_form, exc)
            else:
                msg = f"已发起批量转接“{batch.title}”：{len(moves)} 名退休党员，等待各居住地社区确认"
                if skipped:
                    msg += f"；{len(skipped)} 人未登记居住社区，未纳入：{'、'.join(skipped[:10])}"
                messages.success(request, msg)
                return redirect("members:transfers")
    return render(request, "members/transfers.html", {
        "rows": rows, "page": page, "status": status, "statuses": Decision.choices, "batch_rows": batch_rows,
        "batch_form": batch_form, "can_edit": has_perm(request.user, P.EDIT),
    })


def _community_of(region: Region | None) -> Region | None:
    while region is not None and region.kind != RegionKind.COMMUNITY:
        region = region.parent
    return region


@login_required
@require_POST
def transfer_decide(request, pk):
    t = selectors.transfers(actor=request.user).filter(pk=pk).first()
    if t is None:
        raise Http404("不存在或不在您的管辖范围内")
    confirm = request.POST.get("decision") == "confirm"
    try:
        services.transfer_decide(actor=request.user, transfer=t, confirm=confirm,
                                 reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已确认转入" if confirm else "已退回转接申请")
    return redirect("members:transfers")


@login_required
@require_POST
def batch_confirm(request, pk, org_id):
    batch = TransferBatch.objects.filter(pk=pk).first()
    to_org = get_in_scope_or_404(PartyOrg.objects.select_related("region"), request.user, P.CONFIRM, pk=org_id)
    if batch is None:
        raise Http404()
    try:
        n = services.transfer_batch_confirm(actor=request.user, batch=batch, to_org=to_org)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已确认 {n} 名党员转入“{to_org}”")
    return redirect("members:transfers")


# --------------------------------------------------------------------------
# Dues and statistics
# --------------------------------------------------------------------------


@login_required
def dues_index(request):
    _need(request, P.VIEW)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
    arrears = selectors.arrears(actor=request.user)
    rules = RegistrySettings.current()
    rules_form = None
    if has_perm(request.user, P.RULES):
        fields = list(RulesForm.base_fields)
        rules_form = RulesForm(request.POST or None, initial={f: getattr(rules, f) for f in fields})
        if request.method == "POST" and rules_form.is_valid():
            try:
                services.settings_update(actor=request.user, **rules_form.cleaned_data)
            except ValidationError as exc:
                add_errors(rules_form, exc)
            else:
                messages.success(request, "已保存党员管理规则")
                return redirect("members:dues")
    elif request.method == "POST":
        raise PermissionDenied("您没有修改党员管理规则的权限")
    return render(request, "members/dues.html", {
        "rules_form": rules_form,
        "year": year, "totals": selectors.dues_totals(actor=request.user, year=year), "months": range(1, 13),
        # Members without a recorded income are behind all the same; the flag tells why no amount is computed.
        "arrears": [(m, last, behind, services.dues_income_missing(m)) for m, last, behind in arrears[:200]],
        "arrears_count": len(arrears), "settings": RegistrySettings.current(),
        "tiers": services.dues_tiers(), "can_edit_tiers": has_perm(request.user, P.RULES),
    })


@login_required
def stats(request):
    _need(request, P.VIEW)
    org = request.GET.get("org")
    org_id = int(org) if org and org.isdigit() else None
    data = selectors.statistics(actor=request.user, org=org_id)
    return render(request, "members/stats.html", {"s": data, "orgs": selectors.orgs_in_scope(request.user),
                                                  "org": org_id})


@login_required
def dues_tiers(request):
    """党费标准: the income tiers, the retiree tiers and the fixed amount; edited by holders of members.rules."""
    _need(request, P.VIEW, "查看党费标准")
    can_edit = has_perm(request.user, P.RULES)
    tiers = services.dues_tiers()
    rules = RegistrySettings.current()
    post = request.POST if request.method == "POST" else None
    if post is not None and not can_edit:
        raise PermissionDenied("您没有修改党费标准的权限")

    def initial(base):
        # Bound formsets get no initial: every posted row is then read as posted (a row equal to its
        # initial value would otherwise count as "unchanged" and be dropped when it sits among the extras).
        if post is not None:
            return None
        return [{"lower": t.lower, "upper": t.upper, "rate": t.rate} for t in tiers if t.base == base]

    sets = {
        "income": TierFormSet(post, prefix="income", initial=initial(DuesBase.INCOME)),
        "retiree": TierFormSet(post, prefix="retiree", initial=initial(DuesBase.RETIREE)),
    }
    fixed_form = FixedDuesForm(post, initial={"fixed_amount": rules.student_monthly_dues})
    problems: dict[str, list[str]] = {}
    if post is not None:
        valid = all(fs.is_valid() for fs in sets.values()) & fixed_form.is_valid()
        if valid:
            # A row left blank (or ticked 删除) is dropped; everything else is checked by the service.
            rows = {key: [(cd.get("lower"), cd.get("upper"), cd.get("rate")) for f in fs.forms
                          if (cd := f.cleaned_data) and not cd.get("DELETE")
                          and any(cd.get(k) is not None for k in ("lower", "upper", "rate"))]
                    for key, fs in sets.items()}
            try:
                services.dues_rules_update(actor=request.user, income=rows["income"], retiree=rows["retiree"],
                                           fixed_amount=fixed_form.cleaned_data["fixed_amount"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    problems = {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
                else:
                    problems = {"": exc.messages}
                if "fixed_amount" in problems:
                    fixed_form.add_error("fixed_amount", problems.pop("fixed_amount"))
            else:
                messages.success(request, "已保存党费标准")
                return redirect("members:dues_tiers")
    sections = [(key, DuesBase(base).label, sets[key], problems.get(key, []), [t for t in tiers if t.base == base])
                for key, base in (("income", DuesBase.INCOME), ("retiree", DuesBase.RETIREE))]
    bad = post is not None
    return render(request, "members/dues_tiers.html", {
        "sections": sections, "fixed_form": fixed_form, "problems": problems.get("", []), "can_edit": can_edit,
        "tiers": tiers, "settings": rules,
    }, status=400 if bad else 200)


# --------------------------------------------------------------------------
# 我的档案: a Party member's own record
# --------------------------------------------------------------------------


def _own_member(request) -> PartyMember | None:
    if not request.user.is_authenticated:
        return None
    return (PartyMember.objects.select_related("org__region", "residence", "unit_org")
            .filter(user=request.user).first())


@login_required
def my_record(request):
    """The signed-in Party member's own record, masked; nothing of anyone else."""
    member = _own_member(request)
    if member is None:
        return render(request, "members/me.html", {"m": None})
    today = timezone.localdate()
    settings_ = RegistrySettings.current()
    deeds = list(member.deeds.filter(date__year=today.year))
    registrations = list(member.dual_registrations.select_related("community"))
    return render(request, "members/me.html", {
        "m": member, "today": today, "settings": settings_, "photo_url": _photo_url(member, "members:my_photo"),
        "events": member.events.all()[:50], "dues": member.dues.all()[:24],
        "standing": selectors.dues_standing(member, today=today, settings_=settings_),
        "deeds": deeds, "deeds_year": len(deeds), "deeds_short": max(0, settings_.deed_quota_min - len(deeds)),
        "quota_applies": member.category == Category.EMPLOYED or any(r.status == Decision.CONFIRMED
                                                                     for r in registrations),
        "registrations": registrations,
        "mobility": member.mobility.select_related("origin_org", "destination_org"),
        "transfers": member.transfers.select_related("from_org", "to_org"),
    })


@login_required
def my_card(request, fmt):
    member = _own_member(request)
    if member is None or fmt not in ("pdf", "docx"):
        raise Http404("您的账号尚未关联党员档案")
    return _card(request, member, fmt, purpose="本人打印党员登记卡")


@login_required
def my_photo(request):
    member = _own_member(request)
    if member is None:
        raise Http404("您的账号尚未关联党员档案")
    return _photo_response(member)
