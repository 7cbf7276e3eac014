"""Permissions of meetings."""

from accounts.roles import Role


class P:
    VIEW = "meetings.view"     # see bodies, calendar and meetings of the scope
    EDIT = "meetings.edit"     # create bodies and meetings, record attendance, minutes, resolutions
    RULES = "meetings.rules"   # edit the cadence rules (district admin)


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.EDIT, P.RULES},
    Role.STREET_STAFF: {P.VIEW, P.EDIT},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.EDIT},
    Role.COMMUNITY_STAFF: {P.VIEW},
}
