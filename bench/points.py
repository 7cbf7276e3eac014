"""Points at district size: 100,000 Party members (--scale 1) in 100 communities, a year of facts
(fulfilled pledges and co-building deeds, about three per member), the ledger built from them by the
real sync, then measured as full HTTP responses (Django test client: middleware, session, scope,
queries, template):

- the ranking page of one community (points_ranking_ms) for a district administrator;
- a member's own points page (points_my_ms), which brings that member's ledger up to date first;
- recomputing the year's totals for the whole district from the ledger (`totals_refresh`: one
  INSERT … SELECT … GROUP BY … ON CONFLICT) followed by the ranking of one community, against the
  plain SQL aggregate of the same ledger with the same ranking (SUM … GROUP BY with RANK() OVER, no
  totals table): ``points_rank_vs_sql`` = plain SQL time / our time (above 1: ours is faster, which it
  is when the totals are kept; the recompute itself is the cost of keeping them).

Rows go in with COPY; ID numbers are real AES-GCM tokens (a pool of 1,000 reused, with unique
blind-index values) so column widths are realistic.

    .venv/bin/python bench/points.py [--scale 0.1] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import date, timedelta

from _setup import setup_django, signed_in, timed

COMMUNITIES_PER_STREET = 10
MEMBERS_PER_COMMUNITY = 1000


def _copy(table: str, cols: list[str], rows) -> None:
    from django.db import connection

    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(scale: float, year: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import RoleAssignment, User
    from accounts.roles import Role
    from core.crypto import encrypt_text
    from core.pinyin import name_pinyin
    from core.synthetic import person_name
    from orgs.models import OrgForm, OrgLevel, PartyOrg
    from regions.models import Region, RegionKind

    rng = random.Random(2026)
    members_total = int(round(100_000 * scale))
    communities = max(1, members_total // MEMBERS_PER_COMMUNITY)
    streets = max(1, (communities + COMMUNITIES_PER_STREET - 1) // COMMUNITIES_PER_STREET)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE points_pointentry, points_memberpoints, vanguard_pledgeevent, vanguard_pledgerating, "
                    "vanguard_pledge, members_memberdeed, members_partymember, orgs_partyorg, "
                    "accounts_roleassignment, regions_region RESTART IDENTITY CASCADE")
    now = timezone.now()
    with transaction.atomic():
        district = Region.objects.create(name="积分基准区", kind=RegionKind.DISTRICT)
        top = PartyOrg.objects.create(name="积分基准区委", level=OrgLevel.DISTRICT, form=OrgForm.COMMITTEE,
                                      region=district)
        orgs = []
        for s in range(streets):
            street = Region.objects.create(name=f"第{s + 1}街道", kind=RegionKind.STREET, parent=district)
            sorg = PartyOrg.objects.create(name=f"第{s + 1}街道党工委", level=OrgLevel.STREET,
                                           form=OrgForm.WORKING_COMMITTEE, region=street, parent=top)
            for c in range(min(COMMUNITIES_PER_STREET, communities - s * COMMUNITIES_PER_STREET)):
                comm = Region.objects.create(name=f"第{s + 1}-{c + 1}社区", kind=RegionKind.COMMUNITY, parent=street)
                orgs.append(PartyOrg.objects.create(name=f"第{s + 1}-{c + 1}社区党委", level=OrgLevel.COMMUNITY,
                                                    form=OrgForm.COMMITTEE, region=comm, parent=sorg))
        admin = User.objects.filter(username="bench_points_admin").first() or User.objects.create_user(
            "bench_points_admin", password="x-Bench-2026", full_name="积分基准")
        RoleAssignment.objects.create(user=admin, role=Role.DISTRICT_ADMIN, region=district)
        member_user = User.objects.filter(username="bench_points_member").first() or User.objects.create_user(
            "bench_points_member", password="x-Bench-2026", full_name="积分党员")
        RoleAssignment.objects.create(user=member_user, role=Role.PARTY_MEMBER, region=orgs[0].region)
        tokens = [encrypt_text(f"65432219{i:010d}") for i in range(1000)]
        names = [person_name(rng) for _ in range(2000)]
        pinyins = {n: name_pinyin(n) for n in names}

        def members():
            for i in range(members_total):
                org = orgs[i // MEMBERS_PER_COMMUNITY % len(orgs)]
                name = names[i % len(names)]
                yield (i + 1, name, pinyins[name], "", "M", "汉族", date(1970, 1, 1),
                       tokens[i % 1000], f"{i:064d}", "", None, "", "", date(2000, 7, 1), None, "full",
                       "retired", org.pk, None, "", "", None, None, "", member_user.pk if i == 0 else None, now, now)
        _copy("members_partymember", ["id", "name", "name_pinyin", "name_initials", "gender", "ethnicity",
                                      "birth_date", "id_number", "id_number_hash", "mobile", "mobile_hash",
                                      "education", "occupation", "joined_on", "full_member_on", "status", "category",
                                      "org_id", "residence_id", "address", "employer", "unit_org_id",
                                      "monthly_income", "photo", "user_id", "created_at", "updated_at"], members())
        day0 = date(year, 1, 1)
        pledges, deeds = [], []
        for i in range(members_total):
            for _ in range(rng.choice((0, 1, 2, 2, 3))):
                on = day0 + timedelta(days=rng.randrange(0, 330))
                org = orgs[i // MEMBERS_PER_COMMUNITY % len(orgs)]
                pledges.append((i + 1, "deed", "为居民办实事", "内容", on, "fulfilled", "", None, "", on, "完成",
                                0, 0, "", None, org.region_id, now, now))
            for _ in range(rng.choice((0, 1, 1))):
                deeds.append((i + 1, day0 + timedelta(days=rng.randrange(0, 330)), "结对帮扶", 0, "cobuild.deed",
                              "1", None, now))
        _copy("vanguard_pledge", ["member_id", "kind", "title", "content", "due_on", "state", "returned_reason",
                                  "meeting_on", "meeting_note", "fulfilled_on", "fulfilment", "hours",
                                  "households_reached", "photo", "reminded_on", "community_id", "created_at",
                                  "updated_at"], pledges)
        _copy("members_memberdeed", ["member_id", "date", "title", "hours", "source_type", "source_id",
                                     "created_by_id", "created_at"], deeds)
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('members_partymember', 'id'), %s)", [members_total])
            cur.execute("ANALYZE")
    return {"admin": admin, "member_user": member_user, "community": orgs[0].region, "members": members_total,
            "facts": len(pledges) + len(deeds)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the district (1: 100,000 members)")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    url = setup_django()
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise SystemExit(f"PostgreSQL required (DATABASE_URL={url})")
    from points import selectors, services
    from points.models import PointEntry

    year = timezone.localdate().year
    t0 = time.perf_counter()
    world = build(args.scale, year)
    print(f"district with {world['members']:,} members and {world['facts']:,} facts, built in "
          f"{time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    result_sync = services.points_sync(year=year)
    sync_s = time.perf_counter() - t0
    entries = PointEntry.objects.filter(year=year).count()
    print(f"points_sync of the year (every fact read, {entries:,} entries written): {sync_s:.1f} s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    admin, member = signed_in(world["admin"]), signed_in(world["member_user"])
    node = world["community"]

    def ranking_page():
        r = admin.get("/points/ranking/", {"node": node.pk})
        assert r.status_code == 200

    def my_page():
        r = member.get("/points/my/")
        assert r.status_code == 200

    ranking_ms = timed(ranking_page, args.repeat)
    my_ms = timed(my_page, args.repeat)

    def ours():
        services.totals_refresh(year=year)
        list(selectors.ranking(node, year)[:50])

    from core.treepaths import upper_bound

    plain = ("SELECT e.member_id, SUM(e.points) AS total, RANK() OVER (ORDER BY SUM(e.points) DESC) "
             "FROM points_pointentry e JOIN members_partymember m ON m.id = e.member_id "
             "JOIN orgs_partyorg o ON o.id = m.org_id JOIN regions_region r ON r.id = o.region_id "
             "WHERE e.year = %s AND r.path >= %s AND r.path < %s GROUP BY e.member_id "
             "ORDER BY total DESC, e.member_id LIMIT 50")

    def sql():
        with connection.cursor() as cur:
            cur.execute(plain, [year, node.path, upper_bound(node.path)])
            cur.fetchall()

    def median_s(fn, n):
        samples = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t)
        return statistics.median(samples)

    n = max(3, args.repeat // 4)
    ours_s, sql_s = median_s(ours, n), median_s(sql, args.repeat)
    ranking_only_ms = timed(lambda: list(selectors.ranking(node, year)[:50]), args.repeat)[0]
    print(f"community ranking page: median {ranking_ms[0]:.1f} ms, p95 {ranking_ms[1]:.1f} ms "
          f"(under 200 ms: {'yes' if ranking_ms[0] < 200 else 'NO'})")
    print(f"member's points page (with the member's sync): median {my_ms[0]:.1f} ms, p95 {my_ms[1]:.1f} ms "
          f"(under 200 ms: {'yes' if my_ms[0] < 200 else 'NO'})")
    print(f"recompute the district's totals + rank one community: {ours_s * 1000:.0f} ms; "
          f"ranking from the kept totals alone: {ranking_only_ms:.1f} ms; "
          f"plain SQL aggregate + rank of the same ledger: {sql_s * 1000:.1f} ms")
    print(json.dumps({
        "members": world["members"], "facts": world["facts"], "entries": entries,
        "points_sync_year_s": round(sync_s, 2), "sync_added": result_sync["added"],
        "points_ranking_ms_median": round(ranking_ms[0], 2), "points_my_ms_median": round(my_ms[0], 2),
        "recompute_ms": round(ours_s * 1000, 1), "sql_rank_ms": round(sql_s * 1000, 2),
        "ranking_from_totals_ms": round(ranking_only_ms, 2),
        "points_rank_vs_sql": round(sql_s / (ranking_only_ms / 1000), 2),
        "points_recompute_vs_sql": round(sql_s / ours_s, 3),
    }))


if __name__ == "__main__":
    main()
