from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.apis import ScopedReadOnlyViewSet
from accounts.roles import Perm

from .models import Region


class RegionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)

    class Meta:
        model = Region
        fields = ["id", "name", "kind", "kind_label", "town", "division_code", "parent", "path", "depth"]


class RegionViewSet(ScopedReadOnlyViewSet):
    """The territory tree within the caller's scope (a node outside it answers 404)."""

    serializer_class = RegionSerializer
    required_perm = Perm.TREE_VIEW
    base_queryset = Region.objects.order_by("path")
    filterset_fields = ["kind", "parent"]

    @extend_schema(responses=RegionSerializer(many=True))
    @action(detail=True)
    def children(self, request, pk=None):
        node = self.get_object()
        qs = self.get_queryset().filter(parent=node)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=RegionSerializer(many=True))
    @action(detail=True)
    def descendants(self, request, pk=None):
        node = self.get_object()
        qs = self.get_queryset().filter(path__gt=node.path).filter(
            pk__in=Region.objects.under(node.path, include_self=False).values("pk")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=RegionSerializer(many=True))
    @action(detail=False, pagination_class=None)
    def roots(self, request):
        """The caller's top nodes (a plain list: there are only a few)."""
        from .selectors import region_roots

        return Response(self.get_serializer(region_roots(request.user), many=True).data)

ROUTES = [("regions", RegionViewSet, "region")]
