from rest_framework import permissions, serializers, viewsets

from .models import AuditEntry
from .perms import AUDIT_VIEW


class CanReadAuditLog(permissions.BasePermission):
    message = "您没有访问此接口的权限"

    def has_permission(self, request, view) -> bool:
        return request.user.has_perm(AUDIT_VIEW)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "actor_name", "action", "object_type", "object_id", "object_repr",
                  "changes", "purpose", "ip"]


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log, read-only, for the audit admin. There is no write endpoint at all."""

    serializer_class = AuditEntrySerializer
    permission_classes = [permissions.IsAuthenticated, CanReadAuditLog]
    queryset = AuditEntry.objects.all()
    filterset_fields = ["action", "object_type", "actor"]

ROUTES = [("audit", AuditEntryViewSet, "auditentry")]
