"""The audit log as people read it: Chinese names of objects and fields (the models' verbose names),
values as the pages show them (choice labels, dates, 是/否, personal data masked)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Choices, ForeignObjectRel
from django.utils import timezone

from core.masking import mask_id_number, mask_mobile

# Keys that are not model fields (actions, counts, context a service records).
KEY_LABELS = {
    "action": "操作", "state": "状态", "status": "状态", "units": "单位数", "rows": "行数", "count": "数量",
    "filters": "筛选条件", "who": "对象", "role": "角色", "roles": "角色", "user": "账号", "username": "账号",
    "from": "原位置", "to": "新位置", "added": "新增", "removed": "移除", "done": "完成", "visit": "走访",
    "photo": "照片", "confirmed": "确认", "file": "文件", "fields": "字段", "purpose": "事由",
    "missed_period": "未按期开会的周期", "add_info": "补充信息", "channel": "渠道", "category": "类别",
    "region": "所属节点", "community": "社区", "member": "党员", "household": "住户", "head_name": "户主",
    "locked_until": "锁定至", "is_active": "启用", "password": "密码", "admin": "管理后台操作",
    "otp": "双因素认证", "created": "新建", "updated": "更新",
    "errors": "错误", "path": "路径", "parent": "上级", "name": "名称", "title": "标题", "date": "日期",
    "kind": "类别", "code": "编码", "number": "编号", "year": "年度", "month": "月份", "reason": "原因",
    "note": "说明", "duplicate_of": "合并到", "escalation": "升级层级", "satisfaction": "满意度", "address": "地址",
}
# Values services record as codes outside any model's choices.
VALUE_LABELS = {
    "dispatch": "派单", "accept": "受理", "return": "退单", "arrive": "到场", "handle": "办结", "close": "关闭",
    "reopen": "重新办理", "escalate": "升级", "note": "备注", "follow_up": "回访", "merge": "合并",
}
_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LIST_REPR = re.compile(r"^\[(?:'[\w-]*'(?:, )?)*\]$")
_CODE = re.compile(r"^[a-z][a-z0-9_-]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def model_of(object_type: str):
    try:
        return apps.get_model(object_type) if "." in (object_type or "") else None
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    model = model_of(object_type)
    return str(model._meta.verbose_name) if model is not None else (object_type or "—")


def _field(model, key: str):
    if model is None:
        return None
    try:
        f = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    # A reverse relation (another model's foreign key to this one) shares its name with
    # an entry's key now and then (e.g. a household's "members"); it is not a field of the row.
    return None if isinstance(f, ForeignObjectRel) else f


def field_label(model, key: str) -> str:
    f = _field(model, key)
    if f is not None and getattr(f, "verbose_name", None):
        return str(f.verbose_name)
    return KEY_LABELS.get(key, key)


def _mask(text: str) -> str:
    text = _ID.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: mask_mobile(m.group(0)), text)


def _module_choices(model) -> dict[str, str]:
    """value → label of every choice list defined next to the model (lists stored in JSON fields)."""
    import sys

    out: dict[str, str] = {}
    module = sys.modules.get(model.__module__) if model is not None else None
    for obj in vars(module).values() if module else ():
        if isinstance(obj, type) and issubclass(obj, Choices) and obj is not Choices:
            out.update({str(v): str(label) for v, label in obj.choices})
    return out


def _related(f, value) -> str | None:
    """The related object's name for a foreign key recorded as its id or its code."""
    rel = f.related_model
    try:
        if isinstance(value, int) or str(value).isdigit():
            obj = rel._default_manager.filter(pk=int(value)).first()
        elif any(getattr(x, "name", "") == "code" for x in rel._meta.get_fields()):
            obj = rel._default_manager.filter(code=str(value)).first()
        else:
            return None
    except (ValueError, TypeError):
        return None
    return str(obj) if obj is not None else None


def value_label(model, key: str, value) -> str:
    """One value as a page would show it."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    if isinstance(value, dict) and "coordinates" in value:
        return "（地图边界）"
    if isinstance(value, str) and value.lstrip().startswith("{") and '"coordinates"' in value:
        return "（地图边界）"
    if isinstance(value, dict):
        return "；".join(f"{field_label(model, k)}：{value_label(model, k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(value_label(model, key, v) for v in value) or "（空）"
    f = _field(model, key)
    if f is not None and f.choices:
        labels = {str(k): str(v) for k, v in f.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if f is not None and f.is_relation and f.related_model is not None and not isinstance(value, list | dict):
        name = _related(f, value)
        if name:
            return name
    text = str(value)
    if _LIST_REPR.match(text):  # a list the snapshot stored as its text, e.g. "['party', 'service']"
        return value_label(model, key, ast.literal_eval(text))
    if text in VALUE_LABELS and key in ("action", "state"):
        return VALUE_LABELS[text]
    if _CODE.match(text):
        labels = _module_choices(model)
        if text in labels:
            return labels[text]
    if _ISO_DT.match(text):
        try:
            dt = datetime.fromisoformat(text)
            dt = timezone.localtime(dt) if timezone.is_aware(dt) else dt
            return f"{dt:%Y-%m-%d %H:%M}"
        except ValueError:
            pass
    if _ISO_DATE.match(text):
        try:
            return f"{date.fromisoformat(text):%Y-%m-%d}"
        except ValueError:
            pass
    return _mask(text)


@dataclass
class Change:
    label: str
    before: str | None  # None: a value recorded without a "before" (not a pair)
    after: str


def changes_of(entry) -> list[Change]:
    """The entry's changes as (label, before, after) in Chinese."""
    model = model_of(entry.object_type)
    out: list[Change] = []
    for key, value in (entry.changes or {}).items():
        label = field_label(model, key)
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict | list):
            out.append(Change(label, value_label(model, key, value[0]), value_label(model, key, value[1])))
        else:
            out.append(Change(label, None, value_label(model, key, value)))
    return out


def object_types() -> list[tuple[str, str]]:
    """(object_type, Chinese name) for the filter, from the models of the project."""
    base = str(settings.BASE_DIR)
    rows = [(m._meta.label_lower, str(m._meta.verbose_name)) for m in apps.get_models()
            if str(m._meta.app_config.path).startswith(base) and ".venv" not in str(m._meta.app_config.path)]
    return sorted(rows, key=lambda r: (r[0].split(".")[0], r[1]))
