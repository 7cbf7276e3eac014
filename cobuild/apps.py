from django.apps import AppConfig


class CobuildConfig(AppConfig):
    name = "cobuild"
    verbose_name = "共驻共建"
