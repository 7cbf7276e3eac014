"""Every write of the defence line (`<entity>_<verb>(*, actor, ...)`, one transaction, audited)."""

from .cases import (  # noqa: F401
    STEP_ACTIONS,
    case_add_party,
    case_agree,
    case_close,
    case_create,
    case_fail,
    case_follow_up,
    case_from_demand,
    case_step_add,
)
from .checks import household_check  # noqa: F401, E402
from .keypeople import (  # noqa: F401
    key_person_register,
    key_person_set_status,
    key_person_update,
    key_visit_record,
    key_visits_check,
)
from .patrols import (  # noqa: F401
    can_manage_team,
    check_in,
    holiday_roster,
    incident_report,
    officer_set,
    shift_create,
    shift_post_add,
    team_create,
    team_member_add,
)
from .reports import report_answer, report_create  # noqa: F401
