from .care import care, care_visit_new, care_visits, fund, fund_new, mobile_pair, mobile_pairs  # noqa: F401
from .pipeline import applicant_detail, applicant_new, pipeline  # noqa: F401
from .reviews import my_review, review_detail, review_list  # noqa: F401
from .sessions import (  # noqa: F401
    cadence,
    cadence_check,
    cadence_rules,
    member_life,
    my,
    session_detail,
    session_docx,
    session_list,
    session_new,
    session_photo,
    stats,
)
