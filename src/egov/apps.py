from django.apps import AppConfig
from django.utils.translation import gettext_noop

# Strings the project catalogue (LOCALE_PATHS, searched before every app's) must hold although no
# file of this package shows them: django.contrib.admin translates "Filter" as 过滤器, and the
# lists' filter buttons ({% translate "Filter" %}) read 筛选. Kept here so that `make messages`
# keeps them.
CATALOGUE_OVERRIDES = (gettext_noop("Filter"),)


class EgovConfig(AppConfig):
    """The project package itself: the ``egov`` commands that span every part (demo, serve,
    worker, smoke) live in ``egov/management/commands``."""

    name = "egov"
    label = "egov"
    verbose_name = "egov"

    def ready(self) -> None:
        # The wiring of sibling apps (exchange record sources, the service hall's 免提交 provider).
        from egov.wiring import wire

        wire()
