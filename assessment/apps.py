from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "督查考核"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_permissions

        from .rules import PERMISSIONS, P

        register_permissions(PERMISSIONS)
        register(
            MenuEntry("重点任务", "assessment:index", P.VIEW, "督查考核", 400),
            MenuEntry("任务清单", "assessment:lists", P.DIRECT, "督查考核", 401),
            MenuEntry("每周纪实", "assessment:weekly", P.VIEW, "督查考核", 402),
            MenuEntry("月调度", "assessment:dispatches", P.VIEW, "督查考核", 403),
            MenuEntry("难题会商", "assessment:problems", P.VIEW, "督查考核", 404),
            MenuEntry("督查整改", "assessment:inspections", P.VIEW, "督查考核", 405),
            MenuEntry("考核评分", "assessment:schemes", P.VIEW, "督查考核", 406),
            MenuEntry("工作准入", "assessment:admission", P.VIEW, "督查考核", 407),
            MenuEntry("创建评选", "assessment:campaigns", P.VIEW, "督查考核", 408),
        )

