"""Merging resident units that are the same organization (one record per real organization).

Used by migration 0004 (with the historical models) and testable with the live ones: `apps` is
either the migration's app registry or `django.apps.apps`."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, OuterRef, Subquery

SEGMENT = 8  # core.treepaths.SEGMENT (kept literal: migrations must not depend on live code changing)


def common_path(paths: list[str]) -> str:
    """The longest whole-segment prefix shared by every path (the lowest common ancestor)."""
    if not paths:
        return ""
    first = min(paths)
    last = max(paths)
    n = 0
    while n < len(first) and n < len(last) and first[n] == last[n]:
        n += 1
    return first[: n - n % SEGMENT]


def fill_resource_regions(apps) -> int:
    """Resources took their community from their unit; write it on the resource itself."""
    Resource = apps.get_model("cobuild", "Resource")
    Unit = apps.get_model("cobuild", "ResidentUnit")
    return Resource.objects.filter(region__isnull=True).update(
        region_id=Subquery(Unit.objects.filter(pk=OuterRef("unit_id")).values("region_id")[:1]))


def _unique_field_sets(model, field_name: str) -> list[list[str]]:
    sets = []
    for c in getattr(model._meta, "constraints", []):
        fields = list(getattr(c, "fields", ()) or ())
        if field_name in fields:
            sets.append((fields, getattr(c, "condition", None)))
    for fields in getattr(model._meta, "unique_together", ()) or ():
        if field_name in fields:
            sets.append((list(fields), None))
    return sets


def merge_into(apps, keeper, duplicates) -> dict[str, int]:
    """Repoint every reference to `duplicates` onto `keeper` and delete the duplicates. Each
    record keeps its own community (needs, resources, deeds, projects, pairings, criticisms,
    ratings, agreements all carry it). Where another table allows one row per unit (e.g. one
    opinion per unit and scheme) and both had one, the keeper's row stays and the duplicate's is
    dropped. The keeper is located at the lowest node common to all of them; empty facts of the
    keeper (Party organization, liaison, leader, address) are taken from a duplicate."""
    Unit = apps.get_model("cobuild", "ResidentUnit")
    Region = apps.get_model("regions", "Region")
    dup_ids = [d.pk for d in duplicates if d.pk != keeper.pk]
    moved: dict[str, int] = defaultdict(int)
    if not dup_ids:
        return moved
    everyone = [keeper, *[d for d in duplicates if d.pk != keeper.pk]]
    paths = list(Region.objects.filter(pk__in={u.region_id for u in everyone}).values_list("path", flat=True))
    home = Region.objects.filter(path=common_path(paths)).first()
    for rel in Unit._meta.related_objects:
        if rel.many_to_many or not getattr(rel.field, "concrete", False):
            continue
        model, name = rel.related_model, rel.field.name
        qs = model._base_manager.filter(**{f"{name}_id__in": dup_ids})
        for fields, condition in _unique_field_sets(model, name):
            others = [f for f in fields if f != name]
            have = model._base_manager.filter(**{f"{name}_id": keeper.pk})
            if condition is not None:
                have = have.filter(condition)
            taken = {tuple(row) for row in have.values_list(*others)} if others else ({()} if have.exists() else set())
            for row in list(qs.values_list("pk", *others)):
                if tuple(row[1:]) in taken:
                    model._base_manager.filter(pk=row[0]).delete()
                    moved[f"{model._meta.label}:dropped"] += 1
                else:
                    taken.add(tuple(row[1:]))
        n = qs.update(**{name: keeper})
        if n:
            moved[model._meta.label] += n
    for field in ("party_org_id", "liaison_id", "leader_name", "address"):
        if not getattr(keeper, field):
            value = next((getattr(d, field) for d in duplicates if getattr(d, field)), None)
            if value:
                setattr(keeper, field, value)
    if not keeper.has_volunteer_team and any(d.has_volunteer_team for d in duplicates):
        keeper.has_volunteer_team = True
    if home is not None:
        keeper.region_id = home.pk
    keeper.save()
    Unit._base_manager.filter(pk__in=dup_ids).delete()
    moved["cobuild.ResidentUnit:merged"] += len(dup_ids)
    return moved


def merge_duplicate_units(apps, schema_editor=None) -> dict[str, int]:
    """Every group of units with the same name becomes one (the oldest record is kept)."""
    Unit = apps.get_model("cobuild", "ResidentUnit")
    fill_resource_regions(apps)
    total: dict[str, int] = defaultdict(int)
    names = (Unit._base_manager.values("name").annotate(n=Count("id")).filter(n__gt=1)
             .values_list("name", flat=True).order_by("name"))
    for name in list(names):
        group = list(Unit._base_manager.filter(name=name).order_by("pk"))
        for k, v in merge_into(apps, group[0], group[1:]).items():
            total[k] += v
    return total
