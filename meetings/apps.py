from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "议事机构与会议"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_permissions
        from cobuild.selectors import ATTENDANCE_SOURCES, CHRONICLE_SOURCES

        from .rules import PERMISSIONS, P
        from .selectors import chronicle_lines, unit_attendance

        register_permissions(PERMISSIONS)
        register(
            MenuEntry("议事机构", "meetings:index", P.VIEW, "议事协调", 320),
            MenuEntry("会议日历", "meetings:calendar", P.VIEW, "议事协调", 321),
            MenuEntry("会议频次规则", "meetings:rules", P.RULES, "议事协调", 322),
        )
        if unit_attendance not in ATTENDANCE_SOURCES:
            ATTENDANCE_SOURCES.append(unit_attendance)
        if chronicle_lines not in CHRONICLE_SOURCES:
            CHRONICLE_SOURCES.append(chronicle_lines)
