"""Every write to the member registry: one transaction each, audited, validated in Chinese.

By topic: ``records`` (members, deeds, the linked account), ``registration`` (双报到, mobile members),
``transfers``, ``dues`` (with the registry rules of the dues page), ``photos``; ``common`` holds what
they share. Import from ``members.services``: every public name is re-exported here.
"""
from .common import AUDITED, PERSONAL
from .dues import (
    DEFAULT_TIERS,
    FIXED_DUES_CATEGORIES,
    SETTINGS_FIELDS,
    dues_income_missing,
    dues_pay,
    dues_rules_update,
    dues_tiers,
    monthly_dues,
    settings_update,
)
from .photos import (
    MAX_PHOTO_BYTES,
    MAX_PHOTO_PIXELS,
    PHOTO_BOX,
    member_photo_bytes,
    member_photo_remove,
    member_photo_set,
    sweep_orphan_photos,
)
from .records import (
    clean_member_data,
    id_hash,
    member_create,
    member_deed_record,
    member_find_by_id_number,
    member_update,
    member_user_link,
)
from .registration import (
    dual_registration_decide,
    dual_registration_request,
    dual_registration_self,
    mobile_contact_advance,
    mobile_contact_record,
    mobile_inflow_register,
    mobile_outflow_report,
)
from .transfers import transfer_batch_confirm, transfer_batch_create, transfer_decide, transfer_request

__all__ = [
    "AUDITED",
    "DEFAULT_TIERS",
    "FIXED_DUES_CATEGORIES",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTO_PIXELS",
    "PERSONAL",
    "PHOTO_BOX",
    "SETTINGS_FIELDS",
    "clean_member_data",
    "dual_registration_decide",
    "dual_registration_request",
    "dual_registration_self",
    "dues_income_missing",
    "dues_pay",
    "dues_rules_update",
    "dues_tiers",
    "id_hash",
    "member_create",
    "member_deed_record",
    "member_find_by_id_number",
    "member_photo_bytes",
    "member_photo_remove",
    "member_photo_set",
    "member_update",
    "member_user_link",
    "mobile_contact_advance",
    "mobile_contact_record",
    "mobile_inflow_register",
    "mobile_outflow_report",
    "monthly_dues",
    "settings_update",
    "sweep_orphan_photos",
    "transfer_batch_confirm",
    "transfer_batch_create",
    "transfer_decide",
    "transfer_request",
]
