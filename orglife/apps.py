from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "orglife"
    verbose_name = "组织生活"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_global_permissions, register_permissions

        from .rules import PERMISSIONS, P
        from .selectors import has_own_member

        register_permissions(PERMISSIONS)
        register_global_permissions({P.SELF})
        register(
            MenuEntry("三会一课", "orglife:sessions", P.VIEW, "组织生活", 360),
            MenuEntry("组织生活频次", "orglife:cadence", P.VIEW, "组织生活", 361),
            MenuEntry("发展党员", "orglife:pipeline", P.VIEW, "组织生活", 362),
            MenuEntry("民主评议党员", "orglife:reviews", P.VIEW, "组织生活", 363),
            MenuEntry("组织生活统计", "orglife:stats", P.VIEW, "组织生活", 364),
            MenuEntry("关爱党员", "orglife:care", P.VIEW, "组织生活", 365),
            MenuEntry("我的组织生活", "orglife:my", P.SELF, "工作台", 25, also_for=has_own_member),
        )
