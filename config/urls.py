from django.contrib import admin
from django.urls import include, path

from cobuild import urls as cobuild_urls
from dashboards import urls as dashboards_urls
from grid import urls as grid_urls
from orgs import urls as orgs_urls
from portal import urls as portal_urls
from regions import urls as regions_urls

admin.site.site_header = "党建引领基层治理平台 管理后台"
admin.site.site_title = "党建平台管理后台"
admin.site.index_title = "数据管理"


def joined(namespace: str, *pattern_lists):
    """One URL namespace served by more than one app: a page that moved up to dashboards/ or portal/
    keeps its address and its name (`regions:detail`, `cobuild:public_stars`, ...)."""
    return include(([p for patterns in pattern_lists for p in patterns], namespace))


urlpatterns = [
    path("", include(dashboards_urls)),
    path("accounts/", include("accounts.urls")),
    path("regions/", joined("regions", dashboards_urls.regions_urlpatterns, regions_urls.urlpatterns)),
    path("orgs/", joined("orgs", dashboards_urls.orgs_urlpatterns, orgs_urls.urlpatterns)),
    path("audit/", include("audit.urls")),
    path("members/", include("members.urls")),
    path("grid/", joined("grid", dashboards_urls.grid_urlpatterns, grid_urls.urlpatterns)),
    path("demands/", include("demands.urls")),
    path("cobuild/", joined("cobuild", dashboards_urls.cobuild_urlpatterns, portal_urls.cobuild_urlpatterns,
                            cobuild_urls.urlpatterns)),
    path("meetings/", include("meetings.urls")),
    path("vanguard/", include("vanguard.urls")),
    path("orglife/", include("orglife.urls")),
    path("stability/", include("stability.urls")),
    path("services/", include("services.urls")),
    path("stewardship/", include("stewardship.urls")),
    path("cadres/", include("cadres.urls")),
    path("network/", include("network.urls")),
    path("points/", include("points.urls")),
    path("assessment/", include("assessment.urls")),
    path("notifications/", include("notifications.urls")),
    path("open311/", include("demands.open311_urls")),
    path("portal/", include(portal_urls)),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
# No /media/ route: uploads are private and read only through scoped, audited views (audit.downloads).
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
