from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "消息通知"

    def ready(self):
        from accounts.navigation import MenuEntry, register

        register(MenuEntry("消息通知", "notifications:list", None, "工作台", 5))
