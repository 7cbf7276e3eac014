from django.urls import path, re_path

from . import open311 as views

app_name = "open311"
F = r"\.(?P<fmt>[a-z]+)$"
urlpatterns = [
    path("discovery.json", views.discovery, name="discovery"),
    re_path(r"^v2/services" + F, views.services, name="services"),
    re_path(r"^v2/services/(?P<code>[-\w]+)" + F, views.service_definition, name="service"),
    re_path(r"^v2/requests" + F, views.requests_view, name="requests"),
    re_path(r"^v2/requests/(?P<rid>[-\w]+)" + F, views.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<tok>[-\w]+)" + F, views.token, name="token"),
]
