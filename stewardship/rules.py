"""Permissions of community stewardship (经费、阵地、资产)."""

from accounts.roles import Role


class P:
    VIEW = "stewardship.view"        # see the funds, premises and assets of the scope
    MANAGE = "stewardship.manage"    # keep the ledger, premises, assets and inventories
    APPROVE = "stewardship.approve"  # approve a spending beyond the balance or budget, an asset's disposal
    RULES = "stewardship.rules"      # the funding standards, the minimum area, each community's type


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW, P.MANAGE, P.APPROVE, P.RULES},
    Role.STREET_STAFF: {P.VIEW, P.APPROVE},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.MANAGE},
    Role.COMMUNITY_STAFF: {P.VIEW, P.MANAGE},
}
