"""Reads of organizational life within the data scope, and the cadence arithmetic."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.scope import get_in_scope_or_404, has_perm, scope_filter
from members.models import ACTIVE_STATUSES, MobileRecord, PartyMember
from members.selectors import has_own_record
from orgs.models import PartyOrg

from .models import (
    DEFAULT_CADENCES,
    DEFAULT_STAGE_RULES,
    Applicant,
    CadenceFlag,
    CadenceRule,
    Review,
    ReviewEntry,
    Session,
    SessionAttendance,
    SessionKind,
    SessionStatus,
    StageRule,
)
from .rules import P


def own_member(actor) -> PartyMember | None:
    """The Party member record linked to the signed-in account (or None)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    cached = getattr(actor, "_orglife_member", False)
    if cached is False:
        cached = actor._orglife_member = (PartyMember.objects.select_related("org", "org__region")
                                          .filter(user=actor).first())
    return cached


def has_own_member(user) -> bool:
    """Whether the account is linked to a Party member record (the menu's question; one query a request,
    shared with 我的档案; own_member() fetches the record when a page needs it)."""
    cached = getattr(user, "_orglife_member", False)
    if cached is not False:
        return cached is not None
    return bool(getattr(user, "is_authenticated", False)) and has_own_record(user)


# --- cadence rules and periods -------------------------------------------------------------------

def cadence_rules() -> dict[tuple[str, str], CadenceRule]:
    """{(org form, kind): rule}, the seeds' defaults filled in on first use."""
    have = {(r.org_form, r.kind): r for r in CadenceRule.objects.all()}
    missing = [CadenceRule(org_form=f, kind=k, months=m, note=n) for f, k, m, n in DEFAULT_CADENCES
               if (f, k) not in have]
    if missing:
        CadenceRule.objects.bulk_create(missing, ignore_conflicts=True)
        have = {(r.org_form, r.kind): r for r in CadenceRule.objects.all()}
    return have


def rules_for(org_form: str, rules=None) -> list[CadenceRule]:
    rules = rules if rules is not None else cadence_rules()
    return [r for (f, _k), r in rules.items() if f == org_form and r.months]


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    key: str

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.end.month == 12:
            return f"{self.start.year} 年"
        if self.start.month == self.end.month:
            return f"{self.start.year} 年 {self.start.month} 月"
        return f"{self.start.year} 年 {self.start.month}–{self.end.month} 月"


def period_of(d: date, months: int) -> Period:
    idx = (d.month - 1) // months
    start = date(d.year, idx * months + 1, 1)
    end_month = start.month + months
    end = (date(start.year + 1, 1, 1) if end_month > 12 else date(start.year, end_month, 1)) - timedelta(days=1)
    return Period(start, end, f"{d.year}-{months:02d}-{idx + 1:02d}")


def previous_period(today: date, months: int) -> Period:
    return period_of(period_of(today, months).start - timedelta(days=1), months)


def periods_in_year(year: int, months: int, until: date | None = None) -> list[Period]:
    """The complete or current periods of a year (up to `until`)."""
    out, d = [], date(year, 1, 1)
    while d.year == year and (until is None or d <= until):
        p = period_of(d, months)
        out.append(p)
        d = p.end + timedelta(days=1)
    return out


# --- organizations, sessions, members -------------------------------------------------------------

def orgs(actor, perm: str = P.VIEW) -> QuerySet[PartyOrg]:
    return scope_filter(PartyOrg.objects.select_related("region", "parent"), actor, perm)


def _living(qs: QuerySet[PartyOrg]) -> QuerySet[PartyOrg]:
    forms = {f for (f, _k), r in cadence_rules().items() if r.months}
    with_members = PartyMember.objects.filter(status__in=ACTIVE_STATUSES).values("org_id")
    return qs.filter(form__in=forms, pk__in=with_members).order_by("region__path", "name")


def living_orgs(actor, perm: str = P.VIEW) -> QuerySet[PartyOrg]:
    """Organizations of the scope whose form has cadences and that have active members (an
    organization without members holds no organizational life of its own)."""
    return _living(orgs(actor, perm))


def living_orgs_all() -> QuerySet[PartyOrg]:
    return _living(PartyOrg.objects.all())


def sessions(actor, perm: str = P.VIEW) -> QuerySet[Session]:
    return scope_filter(Session.objects.select_related("org", "org__region"), actor, perm)


def session_get(actor, pk, perm: str = P.VIEW) -> Session:
    return get_in_scope_or_404(sessions(actor, perm), actor, perm, pk=pk)


