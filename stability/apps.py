from django.apps import AppConfig


class StabilityConfig(AppConfig):
    name = "stability"
    verbose_name = "维护稳定"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .models import restore_default_categories

        post_migrate.connect(restore_default_categories, sender=self, dispatch_uid="stability-default-categories")
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_global_permissions, register_permissions

        from .rules import PERMISSIONS, P
        from .selectors import has_patrol_posts

        register_permissions(PERMISSIONS)
        register_global_permissions({P.PATROL_SELF})
        register(
            MenuEntry("重点人员", "stability:people", P.KEY_VIEW, "维护稳定", 380),
            MenuEntry("信访与调解", "stability:cases", P.VIEW, "维护稳定", 381),
            MenuEntry("稳定信息报送", "stability:reports", P.VIEW, "维护稳定", 382),
            MenuEntry("民警与联防队", "stability:patrols", P.VIEW, "维护稳定", 383),
            MenuEntry("四知四清四掌握", "stability:checks", P.REPORT, "维护稳定", 384),
            MenuEntry("维稳月度统计", "stability:stats", P.VIEW, "维护稳定", 385),
            MenuEntry("我的巡逻", "stability:my_patrols", P.PATROL_SELF, "工作台", 26, also_for=has_patrol_posts),
        )
