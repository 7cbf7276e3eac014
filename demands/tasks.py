"""Background work (django-tasks): the periodic escalation. Schedule `escalate_demands_task`
(or the management command `escalate_demands`) every few minutes, e.g. from cron."""

from django_tasks import task

from .services import escalate_overdue


@task()
def escalate_demands_task() -> dict:
    return escalate_overdue()
