"""Template tags of the public site's display modes (``portal.views_display``)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def kiosk_idle_seconds() -> int:
    """``EGOV_KIOSK_IDLE_SECONDS``: seconds without a touch before a kiosk's session ends."""
    return settings.EGOV_KIOSK_IDLE_SECONDS


@register.simple_tag
def kiosk_warn_seconds() -> int:
    """``EGOV_KIOSK_WARN_SECONDS``: seconds of countdown shown before it ends."""
    return min(settings.EGOV_KIOSK_WARN_SECONDS, settings.EGOV_KIOSK_IDLE_SECONDS)
