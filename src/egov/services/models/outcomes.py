"""What a case leaves behind: its e-licence (电子证照), its rating (好差评) with the rectification of a
差评, and the notifications its applicant received.

Dependencies: ``applications`` (the case), ``trust`` (the sealed PDF of a licence).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egov.services.models.applications import Application


class Licence(models.Model):
    """The e-licence issued at 办结 of an approved case of an item that issues one (GLOSSARY ``ELicense``).

    ``number`` is the licence number (``egov.services.actions.numbers.licence_number_allocate``);
    ``valid_until`` None means without limit (长期). ``document`` is the PDF sealed with the issuing
    organization's e-seal; its verification code is printed on the PDF as a QR code.
    """

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="licence")
    number = models.CharField(_("licence number"), max_length=32, unique=True)
    name = models.CharField(_("licence name"), max_length=200)
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_uscc = models.CharField(_("holder's unified social credit code"), max_length=18, blank=True,
                                   help_text=_("GB 32100-2015; for a 设立登记 the code assigned at approval"))
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    document = models.OneToOneField("trust.SignedDocument", verbose_name=_("sealed PDF"), on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("e-licence")
        verbose_name_plural = _("e-licences")

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class Rating(models.Model):
    """The applicant's rating of a concluded case (好差评, 国办发〔2019〕51号): five levels and a comment.

    Levels 1 and 2 are 差评: they open a ``Rectification``. ``excluded`` is set when a 申诉复核 found
    the rating malicious: it no longer counts in the statistics.
    """

    class Level(models.IntegerChoices):
        VERY_SATISFIED = 5, _("Very satisfied")  # 非常满意
        SATISFIED = 4, _("Satisfied")  # 满意
        FAIRLY_SATISFIED = 3, _("Fairly satisfied")  # 基本满意
        DISSATISFIED = 2, _("Dissatisfied")  # 不满意
        VERY_DISSATISFIED = 1, _("Very dissatisfied")  # 非常不满意

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rating")
    item = models.ForeignKey("services.ServiceItem", on_delete=models.PROTECT, related_name="ratings")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(_("rated at"), auto_now_add=True)
    excluded = models.BooleanField(_("excluded as malicious"), default=False)

    class Meta:
        ordering = ["-rated_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="rating_level")]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.application} {self.level}"

    @property
    def is_negative(self) -> bool:
        """差评: 不满意 or 非常不满意."""
        return self.level <= self.Level.DISSATISFIED


class Rectification(models.Model):
    """The organization's handling of a 差评: verify by calling the applicant back (回访), rectify and
    reply by ``due_on``; or, when it holds the rating malicious, ask for a review (申诉复核).

    The status changes only through ``egov.services.actions.rating`` (its ``MOVES`` table).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("To verify")  # 待核实
        CALLED_BACK = "called_back", _("Called back")  # 已回访, 整改中
        APPEALED = "appealed", _("Under appeal review")  # 申诉复核中
        REPLIED = "replied", _("Rectified and replied")  # 已整改并答复 (end)
        EXCLUDED = "excluded", _("Found malicious")  # 申诉成立 (end)

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="rectifications")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    due_on = models.DateField(_("rectify by"))
    callback_note = models.TextField(_("call-back record"), blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    reply = models.TextField(_("reply to the applicant"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    appeal_reason = models.TextField(_("appeal reasons"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_resume_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    appeal_decision = models.TextField(_("appeal review decision"), blank=True)
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self) -> str:
        return f"{self.rating.application} 整改"
