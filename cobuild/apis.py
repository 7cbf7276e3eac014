"""Read-only co-building API within the caller's scope (a liaison sees only their own unit)."""

from rest_framework import serializers

from accounts.apis import ScopedReadOnlyViewSet

from . import selectors
from .models import Agreement, Deed, Need, Project, ResidentUnit, Resource, StarRating
from .rules import P


class UnitSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = ResidentUnit
        fields = ["id", "name", "kind", "address", "region", "region_name", "party_org", "leader_name",
                  "has_volunteer_team"]


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "title", "unit", "region", "start", "end", "activities"]


class NeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = ["id", "title", "kind", "quantity", "status", "region", "agreement"]


class ResourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["id", "title", "kind", "capacity", "availability", "available", "unit", "region", "agreement"]


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "title", "region", "unit", "need", "resource", "owner_name", "deadline", "budget", "status",
                  "done_on"]


class DeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deed
        fields = ["id", "unit", "region", "project", "activity", "date", "title", "beneficiaries", "hours", "money",
                  "team_service"]


class StarSerializer(serializers.ModelSerializer):
    class Meta:
        model = StarRating
        fields = ["id", "unit", "region", "year", "deeds", "projects_done", "attendance_rate", "resident_rating",
                  "score", "computed_stars", "stars", "override_reason", "criticisms", "disqualified"]


class _Base(ScopedReadOnlyViewSet):
    required_perm = P.VIEW
    selector = None

    def get_queryset(self):
        return type(self).selector(self.request.user).order_by("pk")


class UnitViewSet(_Base):
    """Resident units (驻区单位)."""

    serializer_class = UnitSerializer
    base_queryset = ResidentUnit.objects.all()
    selector = staticmethod(selectors.units)
    filterset_fields = ["region", "kind"]


class AgreementViewSet(_Base):
    """Co-building agreements."""

    serializer_class = AgreementSerializer
    base_queryset = Agreement.objects.all()
    selector = staticmethod(selectors.agreements)
    filterset_fields = ["unit", "region"]


class NeedViewSet(_Base):
    """The needs list."""

    serializer_class = NeedSerializer
    base_queryset = Need.objects.all()
    selector = staticmethod(selectors.needs)
    filterset_fields = ["status", "kind", "region"]


class ResourceViewSet(_Base):
    """The resources list."""

    serializer_class = ResourceSerializer
    base_queryset = Resource.objects.all()
    selector = staticmethod(selectors.resources)
    filterset_fields = ["unit", "region", "kind", "available"]


class ProjectViewSet(_Base):
    """The projects list."""

    serializer_class = ProjectSerializer
    base_queryset = Project.objects.all()
    selector = staticmethod(selectors.projects)
    filterset_fields = ["status", "unit", "region"]


class DeedViewSet(_Base):
    """The ledger of deeds."""

    serializer_class = DeedSerializer
    base_queryset = Deed.objects.all()
    selector = staticmethod(selectors.deeds)
    filterset_fields = ["unit", "activity", "project"]


class StarViewSet(_Base):
    """Star ratings by year (filter with ?year=)."""

    serializer_class = StarSerializer
    base_queryset = StarRating.objects.all()
    filterset_fields = ["year", "stars", "unit", "region"]

    def get_queryset(self):
        return selectors.scoped(StarRating.objects.all(), self.request.user, "unit").order_by("pk")


ROUTES = [
    ("cobuild/units", UnitViewSet, "cobuild-unit"),
    ("cobuild/agreements", AgreementViewSet, "cobuild-agreement"),
    ("cobuild/needs", NeedViewSet, "cobuild-need"),
    ("cobuild/resources", ResourceViewSet, "cobuild-resource"),
    ("cobuild/projects", ProjectViewSet, "cobuild-project"),
    ("cobuild/deeds", DeedViewSet, "cobuild-deed"),
    ("cobuild/stars", StarViewSet, "cobuild-star"),
]
