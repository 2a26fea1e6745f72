"""The information resource catalog (信息资源目录), grants field by field, and a node's message log.

Catalog fields follow GB/T 21063.3 and the 政务信息资源目录编制指南 (试行, 2017): 分类 (类-项-目-细目),
资源名称, 资源代码, 提供方 and its code, 摘要, 格式, 信息项 (name, data type), 共享类型, 共享条件,
共享方式, 开放属性, 更新周期, 发布日期, 关联资源代码.

Organizations appear here by their unified social credit code (GB 32100-2015), not by foreign
key: an exchange node keeps its own database and knows its peers only by the code their
certificates carry (``organizationIdentifier``).
"""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.i18n import english, pick
from egov.orgs.models import Organization


def access_url_check(value: str) -> None:
    """Accept a path of this site (``/data/economy/``) or an ``http(s)://`` address.

    Raises:
        django.core.exceptions.ValidationError: anything else (``javascript:``, ``//host``, spaces).
    """
    if value.startswith("/") and not value.startswith("//") and " " not in value:
        return
    URLValidator(schemes=["http", "https"])(value)


class InformationResource(models.Model):
    """One entry of the catalog: a body of information an organization holds and may share."""

    class Catalog(models.TextChoices):
        BASIC = "basic", _("Basic resources catalog")  # 基础信息资源目录
        THEME = "theme", _("Theme catalog")  # 主题信息资源目录
        DEPARTMENT = "department", _("Department catalog")  # 部门信息资源目录

    class Format(models.TextChoices):
        # 2017 指南 §5.3 资源格式分类
        FILE = "file", _("Electronic file")  # 电子文件
        SPREADSHEET = "spreadsheet", _("Spreadsheet")  # 电子表格
        DATABASE = "database", _("Database")  # 数据库
        IMAGE = "image", _("Image")  # 图形图像
        MEDIA = "media", _("Streaming media")  # 流媒体
        SELF_DESCRIBING = "self_describing", _("Self-describing format")  # 自描述格式
        INTERFACE = "interface", _("Service interface")  # 服务接口

    class UpdateCycle(models.TextChoices):
        REALTIME = "realtime", _("Real time")  # 实时
        DAILY = "daily", _("Daily")  # 每日
        WEEKLY = "weekly", _("Weekly")  # 每周
        MONTHLY = "monthly", _("Monthly")  # 每月
        QUARTERLY = "quarterly", _("Quarterly")  # 每季度
        YEARLY = "yearly", _("Yearly")  # 每年
        IRREGULAR = "irregular", _("Irregular")  # 不定期

    class SharingMode(models.TextChoices):
        # 共享方式
        INTERFACE = "interface", _("Service interface")  # 接口
        TABLE = "table", _("Database table")  # 库表
        FILE = "file", _("File download")  # 文件

    code = models.CharField(_("resource code"), max_length=60, unique=True)  # 资源代码
    name = models.CharField(_("resource name"), max_length=200)  # 资源名称
    name_en = models.CharField(_("resource name in English"), max_length=200, blank=True)  # core.i18n
    classification = models.CharField(_("classification"), max_length=40)  # 类-项-目-细目, e.g. "1-01-001"
    catalog = models.CharField(_("catalog"), max_length=20, choices=Catalog.choices)
    provider_code = models.CharField(_("provider code"), max_length=18, db_index=True)  # 提供方代码 (USCC)
    provider_name = models.CharField(_("provider"), max_length=200)  # 提供方
    provider_name_en = models.CharField(_("provider in English"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)  # 摘要
    summary_en = models.TextField(_("summary in English"), blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)  # 资源格式
    sharing_mode = models.CharField(_("sharing mode"), max_length=20, choices=SharingMode.choices,
                                    default=SharingMode.INTERFACE)  # 共享方式
    update_cycle = models.CharField(_("update cycle"), max_length=20, choices=UpdateCycle.choices)  # 更新周期
    published_on = models.DateField(_("publication date"))  # 发布日期
    related_codes = models.JSONField(_("related resource codes"), default=list, blank=True)  # 关联资源代码
    is_open = models.BooleanField(_("open to the public"), default=False)  # 开放属性
    # Where the data itself can be read or downloaded (DCAT dcat:accessURL of the distribution):
    # a path of this site ("/data/economy/") or an http(s) address; empty: only the catalog entry.
    access_url = models.CharField(_("access URL"), max_length=300, blank=True, validators=[access_url_check])
    created_at = models.DateTimeField(auto_now_add=True)
    # When the resource's data last changed (a change pushed or polled, ``changes_publish``); None
    # until then, and the publication date counts for the 更新周期 (``traffic.stale_since``).
    data_updated_at = models.DateTimeField(_("data last updated"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("information resource")
        verbose_name_plural = _("information resources")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def local_name(self) -> str:
        """The name in the active language (``core.i18n``: English when there is one)."""
        return pick(self.name, self.name_en)

    def stale_since(self, now=None):
        """When the resource went past its 更新周期 (``traffic.stale_since``), or None."""
        from django.utils import timezone

        from egov.exchange.traffic import stale_since

        return stale_since(update_cycle=self.update_cycle, last_update=self.data_updated_at,
                           published_on=self.published_on, now=now or timezone.now())

    @property
    def is_stale(self) -> bool:
        """True when past its 更新周期 now (catalog pages flag it)."""
        return self.stale_since() is not None

    @property
    def local_summary(self) -> str:
        return pick(self.summary, self.summary_en)

    @property
    def local_provider_name(self) -> str:
        return pick(self.provider_name, self.provider_name_en)


class InformationItem(models.Model):
    """One 信息项 (data element) of a resource, with its own sharing type.

    ``field`` is the key the item has in the records the provider's node returns. 不予共享 items
    carry the legal reason (``refusal_basis``); 有条件共享 items their condition.
    """

    class DataType(models.TextChoices):
        # 政务信息资源目录编制指南 (试行, 2017), 信息项 数据类型: the eleven letters and names of its
        # table (those of the xBase field types). B is 双精度型, not binary; binary content
        # (a file, an image) is G 通用型.
        STRING = "C", _("Character")  # 字符型
        NUMBER = "N", _("Numeric")  # 数值型
        MONEY = "Y", _("Currency")  # 货币型
        DATE = "D", _("Date")  # 日期型
        DATETIME = "T", _("Date and time")  # 日期时间型
        BOOLEAN = "L", _("Logical")  # 逻辑型
        TEXT = "M", _("Memo")  # 备注型
        GENERAL = "G", _("General")  # 通用型
        DOUBLE = "B", _("Double precision")  # 双精度型
        INTEGER = "I", _("Integer")  # 整型
        FLOAT = "F", _("Floating point")  # 浮点型

    class SharingType(models.TextChoices):
        UNCONDITIONAL = "unconditional", _("Shared without conditions")  # 无条件共享
        CONDITIONAL = "conditional", _("Shared on conditions")  # 有条件共享
        NONE = "none", _("Not shared")  # 不予共享

    resource = models.ForeignKey(InformationResource, on_delete=models.CASCADE, related_name="items")
    field = models.CharField(_("field"), max_length=60)
    name = models.CharField(_("item name"), max_length=100)  # 信息项名称
    name_en = models.CharField(_("item name in English"), max_length=100, blank=True)  # core.i18n
    data_type = models.CharField(_("data type"), max_length=1, choices=DataType.choices)
    is_personal = models.BooleanField(_("personal data"), default=False)
    sharing_type = models.CharField(_("sharing type"), max_length=20, choices=SharingType.choices)
    sharing_condition = models.CharField(_("sharing condition"), max_length=500, blank=True)  # 共享条件
    sharing_condition_en = models.CharField(_("sharing condition in English"), max_length=500, blank=True)
    refusal_basis = models.CharField(_("legal reason for not sharing"), max_length=500, blank=True)
    refusal_basis_en = models.CharField(_("legal reason for not sharing in English"), max_length=500, blank=True)
    is_open = models.BooleanField(_("open to the public"), default=False)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["resource", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["resource", "field"], name="one_item_per_field")]
        verbose_name = _("information item")
        verbose_name_plural = _("information items")

    def __str__(self) -> str:
        return f"{self.resource.code}.{self.field}"

    @property
    def local_name(self) -> str:
        """The name in the active language (``core.i18n``: English when there is one)."""
        return pick(self.name, self.name_en)

    @property
    def local_sharing_condition(self) -> str:
        """The 共享条件 in the active language (``core.i18n``)."""
        return pick(self.sharing_condition, self.sharing_condition_en)

    @property
    def local_refusal_basis(self) -> str:
        """The legal reason for 不予共享 in the active language (``core.i18n``)."""
        return pick(self.refusal_basis, self.refusal_basis_en)


class SharingGrant(models.Model):
    """A consumer organization may receive these items of one resource, for a purpose, until expiry.

    A grant is in force when not revoked and ``expires_at`` is in the future (or unset).
    """

    resource = models.ForeignKey(InformationResource, on_delete=models.PROTECT, related_name="grants")
    consumer_code = models.CharField(_("consumer code"), max_length=18, db_index=True)  # USCC
    consumer_name = models.CharField(_("consumer"), max_length=200)
    items = models.ManyToManyField(InformationItem, related_name="grants", verbose_name=_("items"))
    purpose = models.CharField(_("purpose"), max_length=500)
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    # The 共享申请 that led to the grant (none for grants loaded by ``egov exchange import``).
    request = models.ForeignKey("SharingRequest", verbose_name=_("sharing request"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="grants")
    conditions = models.TextField(_("conditions of use"), blank=True)  # the provider's conditions, item by item
    expiry_noticed_on = models.DateField(_("consumer told of the expiry on"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("marked expired at"), null=True, blank=True)  # by the daily run

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("sharing grant")
        verbose_name_plural = _("sharing grants")

    def __str__(self) -> str:
        return f"{self.resource.code} → {self.consumer_code}"

    @property
    def local_consumer_name(self) -> str:
        """The consumer's name in the active language: the English name of the platform's organization
        with its code (``consumer_code``) on English pages, else the name written on the grant."""
        if not english():
            return self.consumer_name
        organization = Organization.objects.filter(uscc=self.consumer_code).only("name", "name_en").first()
        return organization.local_name if organization else self.consumer_name


class SharingRequestStatus(models.TextChoices):
    """Where a 共享申请 stands: waiting for the provider, or how it ended."""

    PENDING = "pending", _("Awaiting the provider's decision")  # 待审核 (有条件共享 items)
    GRANTED = "granted", _("Granted")  # 已授权: every item asked for
    PARTLY_GRANTED = "partly_granted", _("Partly granted")  # 部分授权
    REFUSED = "refused", _("Refused")  # 不予授权: no item
    WITHDRAWN = "withdrawn", pgettext_lazy("sharing request", "Withdrawn")  # 已撤回 by the consumer


class SharingRequest(models.Model):
    """A consumer organization asks a provider for named 信息项 of one resource (共享申请).

    ``purpose`` says what the data serves (the duty, or the 办件 numbered ``case_number``) and
    ``legal_basis`` the law that allows it. Items marked 无条件共享 are granted at submission, 不予共享
    refused at once with their legal reason; 有条件共享 items wait for the provider's decision, due
    on ``decision_due_on`` (working days, ``egov.exchange.actions.requests``). The grants made are
    ``grants``. ``idempotency_key`` (unique per consumer) and ``request_digest`` make a form sent
    twice one request (``egov.facilities.idempotency``).
    """

    number = models.CharField(pgettext_lazy("sharing request", "number"), max_length=32, unique=True)
    resource = models.ForeignKey(InformationResource, verbose_name=_("information resource"),
                                 on_delete=models.PROTECT, related_name="requests")
    provider = models.ForeignKey("orgs.Organization", verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="sharing_requests_received")
    consumer = models.ForeignKey("orgs.Organization", verbose_name=_("consumer"), on_delete=models.PROTECT,
                                 related_name="sharing_requests_made")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT,
                                     related_name="+")
    purpose = models.CharField(_("purpose"), max_length=500)
    case_number = models.CharField(_("case served (办件编号)"), max_length=40, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    status = models.CharField(_("status"), max_length=20, choices=SharingRequestStatus.choices,
                              default=SharingRequestStatus.PENDING, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    decision_due_on = models.DateField(_("decision due on"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    overdue_since = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    reminded_on = models.DateField(_("provider reminded on"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["consumer", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="sharing_request_idempotency_key"),
        ]
        verbose_name = _("sharing request")
        verbose_name_plural = _("sharing requests")

    def __str__(self) -> str:
        return self.number


class SharingRequestItem(models.Model):
    """One 信息项 asked for in a request, and what became of it.

    ``field``, ``name`` and ``sharing_type`` are copied from the catalog when asked (the request
    keeps what was asked even if the catalog changes later). ``reason`` is the provider's condition
    of use for a granted 有条件共享 item, its reason for a refused one, or the catalog's legal reason
    for a 不予共享 item.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    request = models.ForeignKey(SharingRequest, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(InformationItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(_("field"), max_length=60)
    name = models.CharField(_("item name"), max_length=100)
    sharing_type = models.CharField(_("sharing type"), max_length=20, choices=InformationItem.SharingType.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reason = models.TextField(_("conditions or reasons"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["request", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "field"], name="sharing_request_item_once")]
        verbose_name = _("requested item")
        verbose_name_plural = _("requested items")

    def __str__(self) -> str:
        return f"{self.request}.{self.field}"

    @property
    def local_reason(self) -> str:
        """``reason`` in the active language: when it is the catalog's own text (the legal reason of
        a 不予共享 item, or the 共享条件 the provider kept), that text's English on English pages."""
        item = self.item
        if item is not None and self.reason:
            if self.reason == item.refusal_basis:
                return item.local_refusal_basis
            if self.reason == item.sharing_condition:
                return item.local_sharing_condition
        return self.reason

    @property
    def local_name(self) -> str:
        """The item's name in the active language: the catalog item's (``InformationItem.local_name``)
        while it is there, else the name copied when asked."""
        return self.item.local_name if self.item_id else self.name


class SharingRequestEvent(models.Model):
    """One line of a request's timeline, seen by both sides; ``by`` the organization that acted."""

    request = models.ForeignKey(SharingRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    move = models.CharField(_("step"), max_length=30)
    status_from = models.CharField(max_length=20, choices=SharingRequestStatus.choices, blank=True)
    status_to = models.CharField(max_length=20, choices=SharingRequestStatus.choices)
    by = models.CharField(pgettext_lazy("timeline", "by"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["request", "at", "pk"]
        verbose_name = _("sharing request event")
        verbose_name_plural = _("sharing request events")

    def __str__(self) -> str:
        return f"{self.request} {self.move} → {self.status_to}"

    @property
    def local_by(self) -> str:
        """The organization that acted in the active language: the request's consumer or provider
        (whose name the moves write as ``by``) by its ``local_name``; ``by`` as written otherwise."""
        for organization in (self.request.consumer, self.request.provider):
            if self.by == organization.name:
                return organization.local_name
        return self.by


class SharingRequestCounter(models.Model):
    """The last sharing request number given on one day (``egov.facilities.numbering``)."""

    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.value}"


class TimestampBatch(models.Model):
    """One RFC 3161 token over the log's chain head at ``last_seq``: it dates every row up to it.

    ``imprint`` is the SHA-256 (hex) the token covers: the ``hash`` of the row ``last_seq``, which
    chains every earlier row (``egov.exchange.log``). ``token`` is the DER ``TimeStampToken``.
    """

    first_seq = models.PositiveBigIntegerField()
    last_seq = models.PositiveBigIntegerField(unique=True)
    imprint = models.CharField(max_length=64)
    token = models.BinaryField()
    gen_time = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_seq"]

    def __str__(self) -> str:
        return f"rows {self.first_seq}–{self.last_seq} at {self.gen_time:%Y-%m-%d %H:%M:%S}"


class LoggedMessage(models.Model):
    """One request or response a node sent or received (消息日志), hash-chained in ``seq`` order.

    ``envelope`` is the compact JWS exactly as it travelled; ``body`` the bytes it signs (through
    the ``digest`` claim of its payload), or NULL for a message logged without its body (an extract
    page: ``egov.exchange.log``, "bodies"), whose SHA-256 (``body_sha256``, lower-case hex) and size
    in bytes (``body_size``) are then the evidence. Rows logged before migration 0011 have neither
    column filled (their digest is computed from ``body``). ``hash`` is SHA-256 over the canonical
    JSON of ``egov.exchange.log.HASHED_FIELDS``, ``prev_hash`` the hash of row ``seq - 1``.
    """

    class Direction(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Sent")

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request")
        RESPONSE = "response", _("Response")
        REFUSAL = "refusal", _("Refusal")

    seq = models.PositiveBigIntegerField(unique=True)
    logged_at = models.DateTimeField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    message_id = models.CharField(max_length=64)
    in_reply_to = models.CharField(max_length=64, blank=True)
    peer_code = models.CharField(max_length=18)
    service = models.CharField(max_length=100)
    status = models.PositiveSmallIntegerField(default=0)  # HTTP status of a response or refusal
    envelope = models.TextField(blank=True)  # empty for a refusal of something that was not an envelope
    body = models.BinaryField(null=True)  # NULL: logged without its body (digest and size kept)
    body_sha256 = models.CharField(max_length=64, blank=True, default="")  # "" before migration 0011
    body_size = models.PositiveBigIntegerField(null=True, blank=True)  # bytes; NULL before migration 0011
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    batch = models.ForeignKey(TimestampBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="messages")

    class Meta:
        ordering = ["seq"]
        constraints = [
            # A received request is carried out at most once, also across restarts (replay).
            models.UniqueConstraint(fields=["message_id"], condition=models.Q(direction="in", kind="request"),
                                    name="exchange_request_received_once"),
        ]
        indexes = [models.Index(fields=["batch", "seq"], name="exchange_log_untimestamped")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.direction} {self.kind} {self.message_id}"


class ArchiveFile(models.Model):
    """One exported archive of the message log (``egov exchange archive``): whole timestamp
    batches, rows ``first_seq``–``last_seq``. Files chain: ``prev_sha256`` is the SHA-256 of the
    file numbered ``number - 1`` (64 zeros for the first)."""

    number = models.PositiveIntegerField(unique=True)
    first_seq = models.PositiveBigIntegerField()
    last_seq = models.PositiveBigIntegerField(unique=True)
    sha256 = models.CharField(max_length=64, unique=True)
    prev_sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name


class ResourceSource(models.Model):
    """Where a provider's node reads a resource's records (异源, issue 20): a PostgreSQL or
    MySQL/MariaDB table or view, a CSV or XLSX file, or an HTTP JSON API (``adapters.py``), and which
    source column each 信息项 is read from.

    ``connection`` holds the connection details — the database address with user and password, the
    file's path, or the API's address and headers — as JSON encrypted with Fernet under
    ``EGOV_SOURCE_KEY`` (``sources_secret.py``); ``connection_hint`` is what pages show of it (the
    password and query left out). A node's service names it by ``code``: ``source = "adapter:<code>"``.
    """

    class Kind(models.TextChoices):
        POSTGRESQL = "postgresql", "PostgreSQL"
        MYSQL = "mysql", "MySQL / MariaDB"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        HTTP = "http", _("HTTP JSON API")

    code = models.SlugField(_("source code"), max_length=60, unique=True)
    resource = models.ForeignKey(InformationResource, verbose_name=_("information resource"),
                                 on_delete=models.PROTECT, related_name="sources")
    kind = models.CharField(_("kind of source"), max_length=20, choices=Kind.choices)
    connection = models.TextField(_("connection details (encrypted)"))
    connection_hint = models.CharField(_("connection"), max_length=300, blank=True)
    table = models.CharField(_("table or view"), max_length=200, blank=True)
    key_column = models.CharField(_("key column"), max_length=100)
    change_column = models.CharField(_("change column"), max_length=100, blank=True)
    mapping = models.JSONField(_("information items to columns"), default=dict)  # {item field: column}
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name = _("resource source")
        verbose_name_plural = _("resource sources")

    def __str__(self) -> str:
        return self.code


class ReadInquiry(models.Model):
    """A person's question about a read of their data they do not recognise (数据使用异议): asked
    from "who read my data" with one click and an optional text, routed to the reading
    organization's sharing staff (data stewards and operators), answered by the working day
    ``due_on`` (``EGOV_READ_INQUIRY_DAYS`` working days after the day asked, the platform's
    working-day calendar), with a reminder to the organization the working day before.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the answer")
        ANSWERED = "answered", _("Answered")

    read = models.ForeignKey("audit.SubjectRead", verbose_name=_("read"), on_delete=models.PROTECT,
                             related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT,
                                 related_name="read_inquiries")
    organization = models.ForeignKey("orgs.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="read_inquiries")
    text = models.TextField(_("question"), blank=True)
    asked_at = models.DateTimeField(_("asked at"))
    due_on = models.DateField(_("answer due"))
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-asked_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["read", "asked_by"], name="one_inquiry_per_read_and_person")]
        indexes = [models.Index(fields=["organization", "status", "due_on"], name="readinquiry_org_open")]
        verbose_name = _("question about a read")
        verbose_name_plural = _("questions about reads")

    def __str__(self) -> str:
        return f"read inquiry {self.pk} ({self.status})"


from egov.exchange.models_subscriptions import (  # noqa: E402,F401 (subscriptions: their own module)
    ChangeCursor,
    ChangeEvent,
    Delivery,
    DeliveryAttempt,
    ReceivedEvent,
    SubscribedRecord,
    Subscription,
)
from egov.exchange.models_traffic import TrafficMinute  # noqa: E402,F401 (traffic rollups: their own module)
