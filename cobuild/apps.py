from django.apps import AppConfig


class CobuildConfig(AppConfig):
    name = "cobuild"
    verbose_name = "共驻共建"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_permissions

        from .rules import PERMISSIONS, P

        register_permissions(PERMISSIONS)
        register(
            MenuEntry("驻区单位", "cobuild:index", P.VIEW, "共驻共建", 300),
            MenuEntry("共建协议", "cobuild:agreements", P.VIEW, "共驻共建", 301),
            MenuEntry("需求与资源对接", "cobuild:matching", P.VIEW, "共驻共建", 302),
            MenuEntry("项目清单", "cobuild:projects", P.VIEW, "共驻共建", 303),
            MenuEntry("实事台帐", "cobuild:ledger", P.VIEW, "共驻共建", 304),
            MenuEntry("达标情况", "cobuild:shortfalls", P.VIEW, "共驻共建", 305),
            MenuEntry("结对帮扶", "cobuild:pairings", P.VIEW, "共驻共建", 306),
            MenuEntry("大事记", "cobuild:chronicle", P.EDIT, "共驻共建", 307),
            MenuEntry("星光榜", "cobuild:stars", P.VIEW, "共驻共建", 308),
            MenuEntry("共建规则", "cobuild:rules", P.RULES, "共驻共建", 309),
        )
