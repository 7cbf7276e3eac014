from .cases import case_agreement, case_detail, case_from_demand, case_list, case_new  # noqa: F401
from .checks import check, checks  # noqa: F401
from .keypeople import people, person, person_new, purpose  # noqa: F401
from .patrols import my_patrols, patrols, shift, team  # noqa: F401
from .reports import report_detail, report_list, report_new  # noqa: F401
from .stats import stats  # noqa: F401
