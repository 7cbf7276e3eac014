from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = "社区工作者队伍"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_permissions

        from .rules import PERMISSIONS, P

        register_permissions(PERMISSIONS)
        register(
            MenuEntry("社区工作者名册", "cadres:roster", P.VIEW, "社区工作者", 390),
            MenuEntry("队伍统计", "cadres:stats", P.VIEW, "社区工作者", 391),
            MenuEntry("人员配备达标", "cadres:quotas", P.VIEW, "社区工作者", 392),
            MenuEntry("培训管理", "cadres:training", P.VIEW, "社区工作者", 393),
            MenuEntry("后备和选派干部", "cadres:tracks", P.VIEW, "社区工作者", 394),
            MenuEntry("配备标准与培训要求", "cadres:rules", P.RULES, "社区工作者", 395),
        )
