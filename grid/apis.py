"""Grid API: read-only, scoped like the pages (outside the scope is 404)."""

from rest_framework import serializers

from accounts.apis import ScopedReadOnlyViewSet
from core.masking import mask_id_number, mask_mobile

from .apps import GridPerm
from .models import Facility, GridProfile, Household, Resident, Visit


class GridProfileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="region.name", read_only=True)
    community = serializers.CharField(source="region.parent.name", read_only=True)
    primary_worker_name = serializers.SerializerMethodField()

    class Meta:
        model = GridProfile
        fields = ["id", "region", "name", "community", "code", "boundary", "center_lat", "center_lng",
                  "primary_worker", "primary_worker_name", "branch"]

    def get_primary_worker_name(self, obj) -> str:
        return obj.primary_worker.display_name if obj.primary_worker_id else ""


class GridProfileViewSet(ScopedReadOnlyViewSet):
    """Grid profiles (一格一档) with their WGS-84 boundary."""

    serializer_class = GridProfileSerializer
    required_perm = GridPerm.VIEW
    base_queryset = GridProfile.objects.select_related("region__parent", "primary_worker").order_by("region__path")
    filterset_fields = ["region", "code"]


class HouseholdSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="house.address", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "grid", "house", "address", "number", "head_name", "members", "is_care", "last_visited_at"]


class HouseholdViewSet(ScopedReadOnlyViewSet):
    serializer_class = HouseholdSerializer
    required_perm = GridPerm.VIEW
    base_queryset = Household.objects.select_related("house").order_by("grid_id", "id")
    filterset_fields = ["grid", "is_care"]


class ResidentSerializer(serializers.ModelSerializer):
    """Personal numbers are masked; the full values are only on the audited page."""

    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    care_tags = serializers.ListField(source="care_labels", read_only=True)
    # 入户日期: the stored day, or the day of registration on a row a raw loader wrote without it (as the pages).
    joined_on = serializers.DateField(source="joined_date", read_only=True, allow_null=True)

    class Meta:
        model = Resident
        fields = ["id", "grid", "household", "name", "gender", "birth_date", "id_number", "phone", "kind",
                  "relation", "care_tags", "arrival_date", "permit_expiry", "joined_on"]

    def get_id_number(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def get_phone(self, obj) -> str:
        return mask_mobile(obj.phone)


class ResidentViewSet(ScopedReadOnlyViewSet):
    serializer_class = ResidentSerializer
    required_perm = GridPerm.VIEW
    base_queryset = Resident.objects.order_by("grid_id", "id")
    filterset_fields = ["grid", "household", "kind"]


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "grid", "household", "worker", "visited_at", "findings", "lat", "lng"]


class VisitViewSet(ScopedReadOnlyViewSet):
    serializer_class = VisitSerializer
    required_perm = GridPerm.VIEW
    base_queryset = Visit.objects.order_by("-visited_at", "-id")
    filterset_fields = ["grid", "household", "worker"]


class FacilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Facility
        fields = ["id", "grid", "kind", "name", "lat", "lng", "state"]


class FacilityViewSet(ScopedReadOnlyViewSet):
    serializer_class = FacilitySerializer
    required_perm = GridPerm.VIEW
    base_queryset = Facility.objects.order_by("grid_id", "id")
    filterset_fields = ["grid", "kind", "state"]


ROUTES = [
    ("grid/grids", GridProfileViewSet, "grid-profile"),
    ("grid/households", HouseholdViewSet, "grid-household"),
    ("grid/residents", ResidentViewSet, "grid-resident"),
    ("grid/visits", VisitViewSet, "grid-visit"),
    ("grid/facilities", FacilityViewSet, "grid-facility"),
]
