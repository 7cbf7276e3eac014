from django.apps import AppConfig


class StewardshipConfig(AppConfig):
    name = "stewardship"
    verbose_name = "经费阵地资产"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_permissions

        from .rules import PERMISSIONS, P

        register_permissions(PERMISSIONS)
        register(
            MenuEntry("经费阵地资产总览", "stewardship:index", P.VIEW, "经费阵地资产", 380),
            MenuEntry("社区经费", "stewardship:funds", P.VIEW, "经费阵地资产", 381),
            MenuEntry("办公活动场所", "stewardship:premises", P.VIEW, "经费阵地资产", 382),
            MenuEntry("固定资产台帐", "stewardship:assets", P.VIEW, "经费阵地资产", 383),
            MenuEntry("经费与资产审批", "stewardship:approvals", P.APPROVE, "经费阵地资产", 384),
            MenuEntry("经费标准与阵地规则", "stewardship:standards", P.RULES, "经费阵地资产", 385),
        )
