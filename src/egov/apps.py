from django.apps import AppConfig


class EgovConfig(AppConfig):
    """The project package itself: the ``egov`` commands that span every part (demo, serve,
    worker, smoke) live in ``egov/management/commands``."""

    name = "egov"
    label = "egov"
    verbose_name = "egov"
