"""Permissions of the community workforce (社区工作者队伍)."""

from accounts.roles import Role


class P:
    VIEW = "cadres.view"      # see the roster, statistics, quotas and training of the scope
    MANAGE = "cadres.manage"  # record cadres, movements, contracts, courses, attendance, awards, tracking
    SALARY = "cadres.salary"  # see allowance figures (masked for the others)
    RULES = "cadres.rules"    # the staffing quotas and the yearly training minimums


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.MANAGE, P.SALARY, P.RULES},
    Role.STREET_STAFF: {P.VIEW, P.MANAGE, P.SALARY},
    Role.COMMUNITY_SECRETARY: {P.VIEW},
}
