from django.core.management.base import BaseCommand

from core.demo import load_all


class Command(BaseCommand):
    help = "Load the demo deployment (each step once; safe to run again)."

    def handle(self, *args, **options):
        loaded = load_all(self.stdout)
        if not loaded:
            self.stdout.write("演示数据已是最新，无需加载")
