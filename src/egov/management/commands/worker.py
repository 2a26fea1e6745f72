import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the Celery worker with the periodic scheduler (beat) embedded."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args, concurrency, **options):
        argv = [sys.executable, "-m", "celery", "-A", "egov", "worker", "--beat", "--loglevel", "INFO",
                "--concurrency", str(concurrency)]
        os.execv(sys.executable, argv)
