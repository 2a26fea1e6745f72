from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal (《中国无锡》门户网站): information disclosure (政务公开) and search.

    Its disclosure pages are Django views; news, notices, policy interpretations, organization and
    topic pages are Wagtail pages (``models_pages``), edited on the staff site (``urls_cms``).
    """

    name = "egov.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from egov.portal import pages_signals

        pages_signals.connect()
