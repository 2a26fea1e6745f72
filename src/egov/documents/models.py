"""Official documents (公文): the elements of GB/T 9704-2012 and 党政机关公文处理工作条例 (2012).

Element ↔ field (GB/T 9704-2012 §7): 份号 ``copy_number``; 密级 ``classification`` (unclassified
only: 公开/内部); 紧急程度 ``urgency``; 发文机关标志 from ``issuer`` and ``co_issuers`` (联合行文);
发文字号 ``number_code``/``number_year``/``number_seq``; 签发人 ``signers`` (上行文); 标题 ``title``;
主送机关 ``Recipient`` rows (kind main) and/or ``main_to_text``; 正文 ``body_html``; 附件说明 and 附件
``Attachment`` rows; 发文机关署名 ``signature``; 成文日期 ``written_on``; 印章 from ``trust``; 附注
``note``; 抄送机关 ``Recipient`` rows (kind copy) and/or ``copy_to_text``; 印发机关和印发日期
``printer``/``printed_on``; 页码 printed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.i18n import english
from egov.documents.numbers import DocumentNumber, simplified
from egov.documents.states import OPINION_LABELS, IncomingStatus, Status, move_for
from egov.orgs.models import Organization


class Kind(models.TextChoices):
    """The 15 kinds of 党政机关公文处理工作条例 §8.

    The labels have their own context: "Opinion" and "Reply" are also 意见 of a countersignature
    and 答复 of a request elsewhere, and the first catalogue that knows a msgid wins.
    """

    RESOLUTION = "resolution", pgettext_lazy("kind of official document", "Resolution")
    DECISION = "decision", pgettext_lazy("kind of official document", "Decision")
    ORDER = "order", pgettext_lazy("kind of official document", "Order")
    COMMUNIQUE = "communique", pgettext_lazy("kind of official document", "Communiqué")
    ANNOUNCEMENT = "announcement", pgettext_lazy("kind of official document", "Announcement")
    PUBLIC_NOTICE = "public_notice", pgettext_lazy("kind of official document", "Public notice")
    OPINION = "opinion", pgettext_lazy("kind of official document", "Opinion")
    NOTICE = "notice", pgettext_lazy("kind of official document", "Notice")
    CIRCULAR = "circular", pgettext_lazy("kind of official document", "Circular")
    REPORT = "report", pgettext_lazy("kind of official document", "Report")
    REQUEST = "request", pgettext_lazy("kind of official document", "Request for instructions")
    REPLY = "reply", pgettext_lazy("kind of official document", "Reply")
    MOTION = "motion", pgettext_lazy("kind of official document", "Motion")
    LETTER = "letter", pgettext_lazy("kind of official document", "Letter")
    MINUTES = "minutes", pgettext_lazy("kind of official document", "Minutes")


class Direction(models.TextChoices):
    """行文方向: 上行文 to a superior body, 平行文 between peers, 下行文 to subordinate bodies."""

    UPWARD = "upward", _("Upward")
    PARALLEL = "parallel", _("Parallel")
    DOWNWARD = "downward", _("Downward")


# 请示 and 报告 go only to a superior body (条例 §8 (十)(十一)).
UPWARD_KINDS = frozenset({Kind.REQUEST, Kind.REPORT})


class Classification(models.TextChoices):
    """密级. This system is for unclassified documents only: 公开 or 内部 (shown to its recipients only)."""

    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


# 密级 of classified documents (GB/T 9704-2012 §7.2.2), refused by ``documents.rules``.
CLASSIFIED_LEVELS = ("秘密", "机密", "绝密", "secret", "confidential", "top_secret")


class Urgency(models.TextChoices):
    """紧急程度 (GB/T 9704-2012 §7.2.3): 特急 or 加急 (telegrams: 特提、特急、加急、平急); empty: 平件."""

    NORMAL = "", _("Normal")
    URGENT = "urgent", _("Urgent")
    EXTRA_URGENT = "extra_urgent", _("Extra urgent")


class Disclosure(models.TextChoices):
    """政务公开 (政府信息公开条例, 2019): 主动公开, 依申请公开, 不予公开; empty while undecided."""

    UNDECIDED = "", _("Undecided")
    PROACTIVE = "proactive", _("Proactive disclosure")  # 主动公开
    ON_REQUEST = "on_request", _("Disclosed on request")  # 依申请公开
    NOT_DISCLOSED = "not_disclosed", _("Not disclosed")  # 不予公开


class OfficialDocument(models.Model):
    """One official document (公文) from draft to issue. See the module docstring for the elements."""

    issuer = models.ForeignKey(Organization, verbose_name=_("issuing organization"), on_delete=models.PROTECT,
                               related_name="issued_documents")
    co_issuers = models.ManyToManyField(Organization, verbose_name=_("joint issuers"), blank=True,
                                        related_name="co_issued_documents")
    countersigners = models.ManyToManyField(Organization, verbose_name=_("countersigning organizations"),
                                            blank=True, related_name="countersigned_documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFTING,
                              db_index=True)
    copy_number = models.CharField(_("copy number"), max_length=6, blank=True)
    classification = models.CharField(_("classification"), max_length=10, choices=Classification.choices,
                                      default=Classification.PUBLIC)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, blank=True,
                               default=Urgency.NORMAL)
    number_code = models.CharField(_("document code"), max_length=20, blank=True)
    number_year = models.PositiveSmallIntegerField(_("number year"), null=True, blank=True)
    number_seq = models.PositiveIntegerField(_("number sequence"), null=True, blank=True)
    # The 发文字号 in its comparable form (``numbers.number_key``: 錫政發〔2004〕99號 → 锡政发〔2004〕99号),
    # kept by ``save`` from the three fields above, which keep the number as written.
    number_key = models.CharField(max_length=40, blank=True, default="", editable=False, db_index=True)
    number_allocated_at = models.DateTimeField(null=True, blank=True)
    signers = models.CharField(_("signed off by"), max_length=200, blank=True,
                               help_text=_("names separated by 、; printed on upward documents"))
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    main_to_text = models.CharField(_("main recipients as written"), max_length=500, blank=True)
    body_html = models.TextField(_("body"), blank=True)
    signature = models.CharField(_("issuer's signature"), max_length=300, blank=True)
    written_on = models.DateField(_("date written"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    copy_to_text = models.CharField(_("copies to, as written"), max_length=500, blank=True)
    printer = models.ForeignKey(Organization, verbose_name=_("printed by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="printed_documents")
    printed_on = models.DateField(_("printing date"), null=True, blank=True)
    printed_pdf = models.FileField(_("printed PDF"), upload_to="documents/printed/%Y/", blank=True)
    printed_pdf_sha256 = models.CharField(max_length=64, blank=True)
    # Where the seal goes on the printed PDF (0-based page; x1, y1, x2, y2 in points from the lower left).
    seal_page = models.PositiveSmallIntegerField(null=True, blank=True)
    seal_box = models.JSONField(null=True, blank=True)
    sealed_pdf = models.FileField(_("sealed PDF"), upload_to="documents/sealed/%Y/", blank=True)
    sealed_pdf_sha256 = models.CharField(max_length=64, blank=True)
    verification_code = models.CharField(_("verification code"), max_length=24, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    disclosure = models.CharField(_("disclosure"), max_length=20, choices=Disclosure.choices, blank=True,
                                  default=Disclosure.UNDECIDED)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The file an existing document was read from (egov documents import); empty for drafted ones.
    imported_from = models.CharField(_("imported from"), max_length=300, blank=True)
    # Title and body as jieba words for full-text search (``documents.search``), kept by the actions.
    search_title = models.TextField(blank=True, default="", editable=False)
    search_body = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number_code", "number_year", "number_seq"], name="document_number_once"),
        ]
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")

    def __str__(self) -> str:
        number = self.number
        return f"{number} {self.title}" if number else self.title

    def save(self, *args, **kwargs):
        """Save, ``number_key`` following ``number_code``/``number_year``/``number_seq`` (also when
        ``update_fields`` names one of them)."""
        number = self.number
        self.number_key = number.key if number is not None else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"number_code", "number_year", "number_seq"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "number_key"}
        super().save(*args, **kwargs)

    @property
    def number(self) -> DocumentNumber | None:
        """The 发文字号 as written (a 机关代字 in traditional script prints with 號: 錫政發〔2004〕99號),
        or None before 登记."""
        if self.number_seq is None:
            return None
        traditional = simplified(self.number_code) != self.number_code
        return DocumentNumber(
            code=self.number_code, year=self.number_year, seq=self.number_seq, hao="號" if traditional else "号"
        )


class DocumentNumberCounter(models.Model):
    """The last sequence allocated for one 机关代字 in one year (locked with SELECT … FOR UPDATE)."""

    code = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="one_counter_per_code_year")]

    def __str__(self) -> str:
        return f"{self.code}〔{self.year}〕{self.last_seq}"


class Transport(models.TextChoices):
    """How an issued document reaches a recipient organization."""

    PLATFORM = "platform", _("On this platform")


class Recipient(models.Model):
    """A 主送 (main) or 抄送 (copy) recipient: an organization of the platform, or a name as written."""

    class Kind(models.TextChoices):
        MAIN = "main", pgettext_lazy("recipient of an official document", "Main")  # 主送
        COPY = "copy", pgettext_lazy("recipient of an official document", "Copy")  # 抄送

    document = models.ForeignKey(OfficialDocument, on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="received_documents")
    name = models.CharField(_("name as printed"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    # 签收: when and by whom the recipient organization acknowledged the issued document.
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # 核发 (the delivery record): how the document travels to the recipient and by when it must be
    # signed for. ``platform`` delivers in-database (both organizations on this platform); an exchange
    # transport (node to node) records its message id in ``transport_ref`` instead.
    transport = models.CharField(_("transport"), max_length=20, choices=Transport.choices, blank=True)
    transport_ref = models.CharField(_("transport reference"), max_length=100, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    receipt_due = models.DateField(_("to be signed for by"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "kind", "organization"], name="recipient_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def local_name(self) -> str:
        """The name as printed on Chinese pages; on English pages the platform organization's English
        name when there is one (``core.i18n``)."""
        if self.organization_id and english():
            return self.organization.local_name
        return self.name


class Opinion(models.Model):
    """An opinion written at a step of 发文办理, as the 发文稿纸 shows it: 核稿意见, 签发意见, 复核意见,
    会签意见, and the reasons of a return (退回) or a withdrawal (作废); with who wrote it and when.

    ``step`` is the status the document was at (``reviewing``: 核稿, ``signing``: 签发 …), ``move``
    the move's name in ``states.TRANSITIONS`` (``review``, ``sign_off``, ``return`` …;
    ``countersign_agree`` / ``countersign_disagree`` for a 会签 answer) and ``target`` the status it
    moved to ("" for a 会签 answer). ``author_name`` keeps the name as it was then.
    """

    document = models.ForeignKey(OfficialDocument, on_delete=models.CASCADE, related_name="opinions")
    step = models.CharField(_("step"), max_length=20, choices=Status.choices)
    move = models.CharField(max_length=30)
    target = models.CharField(max_length=20, blank=True)
    text = models.TextField(_("opinion"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(_("written by"), max_length=200)
    organization = models.ForeignKey(Organization, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text}"

    @property
    def step_label(self) -> str:
        """The box of the 发文稿纸 it belongs to: 核稿意见, 会签意见, 签发意见, 复核意见 …"""
        return str(OPINION_LABELS.get(self.step, Status(self.step).label))

    @property
    def decision_label(self) -> str:
        """What the step decided, in the words of its button (核稿通过, 退回, 签发; 同意/不同意 for 会签)."""
        if self.move == "countersign_agree":
            return str(pgettext_lazy("countersign answer", "Agree"))
        if self.move == "countersign_disagree":
            return str(pgettext_lazy("countersign answer", "Disagree"))
        move = move_for(self.step, self.target)
        return str(move.label) if move is not None else self.move


class Attachment(models.Model):
    """An 附件: its name (printed in 附件说明 in ``position`` order) and its file."""

    document = models.ForeignKey(OfficialDocument, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(upload_to="documents/attachments/%Y/%m/")
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class IncomingDocument(models.Model):
    """收文: an issued document as one receiving organization handles it, from 签收 to 归档.

    Created at 签收 from its delivery (``recipient``); the steps and who takes them are the table
    ``states.INCOMING_MOVES``. 收文编号 is ``registration_code``〔year〕seq号, per receiving
    organization and year (``IncomingCounter``).
    """

    recipient = models.OneToOneField(Recipient, on_delete=models.PROTECT, related_name="incoming")
    document = models.ForeignKey(OfficialDocument, on_delete=models.PROTECT, related_name="incoming")
    organization = models.ForeignKey(Organization, verbose_name=_("receiving organization"),
                                     on_delete=models.PROTECT, related_name="incoming_documents")
    status = models.CharField(_("status"), max_length=20, choices=IncomingStatus.choices,
                              default=IncomingStatus.RECEIVED, db_index=True)
    handling_due = models.DateField(_("to be handled by"), null=True, blank=True)
    registration_code = models.CharField(_("registration code"), max_length=24, blank=True)
    registration_year = models.PositiveSmallIntegerField(null=True, blank=True)
    registration_seq = models.PositiveIntegerField(null=True, blank=True)
    return_reasons = models.TextField(_("reasons for returning"), blank=True)
    proposal = models.TextField(_("proposed handling"), blank=True)  # 拟办意见
    instruction = models.TextField(_("instruction"), blank=True)  # 批办意见
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")  # 承办人
    result = models.TextField(_("result"), blank=True)  # 办理结果
    reply = models.TextField(_("reply to the sender"), blank=True)  # 答复
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "registration_year", "registration_seq"],
                                    name="incoming_number_once"),
        ]
        verbose_name = _("incoming document")
        verbose_name_plural = _("incoming documents")

    def __str__(self) -> str:
        return f"{self.registration_number or '—'} {self.document.title}"

    @property
    def registration_number(self) -> str:
        """收文编号, e.g. 锡财收〔2026〕3号; "" before 登记."""
        if self.registration_seq is None:
            return ""
        return f"{self.registration_code}〔{self.registration_year}〕{self.registration_seq}号"


class IncomingCounter(models.Model):
    """The last 收文编号 sequence of one receiving organization in one year (locked FOR UPDATE)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="one_incoming_counter")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}: {self.last_seq}"


