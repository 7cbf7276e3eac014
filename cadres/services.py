"""Every write of the community workforce: `<entity>_<verb>(*, actor, ...)`, one transaction, audited,
Chinese messages naming the field and the reason, nothing saved half-way."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.scope import has_perm, has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.idnumber import parse_id_number
from core.phone import normalize_mobile, validate_mobile
from members.models import Education, Gender, PartyMember
from regions.models import Region, RegionKind

from . import selectors
from .models import (
    Appraisal,
    Attendance,
    Award,
    Cadre,
    CadreStatus,
    Certificate,
    Contract,
    Course,
    CourseKind,
    Employment,
    Movement,
    MovementKind,
    Position,
    Rating,
    Track,
    TrackKind,
    TrackNote,
)
from .rules import P

MAX_ALLOWANCE = Decimal("100000")  # a month's allowance beyond 10 万元 is a typing error
PERSONAL = {"id_number": "id_number", "mobile": "mobile"}
CADRE_FIELDS = ["name", "gender", "birth_date", "id_number", "mobile", "education", "member", "region", "position",
                "one_shoulder", "two_committees", "branch_committee", "employment", "monthly_allowance", "joined_on",
                "status", "left_on", "note"]


# --- checks -----------------------------------------------------------------------------------

def today() -> date:
    return timezone.localdate()


def text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    """Free text is kept as typed (pages escape it when they show it); empty and over-long are refused."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}不能为空"})
    if len(value) > max_len:
        raise ValidationError({field: f"{label}不能超过 {max_len} 个字"})
    return value


def number(value, field: str, label: str, *, places: str = "0.01", allow_zero: bool = True,
           maximum: Decimal | None = None, unit: str = "") -> Decimal:
    try:
        n = Decimal(str(value)).quantize(Decimal(places))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: f"{label}应为数字"}) from None
    if not n.is_finite():
        raise ValidationError({field: f"{label}应为数字"})
    if n < 0:
        raise ValidationError({field: f"{label}不能小于 0"})
    if n == 0 and not allow_zero:
        raise ValidationError({field: f"{label}应大于 0"})
    if maximum is not None and n > maximum:
        raise ValidationError({field: f"{label}不能超过 {maximum:,.0f}{unit}，请核对"})
    return n


def past_date(value, field: str, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: f"请填写{label}"})
    if value > today():
        raise ValidationError({field: f"{label}不能晚于今天（{today():%Y-%m-%d}）"})
    if value.year < 1940:
        raise ValidationError({field: f"{label}（{value:%Y-%m-%d}）过早，请核对"})
    return value


def a_date(value, field: str, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationError({field: f"请填写{label}"})
    if not 1950 <= value.year <= today().year + 10:
        raise ValidationError({field: f"{label}（{value:%Y-%m-%d}）超出合理范围，请核对"})
    return value


def choice(value, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: f"请选择{label}"})
    return value


def collect(*checks) -> dict:
    """Run (field, callable) checks; raise one ValidationError naming every bad field."""
    errors, out = {}, {}
    for name, check in checks:
        try:
            out[name] = check()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors.update(exc.message_dict)
            else:
                errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return out


def _community(region, field: str = "region") -> Region:
    if not isinstance(region, Region) or region.kind != RegionKind.COMMUNITY:
        raise ValidationError({field: "请选择社区"})
    return region


def _require(actor, perm: str, region: Region, what: str) -> None:
    if not has_perm_at(actor, perm, region.path):
        raise ValidationError(f"您没有{what}“{region.name}”社区工作者的权限")


def _id_number(value, birth_date) -> tuple[str, str]:
    raw = (value or "").strip()
    if not raw:
        raise ValidationError({"id_number": "身份证号不能为空"})
    try:
        info = parse_id_number(raw)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    if isinstance(birth_date, date) and info.birth_date != birth_date:
        raise ValidationError({"id_number": f"身份证号中的出生日期（{info.birth_date:%Y-%m-%d}）"
                                            "与填写的出生日期不一致"})
    return info.number, info.gender


def _mobile(value) -> str:
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        validate_mobile(raw)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.messages}) from None
    return normalize_mobile(raw)


def _audit(actor, action, obj, before, fields) -> None:
    record(actor=actor, action=action, obj=obj, changes=diff(before, snapshot(obj, fields), personal=PERSONAL))


