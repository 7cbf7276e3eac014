from rest_framework import serializers

from accounts.apis import ScopedReadOnlyViewSet
from accounts.roles import Perm

from .models import PartyOrg


class PartyOrgSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    form_label = serializers.CharField(source="get_form_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = PartyOrg
        fields = ["id", "name", "level", "level_label", "form", "form_label", "region", "region_name", "parent",
                  "host_name", "secretary_name", "established_on"]


class PartyOrgViewSet(ScopedReadOnlyViewSet):
    """Party organizations attached to nodes within the caller's scope."""

    serializer_class = PartyOrgSerializer
    required_perm = Perm.TREE_VIEW
    base_queryset = PartyOrg.objects.select_related("region").order_by("region__path", "id")
    filterset_fields = ["level", "region", "parent"]

ROUTES = [("orgs", PartyOrgViewSet, "partyorg")]
