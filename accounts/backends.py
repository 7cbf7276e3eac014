from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked account on every path (form login, API token, admin)."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not user.is_locked()