def _position_label(position: str, one_shoulder: bool) -> str:
    label = Position(position).label
    return f"{label}、居委会主任" if one_shoulder else label


def _one_shoulder(position: str, one_shoulder: bool) -> bool:
    if one_shoulder and position != Position.SECRETARY:
        raise ValidationError({"one_shoulder": "只有党组织书记才能兼任居委会主任（“一肩挑”）"})
    return bool(one_shoulder)


# --- the roster -------------------------------------------------------------------------------

@transaction.atomic
def cadre_create(*, actor, region, name: str, gender: str, birth_date, id_number: str, education: str,
                 position: str, employment: str, joined_on, mobile: str = "", one_shoulder: bool = False,
                 two_committees: bool = False, branch_committee: bool = False, monthly_allowance=0,
                 note: str = "", contract_start=None, contract_end=None, document: str = "") -> Cadre:
    """Record a person joining a community's workforce (入职): the roster entry, the dated joining record and,
    when given, the first contract. A Party member's record with the same ID number is linked."""
    _community(region)
    _require(actor, P.MANAGE, region, "登记")
    d = collect(
        ("name", lambda: text(name, "name", "姓名", max_len=50)),
        ("gender", lambda: choice(gender, Gender, "gender", "性别")),
        ("birth_date", lambda: past_date(birth_date, "birth_date", "出生日期")),
        ("education", lambda: choice(education, Education, "education", "学历")),
        ("position", lambda: choice(position, Position, "position", "职务")),
        ("employment", lambda: choice(employment, Employment, "employment", "身份类别")),
        ("joined_on", lambda: past_date(joined_on, "joined_on", "到社区工作时间")),
        ("mobile", lambda: _mobile(mobile)),
        ("monthly_allowance", lambda: number(monthly_allowance, "monthly_allowance", "月补贴（元）",
                                             maximum=MAX_ALLOWANCE, unit=" 元")),
        ("note", lambda: text(note, "note", "备注", max_len=300, required=False)),
        ("document", lambda: text(document, "document", "任职文号", max_len=60, required=False)),
    )
    errors = {}
    try:
        number_, id_gender = _id_number(id_number, birth_date if isinstance(birth_date, date) else None)
        if d["gender"] != id_gender:
            errors["gender"] = ["性别与身份证号不一致"]
    except ValidationError as exc:
        errors.update(exc.message_dict)
        number_ = None
    try:
        d["one_shoulder"] = _one_shoulder(d["position"], one_shoulder)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if isinstance(birth_date, date) and birth_date <= today():
        age = today().year - birth_date.year - ((today().month, today().day) < (birth_date.month, birth_date.day))
        if not 16 <= age <= 75:
            errors["birth_date"] = [f"出生日期对应年龄 {age} 岁，不在 16 至 75 岁之间，请核对"]
    if number_:
        h = Cadre._meta.get_field("id_number").blind_index_for(number_)
        same = Cadre.objects.filter(id_number_hash=h).select_related("region").first()
        if same is not None:
            if same.status == CadreStatus.ACTIVE and same.region_id == region.pk:
                errors["id_number"] = [f"该人员（{same.name}）已在{region.name}的名册中，不能重复登记"]
            elif same.status == CadreStatus.ACTIVE:
                errors["id_number"] = [f"该人员（{same.name}）已在{same.region.name}的名册中，请办理调动"]
            else:
                errors["id_number"] = [f"该人员（{same.name}）曾在{same.region.name}工作，已离职，"
                                       "请在其记录上办理重新入职"]
    contract = None
    if contract_start or contract_end:
        try:
            contract = _contract_dates(contract_start, contract_end)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    member = None
    if number_:
        member = PartyMember.objects.filter(
            id_number_hash=PartyMember._meta.get_field("id_number").blind_index_for(number_)).first()
    cadre = Cadre.objects.create(
        name=d["name"], gender=d["gender"], birth_date=birth_date, id_number=number_, mobile=d["mobile"],
        education=d["education"], member=member, region=region, position=d["position"],
        one_shoulder=d["one_shoulder"], two_committees=bool(two_committees), branch_committee=bool(branch_committee),
        employment=d["employment"], monthly_allowance=d["monthly_allowance"], joined_on=d["joined_on"], note=d["note"],
    )
    _audit(actor, AuditAction.CREATE, cadre, {}, CADRE_FIELDS)
    Movement.objects.create(cadre=cadre, kind=MovementKind.JOIN, date=d["joined_on"], to_region=region,
                            position_after=cadre.position_label, document=d["document"], recorded_by=actor)
    if contract:
        Contract.objects.create(cadre=cadre, start=contract[0], end=contract[1], employer=f"{region.parent.name}"
                                if region.parent_id else "")
    return cadre


