# The Celery app is loaded with Django so that shared tasks sent from web processes use egov's
# settings (broker, CELERY_TASK_ALWAYS_EAGER) and not Celery's default app (amqp://localhost).
from egov.celery import app as celery_app

__all__ = ["celery_app"]
