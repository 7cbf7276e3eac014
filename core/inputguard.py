"""Bad input answered with a Chinese message instead of a database error (HTTP 500), in one place
for every form, serializer and model of the project rather than field by field.

- **Numbers.** A form or serializer IntegerField without bounds gets the range of a 32-bit integer
  column (−2147483648…2147483647); a DecimalField without ``max_digits`` is bounded at 10¹² in size.
  Messages (``数值过大：不能大于 2147483647``) appear under the field, or after its label.
- **Control characters.** Every form and serializer CharField refuses NUL and the other C0/C1 control
  characters (tab, line feed and carriage return stay allowed): ``含有不允许的控制字符（如 \\x00）…``.
- **Models (the last line).** Before any ``save()`` of a project model (pages, API, services,
  Open311, management commands), integer values must fit their column type (the ranges of
  PostgreSQL, on SQLite too), decimals their ``max_digits``/``decimal_places``, and text must be
  free of control characters; otherwise ``ValidationError({field: 中文原因})``, which services
  already turn into form errors. Bulk paths (``bulk_create``, imports) check in their parsers.

``patch_fields()`` runs when ``core.apps`` is imported, ``install()`` from ``CoreConfig.ready()``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.signals import pre_save

INT_MIN, INT_MAX = -2_147_483_648, 2_147_483_647
DECIMAL_LIMIT = Decimal(10) ** 12
# C0 controls except \t \n \r, DEL and the C1 controls.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges  # PostgreSQL's column ranges


def control_char_message(label: str, value: str) -> str | None:
    m = CONTROL_RE.search(value)
    if m is None:
        return None
    return f"{label}含有不允许的控制字符（如 \\x{ord(m.group()):02x}），请删除后重新输入"


class NoControlCharacters:
    """Validator of every text field: no NUL or other control characters."""

    def __init__(self, label: str = ""):
        self.label = label

    def __call__(self, value) -> None:
        if isinstance(value, str):
            msg = control_char_message(self.label, value)
            if msg:
                raise ValidationError(msg, code="control_characters")

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharacters)


def _bound_messages(label: str) -> dict[str, str]:
    # Shown under the field (or after "label：" by pages that list errors): no label repeated.
    return {"max_value": "数值过大：不能大于 %(limit_value)s", "min_value": "数值过小：不能小于 %(limit_value)s"}


def _patch_forms() -> None:
    from django import forms

    int_init = forms.IntegerField.__init__
    dec_init = forms.DecimalField.__init__
    char_init = forms.CharField.__init__

    def integer_init(self, *args, max_value=None, min_value=None, **kwargs):
        # Also reached by FloatField and DecimalField (subclasses): a 32-bit range unless given.
        max_value = INT_MAX if max_value is None else max_value
        min_value = INT_MIN if min_value is None else min_value
        kwargs["error_messages"] = {**_bound_messages(str(kwargs.get("label") or "")),
                                    **(kwargs.get("error_messages") or {})}
        int_init(self, *args, max_value=max_value, min_value=min_value, **kwargs)

    def decimal_init(self, *args, max_value=None, min_value=None, **kwargs):
        max_value = DECIMAL_LIMIT if max_value is None else max_value
        min_value = -DECIMAL_LIMIT if min_value is None else min_value
        kwargs["error_messages"] = {**_bound_messages(str(kwargs.get("label") or "")),
                                    **(kwargs.get("error_messages") or {})}
        dec_init(self, *args, max_value=max_value, min_value=min_value, **kwargs)

    def text_init(self, *args, **kwargs):
        char_init(self, *args, **kwargs)
        self.validators.append(NoControlCharacters())

    forms.IntegerField.__init__ = integer_init
    forms.DecimalField.__init__ = decimal_init
    forms.CharField.__init__ = text_init

    model_formfield = models.IntegerField.formfield

    def integer_formfield(self, **kwargs):
        # A ModelForm's field gets its column's range (a SmallIntegerField: −32768…32767).
        lo, hi = INTEGER_RANGES.get(self.get_internal_type(), (None, None))
        if hi is not None:
            kwargs.setdefault("max_value", hi)
        if lo is not None:
            kwargs.setdefault("min_value", lo)
        return model_formfield(self, **kwargs)

    models.IntegerField.formfield = integer_formfield


def _patch_serializers() -> None:
    from rest_framework import fields

    int_init = fields.IntegerField.__init__
    char_init = fields.CharField.__init__

    def integer_init(self, **kwargs):
        kwargs.setdefault("max_value", INT_MAX)
        kwargs.setdefault("min_value", INT_MIN)
        int_init(self, **kwargs)

    def text_init(self, **kwargs):
        char_init(self, **kwargs)
        self.validators.append(NoControlCharacters())

    fields.IntegerField.__init__ = integer_init
    fields.CharField.__init__ = text_init


def field_problem(field: models.Field, value) -> str | None:
    """What is wrong with ``value`` for the model field ``field`` (a Chinese message), or None."""
    label = str(field.verbose_name or field.name)
    if value is None:
        return None
    if isinstance(field, (models.AutoField, models.BigAutoField, models.SmallAutoField)):
        return None
    if isinstance(field, models.IntegerField) and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        lo, hi = INTEGER_RANGES.get(field.get_internal_type(), (None, None))
        if hi is not None and value > hi:
            return f"{label}不能大于 {hi}"
        if lo is not None and value < lo:
            return f"{label}不能小于 {lo}"
    elif isinstance(field, models.DecimalField) and isinstance(value, (Decimal, int, float)):
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            return f"{label}不是有效的数字"
        if d.is_finite():
            whole = field.max_digits - field.decimal_places
            if abs(d) >= Decimal(10) ** whole:
                return f"{label}过大：整数部分最多 {whole} 位"
        else:
            return f"{label}不是有效的数字"
    elif isinstance(field, (models.CharField, models.TextField)) and isinstance(value, str):
        return control_char_message(label, value)
    return None


def check_instance(instance: models.Model) -> None:
    """Raise ValidationError({field: 中文原因}) for values the database would refuse (or should)."""
    errors = {}
    for field in instance._meta.concrete_fields:
        msg = field_problem(field, getattr(instance, field.attname, None))
        if msg:
            errors[field.name] = msg
    if errors:
        raise ValidationError(errors)


_PROJECT_APPS: set[str] = set()


def _guard(sender, instance, raw=False, **kwargs) -> None:
    if raw or sender._meta.app_label not in _PROJECT_APPS:
        return
    check_instance(instance)


def patch_fields() -> None:
    """Bounds and control-character checks on the form and serializer field classes: called when
    core's AppConfig module is imported, before any app's ready() (the admin's imports forms)."""
    if getattr(patch_fields, "done", False):
        return
    patch_fields.done = True
    _patch_forms()
    _patch_serializers()


def install() -> None:
    """From CoreConfig.ready(): the model guard on every project app's models."""
    from django.apps import apps

    patch_fields()
    base = Path(settings.BASE_DIR).resolve()
    _PROJECT_APPS.update(a.label for a in apps.get_app_configs() if base in Path(a.path).resolve().parents)
    pre_save.connect(_guard, dispatch_uid="core.inputguard")