class Circulation(models.Model):
    """传阅: one reader a received document was passed to, and when they read it (read receipt)."""

    incoming = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="circulations")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reader"), on_delete=models.PROTECT,
                               related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incoming", "reader"], name="circulate_once_per_reader")]

    def __str__(self) -> str:
        return f"{self.incoming_id} → {self.reader_id}"


class Reminder(models.Model):
    """催办: a reminder that a delivery is still to be signed for, or a received document still to
    be handled, as its deadline nears or passes; at most one per delivery, kind and day."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Sign for it")
        HANDLING = "handling", _("Handle it")

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_on = models.DateField()
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "sent_on"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.recipient_id} {self.sent_on}"


class Meeting(models.Model):
    """会议: organized by one organization, with an agenda, invited organizations that reply (回执)
    to its notice (会议通知) by ``reply_due``, and minutes issued as a 纪要 through the outgoing flow
    (``minutes``). The logic is ``documents.meetings``."""

    organizer = models.ForeignKey(Organization, verbose_name=_("organizer"), on_delete=models.PROTECT,
                                  related_name="organized_meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    notice = models.TextField(_("notice text"), blank=True)
    reply_due = models.DateTimeField(_("reply by"))
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    minutes = models.OneToOneField(OfficialDocument, verbose_name=_("minutes"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="minutes_of")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """One item of a meeting's agenda (议程), in ``position`` order, with who presents it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    topic = models.CharField(_("topic"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=100, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.topic}"


