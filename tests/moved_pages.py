"""Walking the old addresses of pages that moved to another app: every persona (and an anonymous
visitor) requests each address, and the status codes are compared with those the page answered
before it moved. Used by dashboards/tests and portal/tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.test import Client

# The column order of the expected tables.
WHO = ("anonymous", "district_admin", "street_staff", "secretary", "community_staff", "grid_worker",
       "other_grid_worker", "member", "liaison", "west_secretary", "sysadmin", "secadmin", "auditor",
       "superuser", "nobody")


@dataclass(frozen=True)
class Visit:
    label: str          # the address with placeholders, as the expected table names it
    url: str
    method: str = "get"
    data: dict | None = None


def walk(client_for, personas, visits: list[Visit]) -> dict[str, str]:
    """{label: "status status ..." (one for each of WHO)}; the cache (rate limits) is emptied before
    each visit."""
    clients = {"anonymous": Client()}
    clients.update({who: client_for(getattr(personas, who)) for who in WHO[1:]})
    table = {}
    for visit in visits:
        row = []
        for who in WHO:
            cache.clear()
            response = getattr(clients[who], visit.method)(visit.url, visit.data or {})
            row.append(str(response.status_code))
        table[visit.label] = " ".join(row)
    return table


def differences(expected: dict[str, str], seen: dict[str, str]) -> list[str]:
    """Readable lines, one per (address, persona) whose status changed."""
    lines = []
    for label in expected.keys() | seen.keys():
        before, now = expected.get(label), seen.get(label)
        if before is None or now is None:
            lines.append(f"{label}: only {'now' if before is None else 'before'}")
            continue
        lines += [f"{label} as {who}: {b} before, {n} now"
                  for who, b, n in zip(WHO, before.split(), now.split(), strict=True) if b != n]
    return sorted(lines)
