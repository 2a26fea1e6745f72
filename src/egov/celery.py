"""The Celery application. Tasks take ids and call an action; they are sent with ``transaction.on_commit``.

Broker: ``CELERY_BROKER_URL`` (Redis or RabbitMQ in production); the embedded default is the
SQLAlchemy transport on a SQLite file in ``var/``, so the demo needs no broker server.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")

app = Celery("egov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
