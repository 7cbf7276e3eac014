"""Member pages: the list, create, edit, photo, account link, detail, dues, transfer, the card."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.roles import Perm
from accounts.scope import has_perm, has_perm_at, require_perm
from audit.services import record_pii_view
from core.forms import add_errors, flash_errors
from orgs.models import PartyOrg

from .. import selectors, services
from ..forms import (
    DeedForm,
    DuesForm,
    MemberForm,
    PhotoForm,
    RevealForm,
    TransferForm,
    UserLinkForm,
)
from ..models import (
    Category,
    MemberStatus,
    PartyMember,
    RegistrySettings,
)
from ..perms import MembersPerm as P
from .common import MEMBER_FIELDS, _card, _form_kwargs, _member_or_404, _photo_response, _photo_url


@login_required
def member_index(request):
    require_perm(request.user, P.VIEW, what="查看党员信息")
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
    require_perm(request.user, P.EDIT, what="登记党员")
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
        flash_errors(request, exc)
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
    return _photo_response(request, member)


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


@login_required
def member_card_docx(request, pk):
    return _card(request, _member_or_404(request, pk, P.EXPORT), "docx")


@login_required
def member_card_pdf(request, pk):
    return _card(request, _member_or_404(request, pk, P.EXPORT), "pdf")
