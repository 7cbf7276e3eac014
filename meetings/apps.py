from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "议事机构与会议"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_permissions
        from cobuild.selectors import ATTENDANCE_SOURCES, CHRONICLE_SOURCES
        from core.views import HOME_CARDS

        from .rules import PERMISSIONS, P
        from .selectors import chronicle_lines, is_unit_liaison, unit_attendance, unit_home_card

        register_permissions(PERMISSIONS)
        register(
            MenuEntry("议事机构", "meetings:index", P.VIEW, "议事协调", 320),
            MenuEntry("会议日历", "meetings:calendar", P.VIEW, "议事协调", 321),
            MenuEntry("会议频次规则", "meetings:rules", P.RULES, "议事协调", 322),
            # Exactly for the liaison of a unit (superusers included: the pages need the relation).
            MenuEntry("我单位的会议", "meetings:unit_meetings", None, "议事协调", 319, only_if=is_unit_liaison),
        )
        if unit_home_card not in HOME_CARDS:
            HOME_CARDS.append(unit_home_card)
        if unit_attendance not in ATTENDANCE_SOURCES:
            ATTENDANCE_SOURCES.append(unit_attendance)
        if chronicle_lines not in CHRONICLE_SOURCES:
            CHRONICLE_SOURCES.append(chronicle_lines)
