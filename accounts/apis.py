"""API building blocks that apply the data scope, and the account endpoints."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from . import services, twofactor
from .passwords import must_change
from .roles import Role
from .scope import has_perm, roles_of, scope_filter


class HasPerm(permissions.BasePermission):
    """Allow only users holding the view's `required_perm` somewhere."""

    message = "您没有访问此接口的权限"

    def has_permission(self, request, view):
        perm = getattr(view, "required_perm", None)
        return bool(request.user and request.user.is_authenticated and (perm is None or has_perm(request.user, perm)))


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and retrieve within the caller's scope for `required_perm`: outside it is a 404."""

    permission_classes = [permissions.IsAuthenticated, HasPerm]
    required_perm: str = ""
    base_queryset = None

    def get_queryset(self):
        return scope_filter(self.base_queryset.all(), self.request.user, self.required_perm)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    otp = serializers.CharField(max_length=10, required=False, allow_blank=True,
                                help_text="双因素认证的 6 位验证码（已启用双因素认证的账户必填）")


@extend_schema(request=LoginSerializer, responses=inline_serializer(
    "Token", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}))
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
def obtain_token(request):
    """Exchange username and password for an API token (the same lockout as the login page)."""
    s = LoginSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    data = s.validated_data
    result = services.login_attempt(request=request._request, channel="api",
                                    username=data["username"], password=data["password"])
    if result.user is None:
        return Response({"detail": result.error}, status=status.HTTP_400_BAD_REQUEST)
    user = result.user
    reason = must_change(user)
    if reason:
        return Response({"detail": f"{reason}（请在网页上修改后再获取令牌）"}, status=status.HTTP_400_BAD_REQUEST)
    device = twofactor.confirmed_device(user)
    if device is None and twofactor.required(user):
        return Response({"detail": "您的角色须使用双因素认证：请先在网页上绑定身份验证器"},
                        status=status.HTTP_400_BAD_REQUEST)
    if device is not None and not twofactor.check(device, data.get("otp", "")):
        request._request.user = user
        error = services.second_factor_failed(request=request._request, user=user) if data.get("otp") else \
            "该账户已启用双因素认证，请同时提交 otp（身份验证器上的 6 位验证码）"
        return Response({"detail": error}, status=status.HTTP_400_BAD_REQUEST)
    token = Token.objects.filter(user=user).first()
    if token is not None and token.created + timedelta(hours=settings.API_TOKEN_HOURS) < timezone.now():
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
    expires = timezone.localtime(token.created + timedelta(hours=settings.API_TOKEN_HOURS))
    return Response({"token": token.key, "expires": expires.isoformat()})


@extend_schema(responses=inline_serializer("Me", {
    "username": serializers.CharField(), "full_name": serializers.CharField(),
    "roles": serializers.ListField(child=serializers.DictField()), "role_codes": serializers.ListField(),
}))
@api_view(["GET"])
def me(request):
    """The caller: account, roles with their scope nodes."""
    user = request.user
    if not user.is_authenticated:
        raise NotAuthenticated()
    return Response({
        "username": user.username,
        "full_name": user.full_name,
        "roles": [
            {"role": a.role, "label": Role(a.role).label, "region": a.region_id, "region_name": str(a.region or "")}
            for a in user.role_assignments.select_related("region")
        ],
        "role_codes": sorted(roles_of(user)),
    })
