from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = "接诉即办"

    def ready(self):
        from django.urls import reverse

        from accounts.navigation import MenuEntry, register
        from accounts.roles import Role, register_permissions
        from accounts.scope import has_perm
        from core.views import HOME_CARDS
        from regions.selectors import NODE_COUNTERS

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

        def card(request):
            if not has_perm(request.user, P.VIEW):
                return []
            from .models import OPEN_STATES
            from .selectors import handler_queue, visible_demands

            qs = visible_demands(request.user).filter(state__in=OPEN_STATES)
            return [
                ("未办结诉求", qs.count(), reverse("demands:list") + "?state=open"),
                ("我的待办诉求", handler_queue(request.user).count(), reverse("demands:queue")),
            ]

        HOME_CARDS.append(card)

        def counter(nodes):
            from .selectors import open_counts_by_grid

            return {k: ("未办结诉求", v) for k, v in open_counts_by_grid([n.pk for n in nodes]).items()}

        NODE_COUNTERS.append(counter)

        # The grid map's "open events" colouring. Registered from here so that grid (L2) never imports
        # demands (L3); the grid app passes only the ids of grids the viewer may see.
        from django.apps import apps as django_apps

        if django_apps.is_installed("grid"):
            from grid.selectors import MAP_METRICS, MapMetric

            def open_events(grid_ids):
                from .selectors import open_counts_by_grid

                return open_counts_by_grid(grid_ids)

            if all(m.key != "open_events" for m in MAP_METRICS):
                MAP_METRICS.append(MapMetric("open_events", "未办结事件", open_events, "件"))
