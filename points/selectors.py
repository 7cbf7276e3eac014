"""Reads of the ledger: rankings of a node of the scope, a member's entries."""

from __future__ import annotations

from django.db.models import F, Window
from django.db.models.functions import Rank

from core import treepaths as tree_paths
from members.models import ACTIVE_STATUSES

from .models import MemberPoints, PointEntry


def ranking(region, year: int):
    """Active members whose organization lies under `region`, best first, ranked within it."""
    return (MemberPoints.objects.filter(tree_paths.under("member__org__region__path", region.path),
                                        year=year, member__status__in=ACTIVE_STATUSES)
            .select_related("member__org")
            .annotate(rank=Window(Rank(), order_by=F("total").desc()))
            .order_by("-total", "member_id"))


def member_total(member, year: int) -> int:
    row = MemberPoints.objects.filter(member=member, year=year).values_list("total", flat=True).first()
    return row or 0


def member_rank(member, year: int, region) -> tuple[int, int]:
    """(rank, of how many) of a member within a node."""
    qs = MemberPoints.objects.filter(tree_paths.under("member__org__region__path", region.path),
                                     year=year, member__status__in=ACTIVE_STATUSES)
    total = member_total(member, year)
    return qs.filter(total__gt=total).count() + 1, qs.count()


def member_entries(member, year: int):
    return PointEntry.objects.filter(member=member, year=year).order_by("-on", "-id")
