from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top floor's public side: every page a resident opens without an account (demand intake and
    tracking, the five-star board). It owns no models; each page calls the domain apps' selectors
    and services directly."""

    name = "portal"
    verbose_name = "公众门户"
