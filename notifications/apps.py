from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "消息通知"

    def ready(self):
        from django.urls import reverse

        from accounts.navigation import MenuEntry, register
        from core.views import HOME_CARDS

        from .selectors import unread_count

        register(MenuEntry("消息通知", "notifications:list", None, "工作台", 5))

        def card(request):
            return [("未读消息", unread_count(request.user), reverse("notifications:list"))]

        HOME_CARDS.append(card)
