"""Permissions of posts, pledges, zones, volunteering and service stars."""

from accounts.roles import Role


class P:
    VIEW = "vanguard.view"        # see posts, pledges, zones, activities of the scope
    MANAGE = "vanguard.manage"    # set posts, decide claims, deliberate / approve / rate pledges, draw zones
    STARS = "vanguard.stars"      # approve quarterly service stars (the street)
    SELF = "vanguard.self"        # a Party member's own pages: global, gives no scope


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.MANAGE, P.STARS},
    Role.STREET_STAFF: {P.VIEW, P.MANAGE, P.STARS},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.MANAGE},
    Role.COMMUNITY_STAFF: {P.VIEW},
    Role.GRID_WORKER: {P.VIEW},
    Role.PARTY_MEMBER: {P.SELF},
}
