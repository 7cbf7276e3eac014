from django.apps import AppConfig


class VanguardConfig(AppConfig):
    name = "vanguard"
    verbose_name = "党员作用发挥"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_global_permissions, register_permissions

        from .rules import PERMISSIONS, P
        from .selectors import has_own_member

        register_permissions(PERMISSIONS)
        register_global_permissions({P.SELF})
        register(
            MenuEntry("党员岗位", "vanguard:posts", P.VIEW, "党员作用", 400),
            MenuEntry("党员承诺", "vanguard:pledges", P.VIEW, "党员作用", 410),
            MenuEntry("党员责任区", "vanguard:zones", P.VIEW, "党员作用", 420),
            MenuEntry("志愿服务", "vanguard:activities", P.VIEW, "党员作用", 430),
            MenuEntry("服务标兵", "vanguard:stars", P.VIEW, "党员作用", 440),
            MenuEntry("三亮公示栏（公开）", "portal:sanliang_index", P.VIEW, "党员作用", 450),
            MenuEntry("社区党员作用一览", "vanguard:community", P.VIEW, "党员作用", 405),
            MenuEntry("我的岗位与承诺", "vanguard:my", P.SELF, "工作台", 21, also_for=has_own_member),
            MenuEntry("志愿服务活动", "vanguard:my_activities", P.SELF, "工作台", 23, also_for=has_own_member),
        )
