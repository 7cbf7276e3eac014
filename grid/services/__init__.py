"""Every write of the grid app: one transaction each, audited, with Chinese messages naming the field.

By topic: ``profile`` (rules, the grid profile, liaisons), ``visits``, ``things`` (facilities, units,
liaisons by hand), ``houses``, ``households``, ``residents``, ``leases``; ``common`` holds the checks
they share. Import from ``grid.services``: every public name is re-exported here.
"""
from .common import moved_out_message
from .households import HEAD_FIELDS, household_add, household_create, household_move_out, household_update
from .houses import MAX_HOUSE_AREA, grid_of_building, house_add, house_address, house_create, house_update
from .leases import MAX_LEASE_YEARS, lease_create, lease_end, lease_update
from .profile import grid_profile_update, liaison_add, parse_boundary, rule_set
from .residents import (
    MAX_PERMIT_YEARS,
    care_flags_of,
    clean_resident,
    duplicate_id_message,
    resident_add,
    resident_create,
    resident_leave,
    resident_restore,
    resident_transfer,
    resident_update,
)
from .things import (
    POINT_MARGIN_DEG,
    check_point,
    facility_create,
    facility_set_state,
    facility_update,
    liaison_remove,
    liaison_update,
    unit_create,
    unit_update,
)
from .visits import MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, MAX_PHOTOS, PHOTO_FORMATS, visit_log

__all__ = [
    "HEAD_FIELDS",
    "MAX_HOUSE_AREA",
    "MAX_LEASE_YEARS",
    "MAX_PERMIT_YEARS",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTO_PIXELS",
    "PHOTO_FORMATS",
    "POINT_MARGIN_DEG",
    "care_flags_of",
    "check_point",
    "clean_resident",
    "duplicate_id_message",
    "facility_create",
    "facility_set_state",
    "facility_update",
    "grid_of_building",
    "grid_profile_update",
    "house_add",
    "house_address",
    "house_create",
    "house_update",
    "household_add",
    "household_create",
    "household_move_out",
    "household_update",
    "lease_create",
    "lease_end",
    "lease_update",
    "liaison_add",
    "liaison_remove",
    "liaison_update",
    "moved_out_message",
    "parse_boundary",
    "resident_add",
    "resident_create",
    "resident_leave",
    "resident_restore",
    "resident_transfer",
    "resident_update",
    "rule_set",
    "unit_create",
    "unit_update",
    "visit_log",
]