def inflow_records(org: PartyOrg) -> QuerySet[MobileRecord]:
    """Mobile members who flowed into `org` and have not returned."""
    return MobileRecord.objects.filter(destination_org=org, ended_on__isnull=True)


def outflow_member_ids(org: PartyOrg) -> set[int]:
    """The organization's own members who are away (attend online, as a rule)."""
    return set(MobileRecord.objects.filter(origin_org=org, member__org=org, ended_on__isnull=True)
               .values_list("member_id", flat=True))


def eligible_members(org: PartyOrg) -> list[tuple[PartyMember, bool]]:
    """[(member, flowed in)]: the organization's active members, then the mobile members who
    flowed into it (they take part in its organizational life on site)."""
    own = list(PartyMember.objects.filter(org=org, status__in=ACTIVE_STATUSES).order_by("name_pinyin", "id"))
    own_ids = {m.pk for m in own}
    inflow = [r.member for r in inflow_records(org).select_related("member").order_by("member__name_pinyin")
              if r.member_id not in own_ids and r.member.is_active]
    return [(m, False) for m in own] + [(m, True) for m in inflow]


def attendance_rows(session: Session) -> list[SessionAttendance]:
    return list(session.attendances.select_related("member", "member__org").order_by("inflow", "member__name_pinyin"))


def member_attendance(member: PartyMember) -> QuerySet[SessionAttendance]:
    """Every session the member was recorded at, at their own organization or elsewhere."""
    return (SessionAttendance.objects.filter(member=member, session__status=SessionStatus.HELD)
            .select_related("session", "session__org").order_by("-session__date", "-id"))


def can_manage(actor, org: PartyOrg) -> bool:
    from accounts.scope import has_perm_at

    return has_perm_at(actor, P.MANAGE, org.region.path)


# --- cadence status ---------------------------------------------------------------------------------

@dataclass
class KindStatus:
    rule: CadenceRule
    current: Period
    current_done: bool
    missed: Period | None      # the last complete period, when nothing of the kind was held in it
    last_held: date | None

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def label(self) -> str:
        return self.rule.get_kind_display()


@dataclass
class OrgStatus:
    org: PartyOrg
    kinds: list[KindStatus]

    @property
    def missed(self) -> list[KindStatus]:
        return [k for k in self.kinds if k.missed]

    @property
    def due(self) -> list[KindStatus]:
        return [k for k in self.kinds if not k.current_done]


def org_statuses(org_list: list[PartyOrg], today: date | None = None) -> list[OrgStatus]:
    """For each organization and each required kind: held in the current period, and whether the
    last complete period was missed (counted from the organization's founding, when known)."""
    today = today or timezone.localdate()
    rules = cadence_rules()
    held: dict[tuple[int, str], list[date]] = defaultdict(list)
    earliest = today - timedelta(days=400)
    for org_id, kind, d in (Session.objects.filter(org__in=[o.pk for o in org_list], status=SessionStatus.HELD,
                                                   date__gte=earliest)
                            .values_list("org_id", "kind", "date").order_by("date")):
        held[(org_id, kind)].append(d)
    out = []
    for org in org_list:
        kinds = []
        for rule in rules_for(org.form, rules):
            dates = held.get((org.pk, rule.kind), [])
            cur, prev = period_of(today, rule.months), previous_period(today, rule.months)
            started = org.established_on is None or org.established_on <= prev.start
            missed = prev if started and not any(prev.start <= d <= prev.end for d in dates) else None
            kinds.append(KindStatus(rule, cur, any(cur.start <= d <= cur.end for d in dates), missed,
                                    dates[-1] if dates else None))
        if kinds:
            out.append(OrgStatus(org, kinds))
    return out


def flags(actor, perm: str = P.VIEW) -> QuerySet[CadenceFlag]:
    return scope_filter(CadenceFlag.objects.select_related("org", "org__region"), actor, perm)


def visible_to_self(actor) -> bool:
    return has_perm(actor, P.SELF) or has_own_member(actor)


KIND_ORDER = {k: i for i, k in enumerate(SessionKind.values)}


def session_counts(org_ids: list[int], year: int) -> dict[tuple[int, str], int]:
    """{(org id, kind): sessions held in the year}."""
    out: dict[tuple[int, str], int] = defaultdict(int)
    for org_id, kind in (Session.objects.filter(org_id__in=org_ids, status=SessionStatus.HELD, date__year=year)
                         .values_list("org_id", "kind")):
        out[(org_id, kind)] += 1
    return out


def search_q(text: str) -> Q:
    return Q(topic__icontains=text) | Q(org__name__icontains=text)


# --- 发展党员 -----------------------------------------------------------------------------------------

