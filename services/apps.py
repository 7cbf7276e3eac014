from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "便民服务"

    def ready(self):
        from accounts.navigation import MenuEntry, register
        from accounts.roles import register_permissions

        from .rules import PERMISSIONS, P
        from .selectors import is_provider

        register_permissions(PERMISSIONS)
        register(
            MenuEntry("服务订单", "services:orders", P.VIEW, "便民服务", 380),
            MenuEntry("代居民下单", "services:order_new", P.ORDER, "便民服务", 381),
            MenuEntry("服务目录", "services:catalogue", P.VIEW, "便民服务", 382),
            MenuEntry("全程代办", "services:errands", P.VIEW, "便民服务", 383),
            MenuEntry("就业服务", "services:jobs", P.VIEW, "便民服务", 384),
            MenuEntry("爱心超市", "services:charity", P.VIEW, "便民服务", 385),
            MenuEntry("场所预约", "services:venues", P.VIEW, "便民服务", 386),
            MenuEntry("值班安排", "services:duty", P.VIEW, "便民服务", 387),
            MenuEntry("我的服务订单", "services:provider_orders", None, "工作台", 26, only_if=is_provider),
        )
