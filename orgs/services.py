"""Every write to Party organizations: one transaction each, audited, checked against the tree."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.roles import Perm
from accounts.scope import has_perm_at
from audit.models import AuditAction
from audit.services import diff, record, snapshot
from core.treepaths import is_under
from regions.models import Region, RegionKind

from .models import ALLOWED_PARENT_LEVELS, LEVEL_REGION_KIND, UNIT_LEVELS, OrgLevel, PartyOrg

_AUDITED = ["name", "level", "form", "region", "parent", "host_name", "secretary_name", "established_on"]


def _validate(
    *, name: str, level: str, region: Region, parent: PartyOrg | None, host_name: str,
    established_on: date | None, instance: PartyOrg | None = None,
) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "名称不能为空"})
    if "<" in name or ">" in name:
        raise ValidationError({"name": "名称不能包含 < 或 > 符号"})
    if level not in OrgLevel.values:
        raise ValidationError({"level": "类别无效"})
    expected_kind = LEVEL_REGION_KIND.get(level)
    if expected_kind and region.kind != expected_kind:
        raise ValidationError(
            {"region": f"{OrgLevel(level).label}应设在{RegionKind(expected_kind).label}一级，"
                       f"“{region}”是{region.kind_label}"}
        )
    if level in UNIT_LEVELS and not (host_name or "").strip():
        raise ValidationError({"host_name": "驻区单位或两新组织党组织必须填写所在单位"})
    allowed = ALLOWED_PARENT_LEVELS[level]
    if parent is not None:
        if instance is not None:
            node = parent
            while node is not None:  # walk up: the new parent must not be the org or below it
                if node.pk == instance.pk:
                    raise ValidationError({"parent": f"不能把“{instance}”设为“{parent}”的下级：会形成循环"})
                node = node.parent
        if allowed is not None and parent.level not in allowed:
            raise ValidationError({"parent": f"{OrgLevel(level).label}的上级不能是{parent.get_level_display()}"})
        if level not in UNIT_LEVELS and not is_under(region.path, parent.region.path):
            raise ValidationError({"parent": f"上级党组织“{parent}”不管辖“{region}”"})
    elif allowed is not None and None not in allowed:
        raise ValidationError({"parent": f"{OrgLevel(level).label}必须有上级党组织"})
    if established_on and established_on > timezone.localdate():
        raise ValidationError({"established_on": "成立日期不能晚于今天"})
    qs = PartyOrg.objects.filter(region=region, name=name)
    if instance is not None:
        qs = qs.exclude(pk=instance.pk)
    if qs.exists():
        raise ValidationError({"name": f"“{region}”已有名为“{name}”的党组织"})
    return name


def _require_edit(actor, region: Region) -> None:
    if actor is not None and not has_perm_at(actor, Perm.TREE_EDIT, region.path):
        raise ValidationError(f"您没有在“{region}”编辑党组织的权限")


@transaction.atomic
def org_create(
    *, actor, name: str, level: str, form: str, region: Region, parent: PartyOrg | None = None,
    host_name: str = "", secretary_name: str = "", established_on: date | None = None, secretary=None,
) -> PartyOrg:
    _require_edit(actor, region)
    name = _validate(
        name=name, level=level, region=region, parent=parent, host_name=host_name, established_on=established_on
    )
    org = PartyOrg.objects.create(
        name=name, level=level, form=form, region=region, parent=parent, host_name=host_name.strip(),
        secretary_name=secretary_name.strip(), established_on=established_on, secretary=secretary,
    )
    record(actor=actor, action=AuditAction.CREATE, obj=org, changes=diff({}, snapshot(org, _AUDITED)))
    return org


@transaction.atomic
def org_update(
    *, actor, org: PartyOrg, name: str, form: str, parent: PartyOrg | None, host_name: str = "",
    secretary_name: str = "", established_on: date | None = None,
) -> PartyOrg:
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    _require_edit(actor, org.region)
    before = snapshot(org, _AUDITED)
    name = _validate(
        name=name, level=org.level, region=org.region, parent=parent, host_name=host_name,
        established_on=established_on, instance=org,
    )
    org.name, org.form, org.parent = name, form, parent
    org.host_name, org.secretary_name, org.established_on = host_name.strip(), secretary_name.strip(), established_on
    org.save()
    record(actor=actor, action=AuditAction.UPDATE, obj=org, changes=diff(before, snapshot(org, _AUDITED)))
    return org


@transaction.atomic
def org_delete(*, actor, org: PartyOrg) -> None:
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    _require_edit(actor, org.region)
    if org.children.exists():
        raise ValidationError(f"“{org}”下还有 {org.children.count()} 个下级党组织，请先转移")
    before, pk = snapshot(org, _AUDITED), org.pk
    try:
        with transaction.atomic():
            org.delete()
    except ProtectedError as exc:
        raise ValidationError(
            f"“{org}”下仍有 {len(exc.protected_objects)} 条记录（如党员），删除会使其失去组织关系，请先转接"
        ) from exc
    record(
        actor=actor, action=AuditAction.DELETE, object_type="orgs.partyorg", object_id=str(pk),
        object_repr=before["name"], changes=diff(before, {}),
    )
