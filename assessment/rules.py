"""Permissions of the command system (task lists, assignments, scheduling, inspections, assessment)."""

from accounts.roles import Role


class P:
    VIEW = "assessment.view"      # see the tasks, schedules, inspections and scores about the scope
    DIRECT = "assessment.direct"  # publish task lists, assign down the tree, hold 调度 and 会商, inspect
    REPORT = "assessment.report"  # acknowledge an assignment, report progress, write the weekly 纪实


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.DIRECT, P.REPORT},
    Role.STREET_STAFF: {P.VIEW, P.DIRECT, P.REPORT},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.REPORT},
    Role.COMMUNITY_STAFF: {P.VIEW, P.REPORT},
}
