from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "联系社区网络"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_permissions

        from .rules import PERMISSIONS, P

        register_permissions(PERMISSIONS)
        register(
            MenuEntry("联系社区总览", "network:index", P.VIEW, "联系社区", 390),
            MenuEntry("联系社区县领导", "network:leaders", P.VIEW, "联系社区", 391),
            MenuEntry("本季度未走访", "network:unvisited", P.VIEW, "联系社区", 392),
            MenuEntry("领办问题", "network:problems", P.VIEW, "联系社区", 393),
            MenuEntry("委员制与兼职委员", "network:committees", P.VIEW, "联系社区", 394),
            MenuEntry("业委会与物业", "network:compounds", P.VIEW, "联系社区", 395),
            MenuEntry("社会组织双孵化", "network:social_orgs", P.VIEW, "联系社区", 396),
        )
