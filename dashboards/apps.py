from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The top floor: pages that show more than one domain. It owns no models and registers nothing;
    each page calls the selectors of the domains it shows, directly."""

    name = "dashboards"
    verbose_name = "工作台与汇总"
