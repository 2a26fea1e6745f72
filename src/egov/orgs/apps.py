from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "egov.orgs"
    label = "orgs"
    verbose_name = "organizations"
