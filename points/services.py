"""The points ledger's writes. `points_sync` reads the facts of a year from the domains' selectors and
brings the ledger in line: a new fact earns an entry (its rule's points, within the rule's yearly cap), a
fact that disappeared (a withdrawn pledge, hours set back to 0, a deleted contact) gets a reversing entry.
Entries are never changed; the yearly totals follow in the same transaction."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from members import selectors as member_selectors
from vanguard import selectors as vanguard_selectors

from .models import DEFAULT_RULES, Fact, MemberPoints, PointEntry, PointRule


def rules() -> dict[str, PointRule]:
    if not PointRule.objects.exists():
        PointRule.objects.bulk_create([PointRule(fact=f, points=p, yearly_cap=c) for f, p, c in DEFAULT_RULES],
                                      ignore_conflicts=True)
    return {r.fact: r for r in PointRule.objects.filter(active=True)}


def facts(year: int, member_ids=None):
    yield from vanguard_selectors.point_facts(year, member_ids)
    yield from member_selectors.deed_facts(year, member_ids)


def _points(rule: PointRule, quantity: Decimal) -> int:
    return int((Decimal(rule.points) * Decimal(quantity)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@transaction.atomic
def points_sync(*, year: int, member_ids=None) -> dict[str, int]:
    """Bring the ledger of `year` (for some members, or all) in line with the recorded facts."""
    rule_of = rules()
    found = {}
    for fact, fact_id, member_id, quantity, on, label in facts(year, member_ids):
        found[(fact, fact_id)] = (member_id, quantity, on, label)
    standing = PointEntry.objects.filter(year=year, reverses__isnull=True, reversed_by__isnull=True)
    if member_ids is not None:
        standing = standing.filter(member_id__in=member_ids)
    standing = {(e.fact, e.fact_id): e for e in standing.select_for_update(of=("self",))}
    used: dict[tuple[int, str], int] = defaultdict(int)
    reversals = []
    for key, e in standing.items():
        if key in found:
            used[(e.member_id, e.fact)] += e.points
        else:
            reversals.append(PointEntry(member_id=e.member_id, year=year, fact=e.fact, fact_id=e.fact_id,
                                        points=-e.points, label=f"冲销：{e.label}"[:200], on=e.on, reverses=e))
    new = []
    for (fact, fact_id), (member_id, quantity, on, label) in sorted(found.items(), key=lambda kv: (kv[1][2], kv[0])):
        rule = rule_of.get(fact)
        if (fact, fact_id) in standing or rule is None:
            continue
        pts = _points(rule, quantity)
        if rule.yearly_cap:
            pts = min(pts, rule.yearly_cap - used[(member_id, fact)])
        if pts <= 0:
            continue
        used[(member_id, fact)] += pts
        new.append(PointEntry(member_id=member_id, year=year, fact=fact, fact_id=fact_id, points=pts, label=label,
                              on=on))
    PointEntry.objects.bulk_create(reversals + new, batch_size=5000)
    affected = {e.member_id for e in reversals + new}
    if affected:
        totals_refresh(year=year, member_ids=affected)
    return {"added": len(new), "reversed": len(reversals)}


def totals_refresh(*, year: int, member_ids=None) -> None:
    """Yearly totals from the ledger (for some members, or the whole deployment): one INSERT … SELECT …
    GROUP BY … ON CONFLICT DO UPDATE per chunk, the same statement on PostgreSQL and SQLite."""
    from django.db import connection
    from django.utils import timezone

    entry, total = PointEntry._meta.db_table, MemberPoints._meta.db_table
    sql = (f"INSERT INTO {total} (member_id, year, total, updated_at) "
           f"SELECT member_id, %s, SUM(points), %s FROM {entry} WHERE year = %s {{members}} GROUP BY member_id "
           f"ON CONFLICT (member_id, year) DO UPDATE SET total = excluded.total, updated_at = excluded.updated_at")
    now = timezone.now()
    with connection.cursor() as cur:
        if member_ids is None:
            cur.execute(sql.format(members=""), [year, now, year])
            return
        ids = sorted(member_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            cur.execute(sql.format(members=f"AND member_id IN ({', '.join(['%s'] * len(chunk))})"),
                        [year, now, year, *chunk])


@transaction.atomic
def points_award(*, fact: str, fact_id: int, year: int) -> PointEntry | None:
    """Points for one recorded fact (the sync does this for every fact). A fact that was undone or never
    recorded is refused: points always link to evidence that still stands."""
    if fact not in Fact.values:
        raise ValidationError({"fact": "事实类型不正确"})
    match = [f for f in facts(year) if f[0] == fact and f[1] == fact_id]
    if not match:
        raise ValidationError({"fact": f"该{Fact(fact).label}记录不存在或已撤销，不能计分"})
    member_id = match[0][2]
    if PointEntry.objects.filter(fact=fact, fact_id=fact_id, reverses__isnull=True,
                                 reversed_by__isnull=True).exists():
        raise ValidationError({"fact": "该记录已经计分，不能重复计分"})
    points_sync(year=year, member_ids=[member_id])
    return PointEntry.objects.filter(fact=fact, fact_id=fact_id, reverses__isnull=True,
                                     reversed_by__isnull=True).first()
