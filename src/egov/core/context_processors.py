from django.conf import settings

# Settings every page's header and footer show (templates/base.html).
_SHOWN = ("EGOV_SITE", "EGOV_SITE_NAME", "EGOV_CITY_NAME", "EGOV_EMBLEM_URL", "EGOV_HOTLINE",
          "EGOV_HOTLINE_NAME", "EGOV_CONTACT_EMAIL", "EGOV_CONTACT_ADDRESS")


def site(request):
    """Expose which site is served (``public`` | ``staff`` | ``all``), its name, the city's name and
    emblem, the hotline and contacts to templates."""
    return {name: getattr(settings, name) for name in _SHOWN}
