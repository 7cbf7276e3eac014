"""The REST API. Each installed app may declare, in its `apis.py`, a list
`ROUTES = [(prefix, ViewSet, basename), ...]`; they are all registered on one router here, and
every one of them applies the data scope (see accounts/apis.py ScopedReadOnlyViewSet)."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.apis import me, obtain_token

router = DefaultRouter()
extra_urls = []
for config in apps.get_app_configs():
    if find_spec(f"{config.name}.apis") is None:
        continue
    module = import_module(f"{config.name}.apis")
    for prefix, viewset, basename in getattr(module, "ROUTES", []):
        router.register(prefix, viewset, basename=basename)
    extra_urls += getattr(module, "URLS", [])

urlpatterns = [
    path("auth/token/", obtain_token, name="api-token"),
    path("me/", me, name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads its script from a URL: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *extra_urls,
    path("", include(router.urls)),
]
