from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from core.views import home

admin.site.site_header = "党建引领基层治理平台 管理后台"
admin.site.site_title = "党建平台管理后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("regions/", include("regions.urls")),
    path("orgs/", include("orgs.urls")),
    path("audit/", include("audit.urls")),
    path("members/", include("members.urls")),
    path("grid/", include("grid.urls")),
    path("demands/", include("demands.urls")),
    path("cobuild/", include("cobuild.urls")),
    path("meetings/", include("meetings.urls")),
    path("notifications/", include("notifications.urls")),
    path("open311/", include("demands.open311_urls")),
    path("portal/", include("demands.portal_urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
