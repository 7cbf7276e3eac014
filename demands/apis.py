"""REST API: demands within the caller's scope (read-only; writes go through the pages and Open311)."""

from rest_framework import serializers

from accounts.apis import ScopedReadOnlyViewSet

from .models import Demand, DemandEvent
from .rules import DemandPerm


class DemandEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DemandEvent
        fields = ["action", "from_state", "to_state", "actor_label", "note", "created_at"]


class DemandSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    caller_name = serializers.CharField(source="caller_name_masked", read_only=True)
    caller_phone = serializers.CharField(source="caller_phone_masked", read_only=True)
    events = DemandEventSerializer(many=True, read_only=True)

    class Meta:
        model = Demand
        fields = [
            "id", "tracking_code", "channel", "category", "title", "description", "address", "lat", "lng",
            "region", "region_name", "household_id", "caller_name", "caller_phone", "anonymous", "state",
            "version", "escalation", "overdue", "assignee_user", "assignee_unit", "submitted_at", "response_due",
            "handling_due", "responded_at", "handled_at", "closed_at", "satisfaction", "events",
        ]


class DemandViewSet(ScopedReadOnlyViewSet):
    """Resident demands within the caller's scope (outside it: 404). Phones and names masked."""

    serializer_class = DemandSerializer
    required_perm = DemandPerm.VIEW
    base_queryset = Demand.objects.select_related("category", "region").prefetch_related("events").order_by("-id")
    filterset_fields = ["state", "channel", "overdue", "escalation", "region"]


ROUTES = [("demands", DemandViewSet, "demand")]
