from django.apps import AppConfig

from .inputguard import install, patch_fields

# Bounded numbers and no control characters in every form and serializer field: patched before any
# app's ready() builds a form (see core.inputguard).
patch_fields()


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        install()  # the same checks on every save() of a project model
        from django.db.backends.signals import connection_created

        from .observability import install_slow_query_log

        connection_created.connect(install_slow_query_log, dispatch_uid="dangjian-slow-query-log")
