"""四知四清四掌握 (seed 000): a grid worker's check of what is known of one household, item by item;
the latest check counts, and the coverage per grid is what the community reads."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditAction
from audit.services import record

from ..models import CHECKLIST, HouseholdCheck
from ..rules import P
from .common import past_date, raise_if, require, text

ITEM_KEYS = [k for k, _, _ in CHECKLIST]


@transaction.atomic
def household_check(*, actor, household, items, checked_on: date | None, note: str = "") -> HouseholdCheck:
    from grid.models import HouseholdStatus

    require(actor, P.REPORT, household.grid.path, "核查该住户")
    errors: dict = {}
    if household.status != HouseholdStatus.ACTIVE:
        errors["household"] = ["该住户已迁出，无需核查"]
    items = list(dict.fromkeys(items or []))
    unknown = [i for i in items if i not in ITEM_KEYS]
    if unknown:
        errors["items"] = ["核查事项不正确，请刷新后重试"]
    checked_on = past_date(checked_on, "checked_on", "核查日期", errors)
    try:
        note = text(note, "note", "说明", max_len=300, required=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    raise_if(errors)
    check = HouseholdCheck.objects.create(household=household, grid=household.grid, checked_on=checked_on,
                                          checker=actor, items=[k for k in ITEM_KEYS if k in items], note=note)
    record(actor=actor, action=AuditAction.CREATE, obj=check, object_repr=f"四知四清四掌握 住户 {household.pk}")
    return check
