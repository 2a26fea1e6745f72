from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "egov.trust"
    label = "trust"
    verbose_name = "trust"
