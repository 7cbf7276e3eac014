from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与权限"

    def ready(self):
        from . import middleware  # noqa: F401  (connects user_logged_in: the session's sign-in time)
