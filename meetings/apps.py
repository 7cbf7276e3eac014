from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "议事机构与会议"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_permissions

        from .rules import PERMISSIONS, P
        from .selectors import is_unit_liaison

        register_permissions(PERMISSIONS)
        register(
            MenuEntry("议事机构", "meetings:index", P.VIEW, "议事协调", 320),
            MenuEntry("会议日历", "meetings:calendar", P.VIEW, "议事协调", 321),
            MenuEntry("会议频次规则", "meetings:rules", P.RULES, "议事协调", 322),
            # Exactly for the liaison of a unit (superusers included: the pages need the relation).
            MenuEntry("我单位的会议", "meetings:unit_meetings", None, "议事协调", 319, only_if=is_unit_liaison),
        )
