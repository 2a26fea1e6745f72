"""The Celery application. Tasks take ids and call an action; they are sent with ``transaction.on_commit``.

Broker: ``CELERY_BROKER_URL`` (Redis or RabbitMQ in production); the embedded default is the
SQLAlchemy transport on a SQLite file in ``var/`` (``egov.core.broker``: with a visibility timeout), so
the demo needs no broker server. Tasks are acknowledged late: a task whose worker was killed runs again.
"""

import os

from celery import Celery
from celery.signals import worker_ready

import egov.core.broker  # noqa: F401 (registers the embedded broker's transport, egovsqla+)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")

app = Celery("egov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def anchor_audit_at_start(**kwargs) -> None:
    """Anchor the audit log's head as the worker starts (then Celery beat, every
    ``EGOV_AUDIT_ANCHOR_INTERVAL``): the tail is guarded from the start, not from the first beat."""
    from egov.audit.tasks import anchor

    anchor()
