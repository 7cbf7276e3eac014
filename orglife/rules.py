"""Permissions of organizational life (三会一课, 主题党日, 民主评议, 发展党员, care for members)."""

from accounts.roles import Role


class P:
    VIEW = "orglife.view"      # see the sessions, pipeline, reviews and care ledgers of the scope
    MANAGE = "orglife.manage"  # hold sessions, record attendance, move the pipeline, run reviews, care
    RULES = "orglife.rules"    # edit the cadences and pipeline timing rules (district admin)
    SELF = "orglife.self"      # a Party member's own attendance and reviews: global, gives no scope


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.MANAGE, P.RULES},
    Role.STREET_STAFF: {P.VIEW, P.MANAGE},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.MANAGE},
    Role.COMMUNITY_STAFF: {P.VIEW},
    Role.PARTY_MEMBER: {P.SELF},
}
