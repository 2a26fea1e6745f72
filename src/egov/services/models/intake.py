"""The intake inbox (外网受理、内网办理): what the public site stores of a submission, answered at
once with a receipt, before the staff side's worker turns it into a case (办件).

The public site only inserts intake records (one row, its files' bytes inside it, and reads them
back for the applicant); the worker (``egov.services.actions.intake.intake_process_next``) stores
the files, audits the receipt and changes the record's state in the same transaction as it creates
the case, and the case points back at its record with a unique reference, so a record becomes at
most one case however often the worker is killed and restarted.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.services.models.applications import QUERY_CODE_ALPHABET, query_code_new
from egov.services.models.catalog import Material, ServiceItem


class IntakeState(models.TextChoices):
    """Where an intake record stands: waiting for the worker, turned into a case, or failed."""

    WAITING = "waiting", _("Received, being registered")  # 受理中
    DONE = "done", _("Submitted")  # 已提交: the case exists
    FAILED = "failed", _("Failed")  # 失败: the reason is shown; an operator may retry


def receipt_new() -> str:
    """A receipt number: ``SL`` + the local date (YYYYMMDD) + 8 characters of ``QUERY_CODE_ALPHABET``
    (about 40 bits), e.g. ``SL20261206K7QM3XRA``: unique (the column is), and not guessable."""
    return "SL" + timezone.localdate().strftime("%Y%m%d") + "".join(
        secrets.choice(QUERY_CODE_ALPHABET) for _ in range(8))


class IntakeRecord(models.Model):
    """One online submission as received by the public site (受理回执), waiting to become a case.

    ``receipt`` and ``query_code`` are given to the applicant at once; the case made of this record
    takes over ``query_code``, so one code follows the submission before and after it has its 办件编号.
    ``files`` is ``[{"material": id, "sha256": hex, "kind": StoredFile.Kind, "size": bytes}]``, the
    files the public site checked (kind by their bytes, size) and kept in ``content``, their bytes one
    after the other in that order; the worker stores them in the file store (``facilities.files``)
    with the case and then empties ``content`` (NULL). ``client_ip`` and ``request_id`` are the
    submitting request's, for the ``services.intake.receive`` audit event the worker writes.
    ``idempotency_key`` is unique per applicant; ``request_digest`` (SHA-256 of item,
    form and files) tells a true repeat from other content sent under a reused key. ``error`` of a
    failed record is ``{"message", "extra", "status"}`` in the shape of an API error. The worker
    takes waiting records in the order of ``id`` (FIFO by receipt). ``replaces`` is the failed record
    that the applicant applied again for from its receipt (``replaced_by`` the other way, at most one).
    """

    receipt = models.CharField(_("receipt number"), max_length=20, unique=True, default=receipt_new)
    query_code = models.CharField(_("query code"), max_length=9, default=query_code_new)
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT,
                             related_name="+")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="intake_records")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    request_digest = models.CharField(_("request digest"), max_length=64)
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    files = models.JSONField(_("files"), default=list, blank=True)
    content = models.BinaryField(_("content of the files"), null=True, blank=True)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=IntakeState.choices, default=IntakeState.WAITING)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.JSONField(_("error"), default=dict, blank=True)
    # The failed submission this one applies again for (the receipt's "Apply again"), at most one per
    # failed submission (``intake_replaced_once``): once set, the operator's retry of that one is
    # refused, and the worker fails this one if that one was retried meanwhile, so that one
    # submission never becomes two cases.
    replaces = models.ForeignKey("self", verbose_name=_("replaces"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="replaced_by")

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "idempotency_key"], name="intake_idempotency_key"),
            # A failed submission is applied again for at most once: the public site's INSERT itself
            # refuses a second replacement (it may not lock the failed record: no UPDATE right).
            models.UniqueConstraint(fields=["replaces"], name="intake_replaced_once"),
        ]
        indexes = [
            # The worker's queue: only waiting records, in order.
            models.Index(fields=["id"], name="intake_waiting", condition=models.Q(state="waiting")),
            models.Index(fields=["state", "id"], name="intake_state"),
        ]
        verbose_name = _("intake record")
        verbose_name_plural = _("intake records")

    def __str__(self) -> str:
        return self.receipt

    @property
    def number(self) -> str:
        """What names this submission to people: its case's tracking number once it has one, else the
        receipt (``facilities.idempotency.submitted_before`` names the first submission by it)."""
        if self.state == IntakeState.DONE:
            application = getattr(self, "application", None)
            if application is not None:
                return application.number
        return self.receipt


class KeptUpload(models.Model):
    """A good file of an apply form sent back with an error, kept so that the applicant need not
    choose it again (the apply page's ``kept-material-<id>`` token, signed for ``user`` and
    ``material``, names it; valid for a day). Intake-side storage like ``IntakeRecord``: the public
    site only inserts and reads these (no file store, no audit event: its role may not write
    those); the file goes into the intake record's ``content`` when the form is sent, and the daily
    ``services.intake_sweep`` deletes kept uploads a day old. ``kind`` is ``StoredFile.Kind`` found
    from the bytes, ``size`` in bytes, ``sha256`` hex."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE,
                             related_name="+")
    material = models.ForeignKey(Material, verbose_name=_("material"), on_delete=models.CASCADE, related_name="+")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content of the file"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("kept upload")
        verbose_name_plural = _("kept uploads")

    def __str__(self) -> str:
        return f"{self.material_id}:{self.sha256[:12]}"
