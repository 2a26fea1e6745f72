from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Official documents (公文) per 党政机关公文处理工作条例 (2012) and GB/T 9704-2012."""

    name = "egov.documents"
    label = "documents"
    verbose_name = _("Official documents")
