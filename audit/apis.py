from rest_framework import permissions, serializers, viewsets

from accounts.apis import HasPerm
from accounts.roles import Perm

from .models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "actor_name", "action", "object_type", "object_id", "object_repr",
                  "changes", "purpose", "ip"]


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log, read-only, for the audit admin. There is no write endpoint at all."""

    serializer_class = AuditEntrySerializer
    permission_classes = [permissions.IsAuthenticated, HasPerm]
    required_perm = Perm.AUDIT_VIEW
    queryset = AuditEntry.objects.all()
    filterset_fields = ["action", "object_type", "actor"]

ROUTES = [("audit", AuditEntryViewSet, "auditentry")]
