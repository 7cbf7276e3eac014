from django.apps import AppConfig


class GridPerm:
    VIEW = "grid.view"      # see the grid's people, places, things and visits (personal data masked)
    EDIT = "grid.edit"      # edit grid profiles, import residents, set rules
    VISIT = "grid.visit"    # log visits (grid workers and community staff)
    PEOPLE = "grid.people"  # keep houses, households, residents and leases up to date by hand


class GridConfig(AppConfig):
    name = "grid"
    verbose_name = "网格治理"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import Role, register_permissions

        from . import imports  # noqa: F401  (registers the resident importer for background jobs)

        manage = {GridPerm.VIEW, GridPerm.EDIT}
        register_permissions({
            Role.DISTRICT_ADMIN: manage,
            Role.STREET_STAFF: manage,
            Role.COMMUNITY_SECRETARY: manage | {GridPerm.VISIT},
            Role.COMMUNITY_STAFF: {GridPerm.VIEW, GridPerm.VISIT},
            Role.GRID_WORKER: {GridPerm.VIEW, GridPerm.VISIT},
        })
        # Places and people by hand: everyone who sees a grid's people keeps them current, in their own scope
        # (a grid worker in their grid, community staff in their community).
        register_permissions({role: {GridPerm.PEOPLE} for role in (
            Role.DISTRICT_ADMIN, Role.STREET_STAFF, Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF, Role.GRID_WORKER)})
        register(
            MenuEntry("网格员工作台", "grid:mobile", GridPerm.VISIT, "网格治理", 200),
            MenuEntry("网格列表", "grid:list", GridPerm.VIEW, "网格治理", 210),
            MenuEntry("一张图", "grid:map", GridPerm.VIEW, "网格治理", 220),
            MenuEntry("居民查询", "grid:residents", GridPerm.VIEW, "网格治理", 230),
            MenuEntry("走访统计", "grid:visits", GridPerm.VIEW, "网格治理", 240),
            MenuEntry("流动人口到期", "grid:expiring", GridPerm.VIEW, "网格治理", 250),
            MenuEntry("设施与单位", "grid:facilities", GridPerm.VIEW, "网格治理", 225),
        )
