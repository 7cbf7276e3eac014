"""The REST API: each app contributes its viewsets; every one applies the data scope."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.apis import me, obtain_token
from audit.apis import AuditEntryViewSet
from orgs.apis import PartyOrgViewSet
from regions.apis import RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("orgs", PartyOrgViewSet, basename="partyorg")
router.register("audit", AuditEntryViewSet, basename="auditentry")

urlpatterns = [
    path("auth/token/", obtain_token, name="api-token"),
    path("me/", me, name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