@transaction.atomic
def cadre_update(*, actor, cadre: Cadre, mobile: str, education: str, monthly_allowance, two_committees: bool,
                 branch_committee: bool, note: str = "") -> Cadre:
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    _require(actor, P.MANAGE, cadre.region, "修改")
    d = collect(
        ("mobile", lambda: _mobile(mobile)),
        ("education", lambda: choice(education, Education, "education", "学历")),
        ("monthly_allowance", lambda: number(monthly_allowance, "monthly_allowance", "月补贴（元）",
                                             maximum=MAX_ALLOWANCE, unit=" 元")),
        ("note", lambda: text(note, "note", "备注", max_len=300, required=False)),
    )
    fields = ["mobile", "education", "monthly_allowance", "two_committees", "branch_committee", "note"]
    before = snapshot(cadre, fields)
    cadre.mobile, cadre.education, cadre.monthly_allowance = d["mobile"], d["education"], d["monthly_allowance"]
    cadre.two_committees, cadre.branch_committee, cadre.note = bool(two_committees), bool(branch_committee), d["note"]
    cadre.save()
    _audit(actor, AuditAction.UPDATE, cadre, before, fields)
    return cadre


def _active(cadre: Cadre) -> None:
    if cadre.status != CadreStatus.ACTIVE:
        raise ValidationError(f"{cadre.name}已离职，请先办理重新入职")


def _movement_date(value, cadre: Cadre) -> date:
    d = past_date(value, "date", "日期")
    last = cadre.movements.order_by("-date").values_list("date", flat=True).first()
    if last and d < last:
        raise ValidationError({"date": f"日期不能早于上一次任职变动（{last:%Y-%m-%d}）"})
    return d


@transaction.atomic
def cadre_appoint(*, actor, cadre: Cadre, position: str, date, one_shoulder: bool = False,
                  two_committees: bool | None = None, branch_committee: bool | None = None, document: str = "",
                  note: str = "") -> Movement:
    """An appointment (任职): the new position from a date, kept as a dated record."""
    cadre = Cadre.objects.select_for_update().select_related("region").get(pk=cadre.pk)
    _require(actor, P.MANAGE, cadre.region, "任免")
    _active(cadre)
    d = collect(
        ("position", lambda: choice(position, Position, "position", "职务")),
        ("date", lambda: _movement_date(date, cadre)),
        ("document", lambda: text(document, "document", "任职文号", max_len=60, required=False)),
        ("note", lambda: text(note, "note", "说明", max_len=300, required=False)),
    )
    shoulder = collect(("one_shoulder", lambda: _one_shoulder(d["position"], one_shoulder)))["one_shoulder"]
    fields = ["position", "one_shoulder", "two_committees", "branch_committee"]
    before = snapshot(cadre, fields)
    old_label = cadre.position_label
    cadre.position, cadre.one_shoulder = d["position"], shoulder
    if two_committees is not None:
        cadre.two_committees = bool(two_committees)
    if branch_committee is not None:
        cadre.branch_committee = bool(branch_committee)
    if before == snapshot(cadre, fields):
        raise ValidationError({"position": "职务没有变化"})
    cadre.save()
    _audit(actor, AuditAction.UPDATE, cadre, before, fields)
    return Movement.objects.create(cadre=cadre, kind=MovementKind.APPOINT, date=d["date"], from_region=cadre.region,
                                   to_region=cadre.region, position_before=old_label,
                                   position_after=cadre.position_label, document=d["document"], note=d["note"],
                                   recorded_by=actor)


