"""Background work (django-tasks): the daily reply reminder. Schedule `reply_reminders_task` (or
the management command `meetings_reply_reminders`) once a day, e.g. from cron."""

from django_tasks import task

from .services import reply_reminders


@task()
def reply_reminders_task() -> int:
    return reply_reminders()
