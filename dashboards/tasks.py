"""Background work (django-tasks): the rollup refresh of the leaders' dashboards. Schedule
`rollup_refresh_task` (or `manage.py dashboards_refresh`) every 10 minutes and with `full=True`
nightly (docs/dashboards.md)."""

from django_tasks import task

from .rollup import rollup_refresh


@task()
def rollup_refresh_task(full: bool = False) -> dict:
    run = rollup_refresh(full=full)
    return {"full": run.full, "days": run.days, "seconds": run.seconds}
