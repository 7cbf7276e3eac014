"""Build the cached Chinese font subset of the PDF cards now (deployment, `make run`), so the first
card anyone prints is as fast as the rest. Cards build it lazily when it is missing."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Build the cached CJK font subset used by the PDF member cards (in FONT_CACHE_DIR)"

    def handle(self, *args, **options):
        from members import documents

        documents.prepare_fonts()
        if options["verbosity"]:
            self.stdout.write(f"PDF card fonts ready in {documents.font_cache_dir()}")
