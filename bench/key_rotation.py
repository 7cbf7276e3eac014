"""Benchmark of `manage.py rotate_field_keys` on PostgreSQL: rows a second re-encrypted and re-hashed.

Fills the member table with --scale × 50,000 synthetic members (two encrypted fields with blind
indexes each) under one key, then rotates them to a new key in the same mode and to 国密 (SM4-GCM +
HMAC-SM3), in batches of 1,000 rows with compare-and-set updates. The peer is a plain full-table
UPDATE that rewrites the same two encrypted columns and their hashes from values computed beforehand
(what the rotation costs the database when the crypto is free). Ratios: peer time over ours.
The last line is one JSON object.

Usage: python bench/key_rotation.py [--scale 0.2]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

from _setup import setup_django


def fill(n: int) -> None:
    from django.db import connection

    from core.idnumber import synthetic_id_number
    from core.pinyin import name_initials, name_pinyin
    from members.models import Category, MemberStatus, PartyMember
    from orgs.models import OrgForm, OrgLevel, PartyOrg
    from regions.models import Region, RegionKind

    with connection.cursor() as cur:
        cur.execute("TRUNCATE members_memberevent, members_partymember RESTART IDENTITY CASCADE")
    region = Region.objects.filter(name="轮换基准社区").first() or Region.objects.create(
        name="轮换基准社区", kind=RegionKind.COMMUNITY)
    org = PartyOrg.objects.filter(region=region).first() or PartyOrg.objects.create(
        name="轮换基准党支部", level=OrgLevel.COMMUNITY, form=OrgForm.BRANCH, region=region)
    batch = []
    for i in range(n):
        name = "张三"
        born = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        batch.append(PartyMember(
            name=name, name_pinyin=name_pinyin(name), name_initials=name_initials(name), gender="M",
            birth_date=born, id_number=synthetic_id_number(birth_date=born, gender="M"),
            mobile=f"139{i:08d}", joined_on=date(2000, 7, 1), status=MemberStatus.FULL,
            category=Category.EMPLOYED, org=org))
        if len(batch) == 5000:
            PartyMember.objects.bulk_create(batch)
            batch = []
    PartyMember.objects.bulk_create(batch)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.2)
    n = max(2000, int(50_000 * parser.parse_args().scale))
    setup_django()
    from django.db import connection
    from django.test import override_settings

    from core.crypto import generate_key
    from core.keyrotation import rotate

    k1, h1, k2, h2 = (generate_key() for _ in range(4))
    out = {"rows": n}
    for label, mode in (("aes", "aes"), ("sm", "sm")):
        with override_settings(DANGJIAN_FIELD_KEY=k1, DANGJIAN_HASH_KEY=h1, DANGJIAN_CRYPTO="aes",
                               DANGJIAN_FIELD_KEYS_OLD=[]):
            fill(n)
        with override_settings(DANGJIAN_FIELD_KEY=k2, DANGJIAN_HASH_KEY=h2, DANGJIAN_CRYPTO=mode,
                               DANGJIAN_FIELD_KEYS_OLD=[k1]):
            t0 = time.perf_counter()
            result = rotate(batch=1000, only=["members.partymember"])
            ours = time.perf_counter() - t0
        counts = result.tables["members.partymember"]
        assert counts.re_encrypted == 2 * n and counts.re_hashed == 2 * n, counts
        # The peer: the same column writes in one statement, the new values given.
        with connection.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute("UPDATE members_partymember SET id_number = id_number || '', mobile = mobile || '', "
                        "id_number_hash = md5(id_number_hash) || md5(id_number_hash), "
                        "mobile_hash = md5(mobile_hash) || md5(mobile_hash)")
            peer = time.perf_counter() - t0
        print(f"to {label}: ours {n / ours:,.0f} rows/s ({ours:.1f} s), plain UPDATE {n / peer:,.0f} rows/s")
        out[f"rotate_to_{label}_rows_per_s"] = round(n / ours)
        out[f"rotate_to_{label}_vs_plain_update"] = round(peer / ours, 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
