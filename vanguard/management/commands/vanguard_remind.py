from django.core.management.base import BaseCommand

from vanguard import services


class Command(BaseCommand):
    help = "提醒承诺已逾期的党员（每条承诺每周最多提醒一次）"

    def handle(self, *args, **options):
        n = services.pledges_remind_overdue()
        self.stdout.write(f"已提醒 {n} 条逾期承诺")
