from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The top floor: pages that show more than one domain. Each page calls the selectors of the
    domains it shows, directly; the leaders' dashboards read its own rollup tables (models.py)."""

    name = "dashboards"
    verbose_name = "工作台与汇总"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import Role, register_permissions

        from .briefings import BRIEF, BRIEF_READ
        from .selectors.leader import DASH_VIEW
        from .selectors.search import can_search

        leaders = {DASH_VIEW, BRIEF_READ}
        register_permissions({
            Role.DISTRICT_ADMIN: leaders | {BRIEF},
            Role.STREET_STAFF: leaders | {BRIEF},
            Role.COMMUNITY_SECRETARY: leaders | {BRIEF},
            Role.COMMUNITY_STAFF: leaders,
            Role.GRID_WORKER: {BRIEF_READ},  # a community's briefing is issued to its grids
        })
        register(
            MenuEntry("数据驾驶舱", "dashboard", DASH_VIEW, "工作台", 8),
            MenuEntry("全局搜索", "search", None, "工作台", 9, only_if=can_search),
            MenuEntry("简报", "briefings", BRIEF_READ, "工作台", 10),
        )
