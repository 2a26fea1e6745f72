"""Letters to the mayor (市长信箱, 12345-style): the letter, its attachments, its timeline and the
counter behind its numbers.

A citizen or an enterprise writes a letter; the dispatcher (``Role.LETTER_DISPATCHER``, at 市政府办公室)
routes it to an organization, whose handlers (``Role.LETTER_HANDLER``) answer it within
``EGOV_LETTER_ANSWER_DAYS`` working days or send it back for re-routing; the writer rates the answer,
or withdraws (撤回) the letter while no answer has been given.
A letter is published (``/letters/``) only when the writer agreed and the dispatcher approved, with
the personal data masked (``public_*`` fields, written at approval). Status changes only through
``egov.portal.actions_letters`` (one transition table, ``LETTER_MOVES``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LetterTopic(models.TextChoices):
    """What a letter is about (the usual 12345 categories)."""

    CONSULTATION = "consultation", _("Consultation")  # 咨询
    SUGGESTION = "suggestion", _("Suggestion")  # 建议
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    HELP = "help", _("Request for help")  # 求助
    REPORT = "report", _("Report of wrongdoing")  # 举报
    PRAISE = "praise", _("Praise")  # 表扬


class LetterStatus(models.TextChoices):
    """Where a letter stands."""

    SUBMITTED = "submitted", pgettext_lazy("letter", "Waiting to be routed")  # 待分办
    ROUTED = "routed", pgettext_lazy("letter", "Being handled")  # 办理中: the answer period runs
    RETURNED = "returned", pgettext_lazy("letter", "Sent back for re-routing")  # 退回重新分办
    ANSWERED = "answered", pgettext_lazy("letter", "Answered")  # 已答复: waits for the writer's rating
    CLOSED = "closed", pgettext_lazy("letter", "Closed")  # 已办结: rated
    WITHDRAWN = "withdrawn", pgettext_lazy("letter", "Withdrawn")  # 已撤回 by its writer, before any answer


class LetterRating(models.TextChoices):
    """The writer's rating of the answer (满意度)."""

    SATISFIED = "satisfied", pgettext_lazy("letter rating", "Satisfied")  # 满意
    FAIRLY = "fairly", pgettext_lazy("letter rating", "Fairly satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", pgettext_lazy("letter rating", "Dissatisfied")  # 不满意


class Publication(models.TextChoices):
    """The dispatcher's decision on publishing a letter whose writer agreed."""

    PENDING = "", pgettext_lazy("letter publication", "Not decided")
    APPROVED = "approved", pgettext_lazy("letter publication", "Published")
    REFUSED = "refused", pgettext_lazy("letter publication", "Not published")


class Letter(models.Model):
    """One letter to the mayor.

    The writer's name, identity number (resident ID or USCC) and phone are copied when the letter
    is written; staff reading them is audited. ``due_on`` (a local date) is the last working day of
    the answer period, set at routing (``EGOV_LETTER_ANSWER_DAYS`` working days after the day of
    routing, or the next working day when routed on a day off). ``reopened_at`` is set once: an
    answer rated 不满意 may be sent back to the same organization one time. ``rating`` is the rating
    of the latest answer; the first answer and its rating stay on the timeline. ``answered_late``
    says whether the latest answer came after ``due_on`` (the on-time rate of the statistics).
    """

    number = models.CharField(pgettext_lazy("letter", "letter number"), max_length=32, unique=True)
    writer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("writer"), on_delete=models.PROTECT,
                               related_name="letters")
    writer_name = models.CharField(_("writer's name"), max_length=200)
    writer_id_number = models.CharField(_("identity number"), max_length=18)
    writer_phone = models.CharField(_("phone"), max_length=20, blank=True)
    topic = models.CharField(pgettext_lazy("letter", "topic"), max_length=20, choices=LetterTopic.choices)
    subject = models.CharField(pgettext_lazy("letter", "subject"), max_length=100)
    body = models.TextField(pgettext_lazy("letter", "letter"))
    publish_consent = models.BooleanField(_("writer agrees to publication"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=LetterStatus.choices,
                              default=LetterStatus.SUBMITTED, db_index=True)
    submitted_at = models.DateTimeField(_("written at"))
    organization = models.ForeignKey("orgs.Organization", verbose_name=_("handling organization"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="letters")
    routed_on = models.DateField(_("routed on"), null=True, blank=True)
    due_on = models.DateField(_("answer due by"), null=True, blank=True, db_index=True)
    return_reason = models.TextField(_("reason for sending back"), blank=True)
    answer_text = models.TextField(pgettext_lazy("letter", "answer"), blank=True)
    answered_at = models.DateTimeField(pgettext_lazy("letter", "answered at"), null=True, blank=True)
    answered_late = models.BooleanField(_("answered after the due date"), default=False)
    overdue_since = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    reminded_on = models.DateField(_("handlers reminded on"), null=True, blank=True)
    rating = models.CharField(pgettext_lazy("letter", "rating"), max_length=20, choices=LetterRating.choices,
                              blank=True)
    rating_comment = models.TextField(_("comment on the answer"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    publication = models.CharField(_("publication"), max_length=10, choices=Publication.choices, blank=True,
                                   default=Publication.PENDING)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    public_subject = models.CharField(_("published subject"), max_length=100, blank=True)
    public_body = models.TextField(_("published letter"), blank=True)
    public_answer = models.TextField(_("published answer"), blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["writer", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="letter_idempotency_key"),
        ]
        indexes = [models.Index(fields=["writer", "submitted_at"], name="letter_writer_time")]
        verbose_name = _("letter to the mayor")
        verbose_name_plural = _("letters to the mayor")

    def __str__(self) -> str:
        return self.number

    @property
    def is_published(self) -> bool:
        """True when the letter is on the public list."""
        return self.publication == Publication.APPROVED and self.published_at is not None


class LetterAttachment(models.Model):
    """A file the writer attached (checked by its bytes, ``egov.facilities.files``); ``name`` is the
    file's name as uploaded, shown to the writer and the staff only (never published)."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey("facilities.StoredFile", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("file name"), max_length=200)

    class Meta:
        ordering = ["letter", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"


class LetterEvent(models.Model):
    """One line of the letter's timeline; ``by`` is the writer's or an organization's name (staff
    names are not shown), ``note`` what the writer is told."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    move = models.CharField(_("step"), max_length=30)
    status_from = models.CharField(max_length=20, choices=LetterStatus.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=LetterStatus.choices)
    by = models.CharField(pgettext_lazy("timeline", "by"), max_length=200)
    by_organization = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["letter", "at", "pk"]
        verbose_name = _("letter event")
        verbose_name_plural = _("letter events")

    def __str__(self) -> str:
        return f"{self.letter} {self.move} → {self.status_to}"

    @property
    def local_by(self) -> str:
        """Who acted, in the active language: the organization's ``local_name`` when an organization
        acted, else ``by`` as written (the writer's name)."""
        return self.by_organization.local_name if self.by_organization_id else self.by

    @property
    def note_text(self) -> str:
        """The note as the timeline shows it (``services/_timeline.html``)."""
        return self.note


class LetterNumberCounter(models.Model):
    """The last letter number given on one day (``facilities.numbering``)."""

    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("letter number counter")
        verbose_name_plural = _("letter number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.value}"
