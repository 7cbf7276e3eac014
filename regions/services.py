"""Every write to the territory tree. Each is one transaction and leaves an audit entry."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError, Value
from django.db.models.functions import Concat, Substr

from accounts.roles import Perm
from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core import treepaths as paths
from core.treepaths import is_under

from .models import ALLOWED_CHILDREN, Region, RegionKind

_AUDITED = ["name", "kind", "town", "division_code", "parent", "sort_order"]


def _require_edit(actor, path: str | None, what: str) -> None:
    if actor is not None and not has_perm_at(actor, Perm.TREE_EDIT, path):
        raise ValidationError(f"您没有在{what}编辑组织架构的权限")


def _check_placement(kind: str, parent: Region | None) -> None:
    allowed = ALLOWED_CHILDREN[parent.kind if parent else None]
    if kind not in allowed:
        label = RegionKind(kind).label
        where = f"“{parent.name}”（{parent.kind_label}）下" if parent else "最顶层"
        raise ValidationError({"parent": f"{label}不能放在{where}：层级不符合 区—街道—社区—网格—小区—楼栋 的结构"})


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "名称不能为空"})
    if len(name) > 100:
        raise ValidationError({"name": "名称不能超过 100 个字"})
    if "<" in name or ">" in name:
        raise ValidationError({"name": "名称不能包含 < 或 > 符号"})
    return name


def _clean_code(code: str) -> str:
    code = (code or "").strip()
    if code and (not code.isdigit() or len(code) not in (6, 9, 12)):
        raise ValidationError({"division_code": "区划代码应为 6 位（GB/T 2260）或 9、12 位数字"})
    return code


@transaction.atomic
def region_create(
    *, actor, name: str, kind: str, parent: Region | None, division_code: str = "",
    town: bool = False, sort_order: int = 0,
) -> Region:
    _require_edit(actor, parent.path if parent else None, f"“{parent}”" if parent else "最顶层")
    name = _clean_name(name)
    _check_placement(kind, parent)
    if Region.objects.filter(parent=parent, name=name).exists():
        raise ValidationError({"name": f"同一上级下已有名为“{name}”的节点"})
    region = Region(
        name=name, kind=kind, parent=parent, division_code=_clean_code(division_code),
        town=town and kind == RegionKind.STREET, sort_order=sort_order,
    )
    region.save()
    record(actor=actor, action=AuditAction.CREATE, obj=region, changes=diff({}, snapshot(region, _AUDITED)))
    return region


@transaction.atomic
def region_update(
    *, actor, region: Region, name: str, division_code: str = "", town: bool = False, sort_order: int = 0
) -> Region:
    region = Region.objects.select_for_update().get(pk=region.pk)
    _require_edit(actor, region.path, f"“{region}”")
    before = snapshot(region, _AUDITED)
    name = _clean_name(name)
    if Region.objects.filter(parent=region.parent_id, name=name).exclude(pk=region.pk).exists():
        raise ValidationError({"name": f"同一上级下已有名为“{name}”的节点"})
    region.name = name
    region.division_code = _clean_code(division_code)
    region.town = town and region.kind == RegionKind.STREET
    region.sort_order = sort_order
    region.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=region, changes=diff(before, snapshot(region, _AUDITED)))
    return region


@transaction.atomic
def region_move(*, actor, region: Region, new_parent: Region | None) -> Region:
    """Move a subtree under a new parent, rewriting every descendant path in one transaction."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    _require_edit(actor, region.path, f"“{region}”")
    if new_parent is not None:
        new_parent = Region.objects.get(pk=new_parent.pk)
        _require_edit(actor, new_parent.path, f"“{new_parent}”")
        if is_under(new_parent.path, region.path):
            raise ValidationError({"parent": f"不能把“{region}”移到它自己或它的下级“{new_parent}”之下：会形成循环"})
    if (new_parent.pk if new_parent else None) == region.parent_id:
        return region
    _check_placement(region.kind, new_parent)
    if Region.objects.filter(parent=new_parent, name=region.name).exists():
        raise ValidationError({"name": f"目标上级下已有名为“{region.name}”的节点"})
    old_path = region.path
    new_path = paths.child_path(new_parent.path if new_parent else "", region.pk)
    old_parent_name = str(region.parent) if region.parent_id else ""
    # One UPDATE rewrites the prefix of the whole subtree (the node included).
    Region.objects.under(old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (paths.depth_of(new_path) - paths.depth_of(old_path)),
    )
    Region.objects.filter(pk=region.pk).update(parent=new_parent)
    region.refresh_from_db()
    record(
        actor=actor, action=AuditAction.MOVE, obj=region,
        changes={"parent": [old_parent_name, str(new_parent) if new_parent else ""]},
    )
    return region


@transaction.atomic
def region_delete(*, actor, region: Region) -> None:
    region = Region.objects.select_for_update().get(pk=region.pk)
    _require_edit(actor, region.path, f"“{region}”")
    if region.children.exists():
        raise ValidationError(f"“{region}”下还有 {region.children.count()} 个下级节点，请先移走或删除它们")
    before = snapshot(region, _AUDITED)
    pk = region.pk
    try:
        with transaction.atomic():
            region.delete()
    except ProtectedError as exc:
        kinds = sorted({obj._meta.verbose_name for obj in exc.protected_objects})
        raise ValidationError(
            f"“{region}”下仍有{'、'.join(kinds)}等 {len(exc.protected_objects)} 条记录，删除会使它们失去归属，请先转移"
        ) from exc
    record(
        actor=actor, action=AuditAction.DELETE, object_type="regions.region", object_id=str(pk),
        object_repr=before["name"], changes=diff(before, {}),
    )


def check_tree() -> list[str]:
    """Consistency check: every path equals parent path + own segment. Returns problems found."""
    problems = []
    qs = Region.objects.select_related("parent")
    for r in qs.iterator():
        expected = paths.child_path(r.parent.path if r.parent_id else "", r.pk)
        if r.path != expected:
            problems.append(f"{r.pk} {r.name}: {r.path} != {expected}")
    return problems
