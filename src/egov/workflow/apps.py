from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "egov.workflow"
    label = "workflow"
    verbose_name = "workflow"
