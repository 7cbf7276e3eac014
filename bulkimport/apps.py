from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Excel bulk import shared by every app. Its jobs (core.ImportJob) stay core's table."""

    name = "bulkimport"
    verbose_name = "批量导入"