@transaction.atomic
def cadre_transfer(*, actor, cadre: Cadre, to_region, date, position: str = "", document: str = "",
                   note: str = "") -> Movement:
    """A transfer to another community (调动): both ends must be in the actor's scope."""
    cadre = Cadre.objects.select_for_update().select_related("region").get(pk=cadre.pk)
    _require(actor, P.MANAGE, cadre.region, "调动")
    _active(cadre)
    _community(to_region, "to_region")
    if to_region.pk == cadre.region_id:
        raise ValidationError({"to_region": "调入社区与现所在社区相同"})
    if not has_perm_at(actor, P.MANAGE, to_region.path):
        raise ValidationError({"to_region": f"您没有向“{to_region.name}”调入人员的权限"})
    d = collect(
        ("date", lambda: _movement_date(date, cadre)),
        ("position", lambda: choice(position, Position, "position", "职务") if position else cadre.position),
        ("document", lambda: text(document, "document", "调动文号", max_len=60, required=False)),
        ("note", lambda: text(note, "note", "说明", max_len=300, required=False)),
    )
    fields = ["region", "position", "one_shoulder"]
    before = snapshot(cadre, fields)
    old_region, old_label = cadre.region, cadre.position_label
    cadre.region = to_region
    if d["position"] != cadre.position:
        cadre.position, cadre.one_shoulder = d["position"], False
    cadre.save()
    _audit(actor, AuditAction.UPDATE, cadre, before, fields)
    return Movement.objects.create(cadre=cadre, kind=MovementKind.TRANSFER, date=d["date"], from_region=old_region,
                                   to_region=to_region, position_before=old_label,
                                   position_after=cadre.position_label, document=d["document"], note=d["note"],
                                   recorded_by=actor)


@transaction.atomic
def cadre_leave(*, actor, cadre: Cadre, date, note: str = "") -> Movement:
    cadre = Cadre.objects.select_for_update().select_related("region").get(pk=cadre.pk)
    _require(actor, P.MANAGE, cadre.region, "办理离职")
    _active(cadre)
    d = collect(("date", lambda: _movement_date(date, cadre)),
                ("note", lambda: text(note, "note", "离职原因", max_len=300)))
    fields = ["status", "left_on"]
    before = snapshot(cadre, fields)
    cadre.status, cadre.left_on = CadreStatus.LEFT, d["date"]
    cadre.save()
    _audit(actor, AuditAction.UPDATE, cadre, before, fields)
    return Movement.objects.create(cadre=cadre, kind=MovementKind.LEAVE, date=d["date"], from_region=cadre.region,
                                   position_before=cadre.position_label, note=d["note"], recorded_by=actor)


@transaction.atomic
def cadre_rejoin(*, actor, cadre: Cadre, region, date, position: str, employment: str, note: str = "") -> Movement:
    cadre = Cadre.objects.select_for_update().select_related("region").get(pk=cadre.pk)
    _require(actor, P.MANAGE, cadre.region, "办理重新入职")
    if cadre.status == CadreStatus.ACTIVE:
        raise ValidationError(f"{cadre.name}在岗，不需要重新入职")
    _community(region)
    if not has_perm_at(actor, P.MANAGE, region.path):
        raise ValidationError({"region": f"您没有向“{region.name}”登记人员的权限"})
    d = collect(
        ("date", lambda: _movement_date(date, cadre)),
        ("position", lambda: choice(position, Position, "position", "职务")),
        ("employment", lambda: choice(employment, Employment, "employment", "身份类别")),
        ("note", lambda: text(note, "note", "说明", max_len=300, required=False)),
    )
    fields = ["region", "position", "employment", "status", "left_on", "joined_on"]
    before = snapshot(cadre, fields)
    old_region = cadre.region
    cadre.region, cadre.position, cadre.one_shoulder, cadre.employment = region, d["position"], False, d["employment"]
    cadre.status, cadre.left_on, cadre.joined_on = CadreStatus.ACTIVE, None, d["date"]
    cadre.save()
    _audit(actor, AuditAction.UPDATE, cadre, before, fields)
    return Movement.objects.create(cadre=cadre, kind=MovementKind.REJOIN, date=d["date"], from_region=old_region,
                                   to_region=region, position_after=cadre.position_label, note=d["note"],
                                   recorded_by=actor)


# --- contracts, certificates, appraisals, awards ------------------------------------------------

