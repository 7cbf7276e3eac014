"""Reads of the member registry that depend on who asks (the data scope applies)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from accounts.scope import scope_filter, scope_q
from orgs.models import PartyOrg

from .models import (
    ACTIVE_STATUSES,
    Category,
    Decision,
    DualRegistration,
    DuesPayment,
    MemberDeed,
    MobileRecord,
    PartyMember,
    RegistrySettings,
    Transfer,
)
from .perms import MembersPerm
from .services import id_hash

_ID_RE = re.compile(r"^[0-9]{17}[0-9Xx]$")
_ASCII_RE = re.compile(r"^[A-Za-z]+$")


def member_list(*, actor, q: str = "", org: int | None = None, category: str = "", status: str = "active",
                perm: str = MembersPerm.VIEW) -> QuerySet[PartyMember]:
    """Members in scope; `q` is a name, pinyin initials (zs), full pinyin (zhangsan) or an exact ID number."""
    qs = scope_filter(PartyMember.objects.select_related("org", "residence"), actor, perm)
    q = (q or "").strip()
    if q:
        if _ID_RE.match(q):
            qs = qs.filter(id_number_hash=id_hash(q.upper()))
        elif _ASCII_RE.match(q):
            low = q.lower()
            qs = qs.filter(Q(name_initials__startswith=low) | Q(name_pinyin__startswith=low))
        else:
            qs = qs.filter(name__contains=q)
    if org:
        qs = qs.filter(org_id=org)
    if category:
        qs = qs.filter(category=category)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs


def unregistered_employed(actor, *, year: int | None = None) -> QuerySet[PartyMember]:
    """Employed members of the scope who have not registered with a residence community this year
    (no pending or confirmed 双报到): the secretary's list to remind."""
    year = year or timezone.localdate().year
    done = DualRegistration.objects.filter(status__in=[Decision.PENDING, Decision.CONFIRMED], member__isnull=False,
                                           requested_at__year=year).values("member_id")
    return member_list(actor=actor, category=Category.EMPLOYED).exclude(pk__in=done).order_by("org__name", "name")


def orgs_in_scope(actor, perm: str = MembersPerm.VIEW) -> QuerySet[PartyOrg]:
    return scope_filter(PartyOrg.objects.select_related("region"), actor, perm)


def dual_registrations(*, actor, status: str = "") -> QuerySet[DualRegistration]:
    """The community sees who registered with it; the sending organization sees its own requests."""
    q = _either(actor, "community__path", "member__org__region__path")
    unit_q = scope_q(actor, MembersPerm.VIEW, "unit_org__region__path")
    if q and unit_q is not None:
        q |= unit_q
    qs = DualRegistration.objects.select_related("member__org", "unit_org", "community").filter(q)
    return qs.filter(status=status) if status else qs


def deed_quota() -> tuple[int, int]:
    """The one deed rule for in-service members registered with their home community (双报到):
    at least `min` deeds a year, at most `max` counted. Stored once, in `RegistrySettings` (edited on
    the dues page); co-building's member lines, the workbench and the member's own page read it here."""
    s = RegistrySettings.current()
    return s.deed_quota_min, s.deed_quota_max


def deeds_this_year(member_ids: list[int], year: int | None = None) -> dict[int, int]:
    year = year or timezone.localdate().year
    rows = (MemberDeed.objects.filter(member_id__in=member_ids, date__year=year)
            .values("member_id").annotate(n=Count("id")))
    return {r["member_id"]: r["n"] for r in rows}


def _either(actor, a: str, b: str) -> Q:
    qa, qb = scope_q(actor, MembersPerm.VIEW, a), scope_q(actor, MembersPerm.VIEW, b)
    if qa is None or qb is None:
        return Q()
    return qa | qb


def mobile_records(*, actor, active_only: bool = True) -> QuerySet[MobileRecord]:
    """Both the origin and the destination organization see a mobile member."""
    qs = MobileRecord.objects.select_related("member", "origin_org", "destination_org").filter(
        _either(actor, "origin_org__region__path", "destination_org__region__path"))
    return qs.filter(ended_on__isnull=True) if active_only else qs


def no_contact_cutoff(today: date | None = None) -> date:
    today = today or timezone.localdate()
    months = RegistrySettings.current().mobile_no_contact_months
    y, m = today.year, today.month - months
    while m <= 0:
        y, m = y - 1, m + 12
    return date(y, m, min(today.day, 28))


def transfers(*, actor) -> QuerySet[Transfer]:
    return Transfer.objects.select_related("member", "from_org", "to_org", "batch").filter(
        _either(actor, "from_org__region__path", "to_org__region__path"))


