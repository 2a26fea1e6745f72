from django.conf import settings


def site(request):
    """Expose which site is served (``public`` | ``staff`` | ``all``) and its name to templates."""
    return {"EGOV_SITE": settings.EGOV_SITE, "EGOV_SITE_NAME": settings.EGOV_SITE_NAME}