def _contract_dates(start, end) -> tuple[date, date]:
    d = collect(("contract_start", lambda: a_date(start, "contract_start", "合同起始日期")))
    s = d["contract_start"]
    if end in (None, ""):
        # 一聘三年: three years less a day.
        try:
            e = s.replace(year=s.year + 3) - timedelta(days=1)
        except ValueError:  # 29 February
            e = s.replace(year=s.year + 3, day=28)
    else:
        e = collect(("contract_end", lambda: a_date(end, "contract_end", "合同终止日期")))["contract_end"]
    if e < s:
        raise ValidationError({"contract_end": f"合同终止日期（{e:%Y-%m-%d}）不能早于起始日期（{s:%Y-%m-%d}）"})
    return s, e


@transaction.atomic
def contract_add(*, actor, cadre: Cadre, start, end=None, employer: str = "", note: str = "") -> Contract:
    _require(actor, P.MANAGE, cadre.region, "登记合同")
    s, e = _contract_dates(start, end)
    d = collect(("employer", lambda: text(employer, "employer", "聘用单位", max_len=100, required=False)),
                ("note", lambda: text(note, "note", "说明", max_len=200, required=False)))
    overlap = cadre.contracts.filter(start__lte=e, end__gte=s).first()
    if overlap:
        raise ValidationError({"contract_start": f"与已有合同（{overlap}）的期限重叠"})
    c = Contract.objects.create(cadre=cadre, start=s, end=e, employer=d["employer"], note=d["note"])
    _audit(actor, AuditAction.CREATE, c, {}, ["cadre", "start", "end", "employer"])
    return c


@transaction.atomic
def certificate_add(*, actor, cadre: Cadre, name: str, issued_on, number: str = "", valid_until=None) -> Certificate:
    _require(actor, P.MANAGE, cadre.region, "登记证书")
    d = collect(("cert_name", lambda: text(name, "cert_name", "证书名称", max_len=60)),
                ("issued_on", lambda: past_date(issued_on, "issued_on", "取得日期")),
                ("number", lambda: text(number, "number", "证书编号", max_len=40, required=False)))
    if valid_until is not None and isinstance(d["issued_on"], date) and valid_until < d["issued_on"]:
        raise ValidationError({"valid_until": "有效期不能早于取得日期"})
    c = Certificate.objects.create(cadre=cadre, name=d["cert_name"], number=d["number"], issued_on=d["issued_on"],
                                   valid_until=valid_until)
    _audit(actor, AuditAction.CREATE, c, {}, ["cadre", "name", "issued_on", "valid_until"])
    return c


@transaction.atomic
def appraisal_set(*, actor, cadre: Cadre, year: int, rating: str, note: str = "") -> Appraisal:
    _require(actor, P.MANAGE, cadre.region, "登记考核")
    d = collect(("rating", lambda: choice(rating, Rating, "rating", "考核等次")),
                ("note", lambda: text(note, "note", "评语", max_len=300, required=False)))
    if not isinstance(year, int) or not cadre.joined_on.year <= year <= today().year:
        raise ValidationError({"year": f"考核年度应在 {cadre.joined_on.year} 至 {today().year} 年之间"})
    a = Appraisal.objects.filter(cadre=cadre, year=year).first()
    before = snapshot(a, ["rating", "note"]) if a else {}
    if a is None:
        a = Appraisal.objects.create(cadre=cadre, year=year, rating=d["rating"], note=d["note"])
    else:
        a.rating, a.note = d["rating"], d["note"]
        a.save()
    _audit(actor, AuditAction.UPDATE if before else AuditAction.CREATE, a, before, ["cadre", "year", "rating", "note"])
    return a


@transaction.atomic
def award_add(*, actor, cadre: Cadre, title: str, date, issuer: str) -> Award:
    _require(actor, P.MANAGE, cadre.region, "登记表彰")
    d = collect(("title", lambda: text(title, "title", "荣誉名称", max_len=100)),
                ("award_date", lambda: past_date(date, "award_date", "授予日期")),
                ("issuer", lambda: text(issuer, "issuer", "授予单位", max_len=100)))
    a = Award.objects.create(cadre=cadre, title=d["title"], date=d["award_date"], issuer=d["issuer"])
    _audit(actor, AuditAction.CREATE, a, {}, ["cadre", "title", "date", "issuer"])
    return a


# --- reserve and selected cadres ----------------------------------------------------------------

