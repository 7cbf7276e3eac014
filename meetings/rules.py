"""Permissions of meetings."""

from accounts.roles import Role


class P:
    VIEW = "meetings.view"     # see bodies, calendar and meetings of the scope
    EDIT = "meetings.edit"     # create bodies and meetings, record attendance, minutes, resolutions
    RULES = "meetings.rules"   # edit the cadence rules (district admin)
    # A resident unit's liaison: the meetings of the bodies their own unit belongs to, and the reply
    # (回执) to an invitation. Territorial (it bounds which units count as theirs), and always
    # combined with ResidentUnit.liaison = the user: the role alone shows nothing.
    UNIT = "meetings.unit"


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.EDIT, P.RULES},
    Role.STREET_STAFF: {P.VIEW, P.EDIT},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.EDIT},
    Role.COMMUNITY_STAFF: {P.VIEW},
    Role.UNIT_LIAISON: {P.UNIT},
}
