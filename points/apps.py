from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = "党员积分"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_global_permissions, register_permissions
        from vanguard.selectors import has_own_member

        from .rules import PERMISSIONS, P

        register_permissions(PERMISSIONS)
        register_global_permissions({P.SELF})
        register(
            MenuEntry("党员积分排行", "points:ranking", P.VIEW, "党员作用", 460),
            MenuEntry("我的积分", "points:my", P.SELF, "工作台", 22, also_for=has_own_member),
        )
