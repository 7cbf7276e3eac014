"""Permissions of the defence line. Key people are sensitive: their own permission, never implied by
the others, and every page that shows them is audited with the purpose the viewer stated."""

from accounts.roles import Role


class P:
    VIEW = "stability.view"          # cases, reports, patrols and statistics of the scope
    MANAGE = "stability.manage"      # mediate cases, run patrol teams and rosters, read and answer reports
    REPORT = "stability.report"      # file a stability report upward, record a patrol incident
    KEY_VIEW = "stability.key_view"  # see key people (重点人员) of the scope: audited with a purpose
    KEY_MANAGE = "stability.key_manage"  # register key people, set who is responsible, the plan, the status
    KEY_VISIT = "stability.key_visit"    # record a visit to a key person of the scope
    PATROL_SELF = "stability.patrol_self"  # a patrol member's own shifts and check-in: global, no scope


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.KEY_VIEW},
    Role.STREET_STAFF: {P.VIEW, P.MANAGE, P.KEY_VIEW},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.MANAGE, P.REPORT, P.KEY_VIEW, P.KEY_MANAGE, P.KEY_VISIT},
    Role.COMMUNITY_STAFF: {P.VIEW, P.MANAGE, P.REPORT},
    Role.GRID_WORKER: {P.VIEW, P.REPORT, P.KEY_VIEW, P.KEY_VISIT},
    Role.PARTY_MEMBER: {P.PATROL_SELF},
}
