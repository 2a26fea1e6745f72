"""The two tables of the shared facilities: notifications and stored files.

Both tables were created by ``services`` (where these facilities began) and kept their names when
they moved here (``db_table``; ``services`` migration 0006 handed them over without touching rows).
"""

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from egov.core.i18n import pick


class Notification(models.Model):
    """A message to one user (站内消息), citizen or staff; ``emailed_at`` is set once the e-mail was sent.

    ``link_name`` and ``link_args`` name the page the message is about as a URL name and its
    arguments (``"services:application"``, ``["320200001-…"]``), chosen by the app that sent it and
    resolved when shown (``url``): the sender need not know which site shows the message.

    Written in both languages when it is sent (``subject``/``body`` Chinese, ``subject_en``/``body_en``
    English, ``notifications.in_both_languages``), since it is read later in whichever language the
    reader chooses; ``local_subject``/``local_body`` give the one of the page's language
    (``egov.core.i18n``).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    subject_en = models.CharField(_("subject in English"), max_length=300, blank=True)
    body_en = models.TextField(_("message in English"), blank=True)
    link_name = models.CharField(_("page"), max_length=100, blank=True)
    link_args = models.JSONField(_("page arguments"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        db_table = "services_notification"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.subject

    @property
    def local_subject(self) -> str:
        return pick(self.subject, self.subject_en)

    @property
    def local_body(self) -> str:
        return pick(self.body, self.body_en)

    @property
    def url(self) -> str:
        """The path of the page the message is about, or ``""`` when it has none or the site showing
        the message does not serve that page (a staff page in the public site)."""
        if not self.link_name:
            return ""
        try:
            return reverse(self.link_name, args=[str(arg) for arg in self.link_args])
        except NoReverseMatch:
            return ""


class StoredFile(models.Model):
    """One stored blob, named by the SHA-256 of its bytes (content-addressed; stored once).

    The bytes live at ``MEDIA_ROOT/materials/<h[0:2]>/<h[2:4]>/<h>`` (``egov.facilities.files``).
    ``kind`` is what the bytes are, found from their magic numbers, never from the client's file name
    or content type. A stored file has no owner: the app whose record points at it decides who may
    download it.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        OFD = "ofd", "OFD"
        OLE2 = "ole2", "DOC/XLS/WPS"
        OOXML = "ooxml", "DOCX/XLSX"

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    kind = models.CharField(_("file type"), max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "services_storedfile"
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… {self.kind} {self.size} B"