@transaction.atomic
def track_open(*, actor, cadre: Cadre, kind: str, since, origin: str, until=None, note: str = "") -> Track:
    _require(actor, P.MANAGE, cadre.region, "登记后备或选派干部")
    _active(cadre)
    d = collect(("kind", lambda: choice(kind, TrackKind, "kind", "类别")),
                ("since", lambda: past_date(since, "since", "起始日期")),
                ("origin", lambda: text(origin, "origin", "选派单位 / 培养方向", max_len=100)),
                ("note", lambda: text(note, "note", "说明", max_len=300, required=False)))
    if until is not None and until < d["since"]:
        raise ValidationError({"until": f"截止日期（{until:%Y-%m-%d}）不能早于起始日期（{d['since']:%Y-%m-%d}）"})
    if cadre.tracks.filter(kind=d["kind"], until__isnull=True).exists() or cadre.tracks.filter(
            kind=d["kind"], until__gte=today()).exists():
        raise ValidationError({"kind": f"{cadre.name}已是{TrackKind(d['kind']).label}"})
    t = Track.objects.create(cadre=cadre, kind=d["kind"], since=d["since"], until=until, origin=d["origin"],
                             note=d["note"])
    _audit(actor, AuditAction.CREATE, t, {}, ["cadre", "kind", "since", "until", "origin"])
    return t


@transaction.atomic
def track_note_add(*, actor, track: Track, date, text_: str) -> TrackNote:
    _require(actor, P.MANAGE, track.cadre.region, "记录跟踪情况")
    d = collect(("date", lambda: past_date(date, "date", "日期")),
                ("text", lambda: text(text_, "text", "跟踪记录", max_len=500)))
    if d["date"] < track.since:
        raise ValidationError({"date": f"日期不能早于起始日期（{track.since:%Y-%m-%d}）"})
    n = TrackNote.objects.create(track=track, date=d["date"], text=d["text"], recorded_by=actor)
    _audit(actor, AuditAction.CREATE, n, {}, ["track", "date", "text"])
    return n


# --- training -----------------------------------------------------------------------------------

@transaction.atomic
def course_create(*, actor, region, title: str, kind: str, organizer: str, start, end, days, hours=0) -> Course:
    if not isinstance(region, Region) or region.kind not in (RegionKind.DISTRICT, RegionKind.STREET,
                                                             RegionKind.COMMUNITY):
        raise ValidationError({"region": "请选择举办层级（县、街道（镇）或社区）"})
    if not has_perm_at(actor, P.MANAGE, region.path):
        raise ValidationError({"region": f"您没有在“{region.name}”登记培训班的权限"})
    d = collect(("title", lambda: text(title, "title", "培训名称", max_len=120)),
                ("kind", lambda: choice(kind, CourseKind, "kind", "培训类别")),
                ("organizer", lambda: text(organizer, "organizer", "举办单位", max_len=100)),
                ("start", lambda: a_date(start, "start", "开始日期")),
                ("end", lambda: a_date(end, "end", "结束日期")),
                ("days", lambda: number(days, "days", "培训天数", places="0.1", allow_zero=False,
                                        maximum=Decimal(366), unit=" 天")),
                ("hours", lambda: number(hours or 0, "hours", "学时", places="0.1", maximum=Decimal(3000),
                                         unit=" 学时")))
    if d["end"] < d["start"]:
        raise ValidationError({"end": f"结束日期（{d['end']:%Y-%m-%d}）不能早于开始日期（{d['start']:%Y-%m-%d}）"})
    span = (d["end"] - d["start"]).days + 1
    if d["days"] > span:
        raise ValidationError({"days": f"培训天数（{d['days']:.1f}）不能超过开始至结束的 {span} 天"})
    c = Course.objects.create(region=region, title=d["title"], kind=d["kind"], organizer=d["organizer"],
                              start=d["start"], end=d["end"], days=d["days"], hours=d["hours"], created_by=actor)
    _audit(actor, AuditAction.CREATE, c, {}, ["title", "kind", "region", "organizer", "start", "end", "days", "hours"])
    return c


