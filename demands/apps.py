from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = "接诉即办"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import Role, register_permissions

        from .rules import DemandPerm as P

        handlers = {P.VIEW, P.HANDLE}
        register_permissions({
            Role.DISTRICT_ADMIN: handlers | {P.STATS, P.MANAGE},
            Role.STREET_STAFF: handlers | {P.STATS},
            Role.COMMUNITY_SECRETARY: handlers | {P.STATS},
            Role.COMMUNITY_STAFF: handlers | {P.STATS},
            Role.GRID_WORKER: handlers,
        })
        register(
            MenuEntry("诉求列表", "demands:list", P.VIEW, "接诉即办", 300),
            MenuEntry("我的待办", "demands:queue", P.HANDLE, "接诉即办", 301),
            MenuEntry("诉求登记", "demands:create", P.HANDLE, "接诉即办", 302),
            MenuEntry("街面上报", "demands:street_report", P.HANDLE, "接诉即办", 303),
            MenuEntry("周纪实", "demands:weekly", P.STATS, "接诉即办", 310),
            MenuEntry("月调度", "demands:monthly", P.STATS, "接诉即办", 311),
            MenuEntry("季化解", "demands:quarterly", P.STATS, "接诉即办", 312),
            MenuEntry("诉求统计", "demands:stats", P.STATS, "接诉即办", 320),
            # Everyone who sees demands reads the calendar their deadlines are counted on;
            # the district admin (demands.manage) maintains it.
            MenuEntry("工作日历", "demands:calendar", P.VIEW, "接诉即办", 330),
        )

        from .workcalendar import connect_signals

        connect_signals()

        from django.db.models.signals import post_migrate

        from .defaults import restore_default_categories

        post_migrate.connect(restore_default_categories, sender=self, dispatch_uid="demands-default-categories")
