"""Credit records (信用信息) and the counter behind their numbers.

A record is about one subject — a legal entity by its unified social credit code (GB 32100-2015) or
a natural person by the resident identity number (GB 11643-1999) — from one providing organization.
Its status changes only through ``egov.credit.actions`` (one ``Machine``, ``MACHINE``); what is
public is what ``egov.credit.selectors.published`` gives.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.i18n import pick


class Kind(models.TextChoices):
    """What a record says (GLOSSARY "Credit")."""

    LICENCE = "licence", _("Administrative licence")  # 行政许可 (双公示)
    PENALTY = "penalty", _("Administrative penalty")  # 行政处罚 (双公示)
    SERIOUS = "serious", _("List of seriously untrustworthy subjects")  # 严重失信主体名单
    ABNORMAL = "abnormal", _("List of abnormal business operations")  # 经营异常名录
    RED = "red", _("Red list (incentive for trustworthiness)")  # 红名单 / 守信激励


# Kinds that are list memberships: 认定 with notice and an objection window before publication
# (国办发〔2020〕49号 (八)); the 双公示 kinds are published as decided.
LIST_KINDS = frozenset({Kind.SERIOUS, Kind.ABNORMAL, Kind.RED})
# Lists whose members the sanction check warns about (联合惩戒) and lists that earn incentives.
BLACK_LISTS = frozenset({Kind.SERIOUS, Kind.ABNORMAL})


class SubjectKind(models.TextChoices):
    LEGAL = "legal", _("Legal entity")  # 法人和非法人组织, by USCC
    NATURAL = "natural", _("Natural person")  # 自然人, by resident ID


class Severity(models.TextChoices):
    """How grave the conduct is; it sets the minimum publication period (``actions.PERIOD_MONTHS``)."""

    GENERAL = "general", pgettext_lazy("credit severity", "General")  # 一般
    SERIOUS = "serious", pgettext_lazy("credit severity", "Serious")  # 严重


class Status(models.TextChoices):
    HELD = "held", _("Held for matching")  # 待匹配: the registers do not know the subject; not public
    PROPOSED = "proposed", _("Proposed for listing")  # 认定拟列入
    OBJECTION = "objection", _("Objection window")  # 异议期: notice given, the subject may object
    PUBLISHED = "published", _("Published")  # 公示中
    EXPIRED = "expired", _("Publication ended")  # 公示期满
    REPAIRED = "repaired", _("Credit repaired")  # 已修复
    REVOKED = "revoked", _("Revoked")  # 已撤销


class CreditRecord(models.Model):
    """One credit record about one subject (GLOSSARY ``CreditRecord``).

    ``subject_code`` is the USCC or the resident ID (full: masked wherever the public reads it).
    ``matched_at`` is when the registers were found to know the subject; a record not matched is
    ``HELD`` and not public. ``published_from`` … ``published_until`` is the publication period
    (both days included; ``published_until`` from the kind's minimum period on the calendar);
    ``publish_due`` the last day by which a 双公示 record must be public (7 working days after the
    decision). ``objection_until`` closes the objection window of a list membership. ``source_ref``
    names what made the record automatically (``licence:<number>``), once each.
    """

    number = models.CharField(_("record number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subject_kind = models.CharField(_("subject kind"), max_length=8, choices=SubjectKind.choices)
    subject_code = models.CharField(
        _("subject's code"),
        max_length=18,
        db_index=True,
        help_text=_("Unified social credit code or resident identity number"),
    )
    subject_name = models.CharField(_("subject's name"), max_length=200)
    matched_at = models.DateTimeField(_("matched with the registers at"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"))
    legal_basis_en = models.TextField(_("legal basis in English"), blank=True)
    facts = models.TextField(_("facts"), blank=True)  # 失信行为 / 许可内容 / 违法事实
    facts_en = models.TextField(_("facts in English"), blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, blank=True)
    decision_document = models.CharField(_("decision document number"), max_length=100)  # 文号 / licence number
    decided_on = models.DateField(_("decision date"))
    provider = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("providing organization"),
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    measures = models.TextField(_("measures"), blank=True)  # 惩戒措施 / 激励措施
    measures_en = models.TextField(_("measures in English"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    publish_due = models.DateField(_("to be published by"), null=True, blank=True)
    objection_until = models.DateField(_("objections until"), null=True, blank=True)
    published_from = models.DateField(_("published from"), null=True, blank=True)
    published_until = models.DateField(_("published until"), null=True, blank=True)
    source_ref = models.CharField(_("made from"), max_length=64, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"], condition=~models.Q(source_ref=""), name="credit_record_source_once"
            ),
        ]
        indexes = [models.Index(fields=["subject_name"], name="credit_subject_name")]
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")

    def __str__(self) -> str:
        return self.number

    @property
    def is_list(self) -> bool:
        return self.kind in LIST_KINDS

    @property
    def local_legal_basis(self) -> str:
        return pick(self.legal_basis, self.legal_basis_en)

    @property
    def local_facts(self) -> str:
        return pick(self.facts, self.facts_en)

    @property
    def local_measures(self) -> str:
        return pick(self.measures, self.measures_en)


class CreditNumberCounter(models.Model):
    """The last record number given on one day (gap-tolerant, ``facilities.numbering``)."""

    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("credit record number counter")
        verbose_name_plural = _("credit record number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.value}"


class RequestKind(models.TextChoices):
    """What a subject asks of the credit office about one of its records."""

    OBJECTION = "objection", _("Objection")  # 异议
    REPAIR = "repair", _("Credit repair")  # 信用修复


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")  # 已提交, awaiting the credit office
    # Context "credit request": other apps' catalogues translate a bare "Accepted"/"Rejected" as 已受理/拒收.
    ACCEPTED = "accepted", pgettext_lazy("credit request", "Accepted")  # 予以支持: the record revoked or repaired
    REJECTED = "rejected", pgettext_lazy("credit request", "Rejected")  # 不予支持, with reasons


class CreditRequest(models.Model):
    """An objection (异议) or a credit repair application (信用修复) by a record's subject.

    Filed by the subject's account (the enterprise's, one of its agents', or the person's own, matched by
    the verified code); answered by the credit office by ``answer_due`` (working days on the platform
    calendar, ``actions.answer_days``). Its status changes only through ``actions.REQUEST_MACHINE``.
    ``answer`` holds the credit office's reasons.
    """

    number = models.CharField(_("request number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    record = models.ForeignKey(CreditRecord, on_delete=models.PROTECT, related_name="requests")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    attachment = models.ForeignKey(
        "facilities.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    filed_on = models.DateField(_("filed on"))
    answer_due = models.DateField(_("to be answered by"))
    answer = models.TextField(_("credit office's reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answer_due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "kind"],
                condition=models.Q(status="submitted"),
                name="credit_request_one_open",
            ),
        ]
        verbose_name = _("credit request")
        verbose_name_plural = _("credit requests")

    def __str__(self) -> str:
        return self.number


class CreditRequestCounter(models.Model):
    """The last objection or repair number given on one day (gap-tolerant, ``facilities.numbering``)."""

    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("credit request number counter")
        verbose_name_plural = _("credit request number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.value}"


class ReportCounter(models.Model):
    """The last number of one series (``BG`` credit reports, ``HC`` batch checks) given on one day
    (gap-tolerant, ``facilities.numbering``)."""

    series = models.CharField(max_length=4)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "day"], name="credit_report_counter_once")]
        verbose_name = _("credit report number counter")
        verbose_name_plural = _("credit report number counters")

    def __str__(self) -> str:
        return f"{self.series} {self.day}: {self.value}"


class CreditReport(models.Model):
    """A credit report (信用报告) on one subject for a period, sealed by the credit office (``egov.credit.reports``).

    Requested by the subject itself (``requester_organization`` empty; the purpose is the subject's own
    query) or by a staff member of ``requester_organization`` holding a check role there, for ``purpose``.
    ``records`` lists the numbers of the records it shows; ``document`` is the sealed PDF's entry in
    ``trust`` (its verification code), ``file`` the same bytes in ``facilities.files``.
    """

    number = models.CharField(_("report number"), max_length=32, unique=True)
    subject_kind = models.CharField(_("subject kind"), max_length=8, choices=SubjectKind.choices)
    subject_code = models.CharField(_("subject's code"), max_length=18, db_index=True)
    subject_name = models.CharField(_("subject's name"), max_length=200, blank=True)
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requester_organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(pgettext_lazy("credit report", "purpose"), max_length=200)
    records = models.JSONField(_("records shown"), default=list)
    document = models.ForeignKey("trust.SignedDocument", on_delete=models.PROTECT, related_name="+")
    file = models.ForeignKey("facilities.StoredFile", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("credit report")
        verbose_name_plural = _("credit reports")

    def __str__(self) -> str:
        return self.number

    @property
    def by_subject(self) -> bool:
        """Requested by the subject itself (not by an agency)."""
        return self.requester_organization_id is None


class BatchCheck(models.Model):
    """A batch check (批量核查) of many subjects for one purpose (e.g. a procurement), sealed by the credit office.

    ``results``: one ``{"line", "subject", "kind", "known", "black", "red", "memberships": [...]}`` per subject
    checked (``selectors.subject_check``'s shape); ``rejected``: ``{"line", "value", "rule", "message"}`` per
    line that was not a code.
    """

    number = models.CharField(_("check number"), max_length=32, unique=True)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requester_organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(pgettext_lazy("credit report", "purpose"), max_length=200)
    results = models.JSONField(_("results"), default=list)
    rejected = models.JSONField(_("rejected lines"), default=list)
    document = models.ForeignKey("trust.SignedDocument", on_delete=models.PROTECT, related_name="+")
    file = models.ForeignKey("facilities.StoredFile", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("batch check")
        verbose_name_plural = _("batch checks")

    def __str__(self) -> str:
        return self.number


class CreditImport(models.Model):
    """One file of credit records imported for one providing organization (``egov.credit.imports``).

    ``counts``: ``{"read", "entered", "unchanged", "rejected", "held"}`` (``held``: entered rows whose subject
    the registers do not know, a part of ``entered``); ``report``: one ``{"row", "field", "rule", "reason",
    "outcome"}`` per rejected or held row (``outcome`` ``rejected`` or ``held``; row numbers as in the file,
    the header being row 1).
    """

    provider = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file name"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    counts = models.JSONField(default=dict)
    report = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("credit records import")
        verbose_name_plural = _("credit records imports")

    def __str__(self) -> str:
        return f"{self.provider_id} {self.file_name}"