def stage_rules() -> dict[str, StageRule]:
    have = {r.stage: r for r in StageRule.objects.all()}
    missing = [StageRule(stage=s, min_months=m, documents="\n".join(d), note=n) for s, m, d, n in DEFAULT_STAGE_RULES
               if s not in have]
    if missing:
        StageRule.objects.bulk_create(missing, ignore_conflicts=True)
        have = {r.stage: r for r in StageRule.objects.all()}
    return have


def applicants(actor, perm: str = P.VIEW) -> QuerySet[Applicant]:
    return scope_filter(Applicant.objects.select_related("org", "org__region", "member"), actor, perm)


def applicant_get(actor, pk, perm: str = P.VIEW) -> Applicant:
    return get_in_scope_or_404(applicants(actor, perm), actor, perm, pk=pk)


def stage_counts(qs) -> dict[str, int]:
    from django.db.models import Count

    return {r["stage"]: r["n"] for r in qs.order_by().values("stage").annotate(n=Count("id"))}


def pipeline_orgs(actor, perm: str = P.MANAGE) -> QuerySet[PartyOrg]:
    """Organizations that may develop members: branches, general branches and committees at and below
    the community (not the county or a town's committee)."""
    return orgs(actor, perm).exclude(level__in=["district", "street"]).exclude(form="group").order_by(
        "region__path", "name")


# --- 民主评议党员 -------------------------------------------------------------------------------------

def reviews(actor, perm: str = P.VIEW) -> QuerySet[Review]:
    return scope_filter(Review.objects.select_related("org", "org__region"), actor, perm)


def review_get(actor, pk, perm: str = P.VIEW) -> Review:
    return get_in_scope_or_404(reviews(actor, perm), actor, perm, pk=pk)


def review_entries(review: Review) -> list[ReviewEntry]:
    return list(review.entries.select_related("member").order_by("member__name_pinyin", "id"))


def own_review_entries(member: PartyMember) -> QuerySet[ReviewEntry]:
    return ReviewEntry.objects.filter(member=member).select_related("review", "review__org").order_by(
        "-review__year")


# --- 关爱党员 -----------------------------------------------------------------------------------------

QUIET_DAYS = 90  # a mobile member nobody has been in touch with for three months is shown in red

def care_visits(actor, perm: str = P.VIEW):
    from .models import CareVisit

    return scope_filter(CareVisit.objects.select_related("org", "org__region", "member"), actor, perm)


def care_members(actor, perm: str = P.MANAGE) -> QuerySet[PartyMember]:
    """Active members of the scope (the people a visit, a grant or a pairing may name)."""
    return scope_filter(PartyMember.objects.filter(status__in=ACTIVE_STATUSES).select_related("org"),
                        actor, perm, "org__region__path").order_by("name_pinyin", "id")


def fund_orgs(actor, perm: str = P.VIEW) -> QuerySet[PartyOrg]:
    """The community organizations of the scope (each keeps its own 党员互助金)."""
    return orgs(actor, perm).filter(level="community").order_by("region__path", "name")


def fund_entries(actor, perm: str = P.VIEW):
    from .models import FundEntry

    return scope_filter(FundEntry.objects.select_related("org", "org__region", "member"), actor, perm)


def fund_balances(org_list) -> dict[int, object]:
    """{org id: balance after its last entry} (organizations without entries are absent)."""
    from django.db.models import Max

    from .models import FundEntry

    last = FundEntry.objects.filter(org__in=org_list).values("org_id").annotate(last=Max("id")).values("last")
    return dict(FundEntry.objects.filter(pk__in=last).values_list("org_id", "balance"))


def mobile_records(actor, perm: str = P.VIEW) -> QuerySet[MobileRecord]:
    """Open mobile records whose outflow organization is in the scope (the side that pairs them)."""
    return scope_filter(MobileRecord.objects.filter(ended_on__isnull=True)
                        .select_related("member", "origin_org", "origin_org__region", "destination_org"),
                        actor, perm, "origin_org__region__path").order_by("origin_org__region__path", "left_on")


def pairs(actor, perm: str = P.VIEW):
    from .models import MobilePair

    return scope_filter(MobilePair.objects.select_related(
        "record", "record__member", "record__origin_org", "record__origin_org__region", "record__destination_org",
        "contact"), actor, perm)


def pair_get(actor, pk, perm: str = P.VIEW):
    return get_in_scope_or_404(pairs(actor, perm), actor, perm, pk=pk)


def open_pairs_by_record(record_ids) -> dict:
    from .models import MobilePair

    return {p.record_id: p for p in MobilePair.objects.filter(record_id__in=list(record_ids), ended_on__isnull=True)
            .select_related("contact")}
