from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked account on every path (form login, API token, admin), and that
    answers Django's ``user.has_perm(perm)`` from the user's roles as well (``accounts.scope.has_perm``:
    the permission held anywhere), so that an app below accounts (audit's log, the bulk import) checks a
    permission without importing accounts."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not user.is_locked()

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        from .scope import has_perm as role_has_perm

        if obj is None and user_obj.is_active and role_has_perm(user_obj, perm):
            return True
        return super().has_perm(user_obj, perm, obj)
