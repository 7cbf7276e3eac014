"""API authentication: DRF tokens with an expiry (its own module: DRF imports it while loading its views)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .passwords import must_change


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF tokens that expire API_TOKEN_HOURS after issue and stop at once for a locked account
    (tokens are also deleted on a lock, a password change or reset, a deactivation)."""

    def authenticate_header(self, request):
        # First in DEFAULT_AUTHENTICATION_CLASSES: DRF answers an unauthenticated call 401 with this header.
        return f'{self.keyword} realm="api"'

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created + timedelta(hours=settings.API_TOKEN_HOURS) < timezone.now():
            token.delete()
            raise AuthenticationFailed("令牌已过期，请重新获取")
        if user.is_locked():
            raise AuthenticationFailed("账户已锁定，令牌不可用")
        if must_change(user):
            raise AuthenticationFailed("须先在网页上修改密码，才能使用接口")
        return user, token