class Invitation(models.Model):
    """An organization invited to a meeting, how many attendees it is asked to send, and its reply
    (回执): attending or not, who comes (``attendees``: a list of ``{"name", "position"}``), a note."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    organization = models.ForeignKey(Organization, verbose_name=_("invited organization"), on_delete=models.PROTECT,
                                     related_name="meeting_invitations")
    attendees_asked = models.PositiveSmallIntegerField(_("attendees asked"), default=1)
    attending = models.BooleanField(_("attending"), null=True, blank=True)
    attendees = models.JSONField(_("attendees"), default=list, blank=True)
    reply_note = models.CharField(_("note"), max_length=500, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    class Meta:
        ordering = ["organization__path", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "organization"], name="invited_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.organization_id}"


class SupervisionItem(models.Model):
    """督查督办: a follow-up task that the supervising organization (督查室) sets an owner organization
    (承办单位), with co-owners (协办单位), a deadline, progress reports and reminders (催办), until
    it closes (办结). Source: a document or a meeting (either optional). The logic is
    ``documents.supervision``; the moves are ``supervision.SUPERVISION_MOVES``."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETION_REQUESTED = "completion_requested", _("Completion requested")
        RETURNED = "returned", _("Returned for more work")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    requirement = models.TextField(_("requirement"))
    source_document = models.ForeignKey(OfficialDocument, verbose_name=_("from the document"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="supervision_items")
    source_meeting = models.ForeignKey(Meeting, verbose_name=_("from the meeting"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="supervision_items")
    supervisor = models.ForeignKey(Organization, verbose_name=_("supervising organization"),
                                   on_delete=models.PROTECT, related_name="supervised_items")
    owner = models.ForeignKey(Organization, verbose_name=_("owner organization"), on_delete=models.PROTECT,
                              related_name="owned_supervision_items")
    co_owners = models.ManyToManyField(Organization, verbose_name=_("co-owners"), blank=True,
                                       related_name="co_owned_supervision_items")
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.ASSIGNED,
                              db_index=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    closing_note = models.TextField(_("closing note"), blank=True)
    return_reasons = models.TextField(_("reasons for returning"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-overdue", "deadline", "id"]
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """A progress report (进展情况) of the owner or a co-owner on a supervision item."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="reports")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent done"), null=True, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="documents/supervision/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.reported_on}"


class SupervisionReminder(models.Model):
    """催办 of a supervision item: by hand with a note, or by the daily task as the deadline nears
    (``due_soon``) or has passed (``overdue``), at most once a day for each automatic kind. The
    document clerks of the owner organization it reached are ``notified``."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Reminder")
        DUE_SOON = "due_soon", _("Deadline near")
        OVERDUE = "overdue", _("Overdue")

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    sent_on = models.DateField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    notified = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "sent_on"], condition=~models.Q(kind="manual"),
                                    name="one_automatic_supervision_reminder_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id} {self.sent_on}"
