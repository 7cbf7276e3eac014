"""Every write of organizational life: `<entity>_<verb>(*, actor, ...)`, one transaction, audited."""

from .care import care_visit_create, contact_log_add, fund_entry_add, pair_create  # noqa: F401
from .pipeline import applicant_advance, applicant_create, stage_rule_update  # noqa: F401
from .reviews import review_close, review_follow_up, review_open, review_rate, review_self_assess  # noqa: F401
from .sessions import (  # noqa: F401
    attendance_record,
    cadence_check,
    cadence_update,
    session_create,
    session_minutes_save,
    session_photo_add,
)