@transaction.atomic
def attendance_record(*, actor, course: Course, cadre: Cadre, days=None, hours=None, passed: bool = True
                      ) -> Attendance:
    """A cadre's attendance of a course (the course's days and hours unless fewer were attended)."""
    if not isinstance(cadre, Cadre):
        raise ValidationError({"cadre": "请选择参训人员"})
    if not has_perm_at(actor, P.MANAGE, cadre.region.path):
        raise ValidationError({"cadre": f"您没有登记“{cadre.region.name}”人员参训的权限"})
    if cadre.status != CadreStatus.ACTIVE:
        raise ValidationError({"cadre": f"{cadre.name}已离职"})
    if course.start > today():
        raise ValidationError({"course": f"培训班尚未开始（{course.start:%Y-%m-%d} 开始），开始后再登记参训"})
    d = collect(("days", lambda: number(course.days if days in (None, "") else days, "days", "参训天数",
                                        places="0.1", allow_zero=False, maximum=course.days, unit=" 天")),
                ("hours", lambda: number(course.hours if hours in (None, "") else hours, "hours", "学时",
                                         places="0.1", maximum=max(course.hours, Decimal(0)), unit=" 学时")))
    if Attendance.objects.filter(course=course, cadre=cadre).exists():
        raise ValidationError({"cadre": f"{cadre.name}的参训已登记"})
    a = Attendance.objects.create(course=course, cadre=cadre, days=d["days"], hours=d["hours"], passed=bool(passed),
                                  recorded_by=actor)
    _audit(actor, AuditAction.CREATE, a, {}, ["course", "cadre", "days", "hours", "passed"])
    return a


# --- rules --------------------------------------------------------------------------------------

@transaction.atomic
def quotas_update(*, actor, values: dict[str, dict]) -> None:
    """The staffing quota of each community type: all or none."""
    if not has_perm(actor, P.RULES):
        raise ValidationError("只有区委组织部管理员可以修改人员配备标准")
    current = selectors.quotas()
    labels = selectors.type_labels()
    names = {"min_admin": "国家行政编制", "min_career": "事业编制", "min_welfare": "公益性岗位",
             "min_staff": "工作人员", "residents_per_grid_worker": "每名网格员服务居民数"}
    errors, clean = {}, {}
    for ctype, fields in values.items():
        if ctype not in current:
            raise ValidationError("没有这类社区的配备标准，请刷新后重试")
        for key, value in fields.items():
            if key not in names:
                continue
            label = f"{labels.get(ctype, ctype)}的{names[key]}"
            top = 100000 if key == "residents_per_grid_worker" else 200
            try:
                n = int(value)
            except (TypeError, ValueError):
                errors[f"{ctype}_{key}"] = [f"{label}应为整数"]
                continue
            low = 1 if key == "residents_per_grid_worker" else 0
            if n < low or n > top:
                errors[f"{ctype}_{key}"] = [f"{label}应在 {low} 至 {top} 之间"]
                continue
            clean.setdefault(ctype, {})[key] = n
    if errors:
        raise ValidationError(errors)
    for ctype, fields in clean.items():
        q = current[ctype]
        before = snapshot(q, list(fields))
        for k, v in fields.items():
            setattr(q, k, v)
        if before != snapshot(q, list(fields)):
            q.save()
            _audit(actor, AuditAction.UPDATE, q, before, list(fields))


@transaction.atomic
def minimums_update(*, actor, values: dict[str, dict]) -> None:
    if not has_perm(actor, P.RULES):
        raise ValidationError("只有区委组织部管理员可以修改年度培训要求")
    current = {m.kind: m for m in selectors.minimums()}
    errors, clean = {}, {}
    for kind, fields in values.items():
        if kind not in current:
            raise ValidationError("没有这类培训要求，请刷新后重试")
        label = CourseKind(kind).label
        try:
            sessions = int(fields.get("min_sessions"))
            if not 0 <= sessions <= 50:
                raise ValueError
        except (TypeError, ValueError):
            errors[f"{kind}_min_sessions"] = [f"{label}每年次数应为 0 至 50 的整数"]
            sessions = None
        try:
            days = number(fields.get("min_days"), f"{kind}_min_days", f"{label}每年天数", places="0.1",
                          maximum=Decimal(366), unit=" 天")
        except ValidationError as exc:
            errors.update(exc.message_dict)
            days = None
        if sessions is not None and days is not None:
            clean[kind] = (sessions, days)
    if errors:
        raise ValidationError(errors)
    for kind, (sessions, days) in clean.items():
        m = current[kind]
        before = snapshot(m, ["min_sessions", "min_days"])
        m.min_sessions, m.min_days = sessions, days
        if before != snapshot(m, ["min_sessions", "min_days"]):
            m.save()
            _audit(actor, AuditAction.UPDATE, m, before, ["min_sessions", "min_days"])
