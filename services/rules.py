"""Permissions of the service systems (便民服务, 全程代办, 就业, 爱心超市, 场所, 值班)."""

from accounts.roles import Role


class P:
    VIEW = "services.view"      # see the catalogue, orders, errands, jobs, the charity ledger, venues, duty
    MANAGE = "services.manage"  # keep them: dispatch orders, errands, the broker's work, the ledger, bookings
    ORDER = "services.order"    # place an order for a resident of one's grid (grid workers)


PERMISSIONS = {
    Role.DISTRICT_ADMIN: {P.VIEW},
    Role.STREET_STAFF: {P.VIEW},
    Role.COMMUNITY_SECRETARY: {P.VIEW, P.MANAGE, P.ORDER},
    Role.COMMUNITY_STAFF: {P.VIEW, P.MANAGE, P.ORDER},
    Role.GRID_WORKER: {P.ORDER},
}
