from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal (《中国无锡》门户网站): information disclosure (政务公开) and search.

    Its pages are Django views for now; Wagtail pages (news, service guides, letters to the mayor)
    join it when the portal's CMS issue comes (ARCHITECTURE.md).
    """

    name = "egov.portal"
    label = "portal"
    verbose_name = _("Portal")
