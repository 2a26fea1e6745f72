"""Requests for government information (政府信息公开申请, 依申请公开): the request, its timeline, its
clock pauses and the counters behind its tracking numbers.

《中华人民共和国政府信息公开条例》(2019 revision, 国务院令第711号) chapter IV. A request's status
changes only through ``egov.portal.actions`` (one transition table, ``MOVES``); its deadline is
computed by ``egov.portal.deadlines`` from the dates kept here.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RequestStatus(models.TextChoices):
    """Where a request stands; each value but the ends names what it waits for."""

    SUBMITTED = "submitted", _("Submitted")  # 已提交: waits for the disclosure office to register it
    # 已登记 (§31): the 20 working days run (§33)
    RECEIVED = "received", pgettext_lazy("disclosure request", "Received")
    CORRECTION = "correction", _("Correction requested")  # 待补正 (§30): the applicant owes a clearer request
    CORRECTED = "corrected", _("Corrected")  # 已补正: the period restarts from the corrected request's receipt
    EXTENDED = "extended", _("Extended")  # 已延期 (§33 第二款)
    THIRD_PARTY = "third_party", _("Third-party consultation")  # 征求第三方意见 (§32): time not counted
    ANSWERED = "answered", _("Answered")  # 已答复 (§36, end)
    WITHDRAWN = "withdrawn", pgettext_lazy("disclosure request", "Withdrawn")  # 已撤回 (end)
    DEEMED_WITHDRAWN = "deemed_withdrawn", _("Deemed withdrawn")  # 视为放弃申请 (§30, end)


class FormWanted(models.TextChoices):
    """The form in which the applicant wants the information (§29 第二款第三项, §40)."""

    ELECTRONIC = "electronic", pgettext_lazy("disclosure request", "Electronic")  # 电子文本 / 数据电文
    PAPER = "paper", _("Paper")  # 纸质文本
    INSPECTION = "inspection", _("Inspection on site")  # 当场查阅


class AnswerKind(models.TextChoices):
    """The kinds of answer of §36 (and §37 部分公开, §39 第二款 公开出版物)."""

    DISCLOSED = "disclosed", _("Disclosed")  # 予以公开 §36(一)(二)
    PARTLY_DISCLOSED = "partly_disclosed", _("Partly disclosed")  # 部分公开 §37
    NOT_DISCLOSED = "not_disclosed", _("Not disclosed")  # 不予公开 §36(三)
    NOT_EXIST = "not_exist", _("Information does not exist")  # 信息不存在 §36(四)
    NOT_COMPETENT = "not_competent", _("Not this agency's to disclose")  # 不属于本机关公开 §36(五)
    REPEATED = "repeated", _("Repeated request")  # 重复申请, 不予重复处理 §36(六)
    PUBLICATION = "publication", _("Public publication")  # 公开出版物, 告知获取途径 §39 第二款


# Kinds that must name their legal basis (§36(三) "说明理由", §37 "对不予公开的内容说明理由").
BASIS_REQUIRED = frozenset({AnswerKind.NOT_DISCLOSED, AnswerKind.PARTLY_DISCLOSED})


class DisclosureRequest(models.Model):
    """One request for government information to one agency (政府信息公开申请).

    ``applicant`` is the signed-in account (a natural or a legal person); its name, identity
    number (resident ID or USCC) and contact are copied at submission (§29 第二款第一项) so that the
    request keeps what was asked under. Dates are local dates; ``due_on`` is kept up to date by
    the actions (``egov.portal.deadlines.request_due_on``). ``resume_status`` remembers the status
    a third-party consultation interrupted. ``idempotency_key`` (unique per applicant; empty on
    requests older than it) and ``request_digest`` (SHA-256 of what was asked) make a form sent twice
    one request.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")  # 网上申请

    number = models.CharField(pgettext_lazy("disclosure request", "tracking number"), max_length=32, unique=True)
    agency = models.ForeignKey("orgs.Organization", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="disclosure_requests")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="disclosure_requests")
    applicant_name = models.CharField(_("applicant name"), max_length=200)
    applicant_id_number = models.CharField(_("identity number"), max_length=18)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = models.CharField(_("postal address"), max_length=300, blank=True)
    description = models.TextField(_("information requested"))
    purpose = models.TextField(_("purpose"), blank=True)
    form_wanted = models.CharField(_("form wanted"), max_length=12, choices=FormWanted.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices,
                              default=RequestStatus.SUBMITTED, db_index=True)
    resume_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    correction_note = models.TextField(_("what to correct"), blank=True)
    correction_due_on = models.DateField(_("correct by"), null=True, blank=True)
    corrected_on = models.DateField(_("corrected request received on"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    due_on = models.DateField(_("answer due on"), null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(pgettext_lazy("disclosure request", "answered at"), null=True, blank=True)
    answer_kind = models.CharField(pgettext_lazy("disclosure request", "answer"), max_length=20,
                                   choices=AnswerKind.choices, blank=True)
    answer_text = models.TextField(_("answer text"), blank=True)
    legal_basis = models.TextField(pgettext_lazy("disclosure request", "legal basis"), blank=True)
    competent_agency = models.CharField(_("competent agency"), max_length=200, blank=True)
    answer_file = models.ForeignKey("facilities.StoredFile", verbose_name=_("answer file"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    overdue_since = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    reminded_on = models.DateField(_("staff reminded on"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="disclosure_request_idempotency_key"),
        ]
        verbose_name = _("request for government information")
        verbose_name_plural = _("requests for government information")

    def __str__(self) -> str:
        return self.number


class DisclosureRequestEvent(models.Model):
    """One line of the timeline the applicant sees; ``by`` is the applicant's or the agency's name
    (staff names are not shown), ``note`` what the applicant is told."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    move = models.CharField(_("step"), max_length=30)
    status_from = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=RequestStatus.choices)
    by = models.CharField(pgettext_lazy("timeline", "by"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["request", "at", "pk"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.request} {self.move} → {self.status_to}"

    @property
    def local_by(self) -> str:
        """Who acted, in the active language: the agency's ``local_name`` when the agency acted (its
        moves write its name as ``by``), else ``by`` as written (the applicant's name)."""
        agency = self.request.agency
        return agency.local_name if self.by == agency.name else self.by


class DisclosurePause(models.Model):
    """A stop of the clock: a third-party consultation (§32; "征求第三方…意见所需时间不计算在前款规定
    的期限内", §33 第三款). The working days ``d`` with ``started_on < d ≤ ended_on`` are not counted;
    ``ended_on`` is empty while it lasts."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="pauses")
    third_party = models.CharField(_("third party"), max_length=200)
    started_on = models.DateField(_("from"))
    opinion_due_on = models.DateField(_("opinion due on"))
    ended_on = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["request", "started_on", "pk"]
        verbose_name = _("third-party consultation")
        verbose_name_plural = _("third-party consultations")

    def __str__(self) -> str:
        return f"{self.request} {self.third_party}"


class DisclosureNumberCounter(models.Model):
    """The last tracking number given on one day; locked ``FOR UPDATE`` while a number is taken."""

    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("request number counter")
        verbose_name_plural = _("request number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.value}"


# Letters to the mayor (市长信箱) live in their own module; imported here so that Django finds them.
from egov.portal.models_letters import (  # noqa: E402, F401
    Letter,
    LetterAttachment,
    LetterEvent,
    LetterNumberCounter,
)

# The editorial pages (Wagtail) live in their own module; Django finds models in ``models``.
from egov.portal.models_pages import (  # noqa: E402, F401
    ArticlePage,
    HomePage,
    NewsPage,
    NoticePage,
    OrganizationIndexPage,
    OrganizationPage,
    OrganizationReviewTask,
    PolicyInterpretationPage,
    SectionIndexPage,
    TopicPage,
)
