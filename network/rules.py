"""Permissions of the network around each community."""

from accounts.roles import Role


class P:
    VIEW = "network.view"        # see the leaders, visits, problems, committees, compounds, social orgs of the scope
    MANAGE = "network.manage"    # record visits, problems, committee members, compound bodies, social orgs
    LEADERS = "network.leaders"  # the county leaders, their assignments and the rule (3 per community)


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.MANAGE, P.LEADERS},
    Role.STREET_STAFF: {P.VIEW, P.MANAGE},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.MANAGE},
    Role.COMMUNITY_STAFF: {P.VIEW, P.MANAGE},
}
