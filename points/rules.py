"""Permissions of the points ledger."""

from accounts.roles import Role


class P:
    VIEW = "points.view"   # rankings and members' ledgers of the scope
    SELF = "points.self"   # a Party member's own points (global, no scope)


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW},
    Role.STREET_STAFF: {P.VIEW},
    Role.COMMUNITY_SECRETARY: {P.VIEW},
    Role.COMMUNITY_STAFF: {P.VIEW},
    Role.PARTY_MEMBER: {P.SELF},
}