def _month_add(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


ARREARS_LOOKBACK_MONTHS = 24  # a member who never paid is counted back to joining, at most this far


def _arrears_start(last_paid: date | None, joined_on: date, this_month: date) -> date:
    """The month arrears are counted from: the last paid month, or (never paid) the month of joining,
    at most ARREARS_LOOKBACK_MONTHS back."""
    return last_paid or max(joined_on.replace(day=1), _month_add(this_month, -ARREARS_LOOKBACK_MONTHS))


def _months_behind(last_paid: date | None, joined_on: date, this_month: date) -> int:
    """欠缴月数: the unpaid months before the current one (which is not due yet) — after the last paid
    month, or (never paid) from `_arrears_start` on. The same count 我的档案 lists month by month."""
    start = _arrears_start(last_paid, joined_on, this_month)
    if last_paid:
        start = _month_add(start, 1)
    return max(0, (this_month.year - start.year) * 12 + this_month.month - start.month)


def arrears(*, actor, today: date | None = None) -> list[tuple[PartyMember, date | None, int]]:
    """Active members whose last paid month is at least `arrears_months` behind (or never paid)."""
    today = today or timezone.localdate()
    months = RegistrySettings.current().arrears_months
    this_month = today.replace(day=1)
    limit = _month_add(this_month, -months - 1)  # paid for this month or later: fewer unpaid months
    qs = (member_list(actor=actor).annotate(last_paid=Max("dues__month"))
          .filter(Q(last_paid__isnull=True) | Q(last_paid__lte=limit)).order_by("org_id", "name_pinyin"))
    out = []
    for m in qs:
        behind = _months_behind(m.last_paid, m.joined_on, this_month)
        if behind >= months:
            out.append((m, m.last_paid, behind))
    return out


@dataclass(frozen=True)
class DuesStanding:
    """A member's dues as 我的档案 shows them, on the arrears report's definition (`arrears`)."""

    monthly: Decimal | None      # the monthly amount under the tiers; None when the income is unknown
    income_missing: bool         # no income on record for a member who pays by income: monthly and
                                 # owed_amount cannot be computed (the months behind still count)
    year_total: Decimal          # paid for months of the current year
    last_paid: date | None       # the latest month paid for
    owed: list[date]             # unpaid months after `last_paid` (never paid: since joining, at most
                                 # 24 months back), up to last month; earlier gaps are not counted
    owed_amount: Decimal | None  # monthly × len(owed)
    behind: int                  # 欠缴月数 exactly as the arrears report counts it
    in_arrears: bool             # behind ≥ arrears_months: the member is on the staff's arrears report
    this_month_open: bool        # the current month is not paid yet


def dues_standing(member: PartyMember, *, today: date | None = None,
                  settings_: RegistrySettings | None = None) -> DuesStanding:
    """The member's own dues position (for 我的档案: the caller has already resolved the member)."""
    from .services import dues_income_missing, monthly_dues

    today = today or timezone.localdate()
    settings_ = settings_ or RegistrySettings.current()
    this_month = today.replace(day=1)
    agg = member.dues.aggregate(last_paid=Max("month"), year_total=Sum("amount", filter=Q(month__year=today.year)),
                                this_month_paid=Count("id", filter=Q(month=this_month)))
    last_paid = agg["last_paid"]
    monthly = monthly_dues(member, settings_=settings_)
    owed: list[date] = []
    behind = 0
    if member.is_active and member.joined_on <= today:
        start = _arrears_start(last_paid, member.joined_on, this_month)
        month = _month_add(start, 1) if last_paid else start
        while month < this_month:
            owed.append(month)
            month = _month_add(month, 1)
        behind = _months_behind(last_paid, member.joined_on, this_month)
    return DuesStanding(
        monthly=monthly,
        income_missing=dues_income_missing(member),
        year_total=(agg["year_total"] or Decimal("0")).quantize(Decimal("0.01")),
        last_paid=last_paid,
        owed=owed,
        owed_amount=monthly * len(owed) if monthly is not None else None,
        behind=behind,
        in_arrears=member.is_active and behind >= settings_.arrears_months,
        this_month_open=member.is_active and member.joined_on <= today and not agg["this_month_paid"],
    )


def dues_totals(*, actor, year: int) -> list[dict]:
    """Totals per organization per month for a year."""
    qs = (scope_filter(DuesPayment.objects.all(), actor, MembersPerm.VIEW).filter(month__year=year)
          .values("org__name", "month").annotate(total=Sum("amount"), n=Count("id")).order_by("org__name", "month"))
    table: dict[str, dict] = defaultdict(lambda: {"months": [None] * 12, "total": 0, "n": 0})
    cent = Decimal("0.01")
    for r in qs:
        row = table[r["org__name"]]
        amount = Decimal(r["total"] or 0).quantize(cent)  # SQLite sums decimals as floats
        row["months"][r["month"].month - 1] = (row["months"][r["month"].month - 1] or 0) + amount
        row["total"] += amount
        row["n"] += r["n"]
    return [{"org": k, **v, "total": Decimal(v["total"]).quantize(cent)} for k, v in table.items()]


AGE_BANDS = [(0, 35, "35岁以下"), (35, 45, "35-45岁"), (45, 55, "45-55岁"), (55, 65, "55-65岁"), (65, 200, "65岁以上")]
YEAR_BANDS = [(0, 5, "5年以下"), (5, 10, "5-10年"), (10, 20, "10-20年"), (20, 30, "20-30年"), (30, 200, "30年以上")]


def statistics(*, actor, today: date | None = None, org: int | None = None) -> dict:
    today = today or timezone.localdate()
    qs = member_list(actor=actor, org=org)
    rows = list(qs.values_list("gender", "category", "education", "ethnicity", "birth_date", "joined_on"))
    n = len(rows)
    gender, category, education, ethnicity = Counter(), Counter(), Counter(), Counter()
    ages, years = Counter(), Counter()
    age_total = 0
    for g, c, e, eth, born, joined in rows:
        gender[g] += 1
        category[c] += 1
        education[e or ""] += 1
        ethnicity[eth] += 1
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        age_total += age
        ages[next(label for lo, hi, label in AGE_BANDS if lo <= age < hi)] += 1
        yrs = today.year - joined.year
        years[next(label for lo, hi, label in YEAR_BANDS if lo <= yrs < hi)] += 1
    from .models import Education, Gender

    # Growth: members on the books at the end of each of the last years (by join date).
    growth = []
    joins = Counter(j.year for *_, j in rows)
    running = sum(v for y, v in joins.items() if y <= today.year - 5)
    for y in range(today.year - 4, today.year + 1):
        running += joins.get(y, 0)
        growth.append((str(y), running))
    return {
        "total": n,
        "average_age": round(age_total / n, 1) if n else None,
        "gender": [(Gender(k).label, v) for k, v in gender.most_common()],
        "category": [(Category(k).label, category.get(k, 0)) for k in Category.values],
        "education": [(Education(k).label if k else "未填写", v) for k, v in education.most_common()],
        "ethnicity": ethnicity.most_common(),
        "age": [(label, ages.get(label, 0)) for *_, label in AGE_BANDS],
        "years": [(label, years.get(label, 0)) for *_, label in YEAR_BANDS],
        "growth": growth,
    }


def pending_counts(actor) -> dict[str, int]:
    return {
        "dual": dual_registrations(actor=actor, status=Decision.PENDING).count(),
        "transfers": transfers(actor=actor).filter(status=Decision.PENDING).count(),
    }


def node_member_counts(nodes) -> dict[int, tuple[str, int]]:
    """Tree counter: active members held by the organizations under each node (one query)."""
    from core.treepaths import under

    if not nodes:
        return {}
    agg = PartyMember.objects.filter(status__in=ACTIVE_STATUSES).aggregate(**{
        f"n{n.pk}": Count("id", filter=under("org__region__path", n.path))
        for n in nodes
    })
    return {n.pk: ("党员", agg[f"n{n.pk}"]) for n in nodes if agg[f"n{n.pk}"]}


def own_record_name(user) -> str | None:
    """The name on the member record linked to an account, if any (whatever its roles)."""
    return PartyMember.objects.filter(user_id=user.pk).values_list("name", flat=True).first()


def has_own_record(user) -> bool:
    """Whether an account is linked to a member record (shows 我的档案 without the 党员 role)."""
    cached = getattr(user, "_has_member_record", None)
    if cached is None:
        cached = user._has_member_record = PartyMember.objects.filter(user_id=user.pk).exists()
    return cached


def deed_facts(year: int, member_ids=None):
    """Co-building deeds (实事 recorded by co-building) of a year, as facts for the points ledger:
    (fact, id, member id, quantity, day, label)."""
    qs = MemberDeed.objects.filter(date__year=year, source_type__startswith="cobuild")
    if member_ids is not None:
        qs = qs.filter(member_id__in=member_ids)
    for pk, member_id, day, title in qs.values_list("pk", "member_id", "date", "title").iterator():
        yield ("deed", pk, member_id, Decimal(1), day, f"共驻共建实事：{title}"[:200])
