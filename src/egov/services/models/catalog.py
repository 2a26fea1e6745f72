"""The service-item catalogue (政务服务事项) and the content-addressed store of uploaded materials.

Dependencies: ``orgs`` (the implementing organization). The process of an item is named by its
BPMN definition key (``process_key``), resolved by the workflow app.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceItem(models.Model):
    """One item of a city's implementation list (实施清单): what can be applied for, by whom, how.

    ``code`` is the implementation code (事项编码, GB/T 39554.1-2020; layout in ``egov.services.codes``).
    Time limits are in working days (工作日: statutory holidays excluded, adjusted working days
    included); ``legal_limit_days`` is None when no law sets one, ``promised_limit_days`` 0 means
    done on the spot (即办). ``form_schema`` is a JSON Schema (draft 2020-12) of the application
    form, in the subset that ``egov.services.formschema`` renders; ``{}`` when the item has no form.
    Items form a hierarchy 主项 → 子项 → 业务办理项 through ``parent``; ``level`` follows from the code.
    """

    class ItemType(models.TextChoices):
        LICENSING = "licensing", _("Administrative licensing")  # 行政许可
        LEVY = "levy", _("Administrative levy")  # 行政征收
        PAYMENT = "payment", _("Administrative payment")  # 行政给付
        CONFIRMATION = "confirmation", _("Administrative confirmation")  # 行政确认
        AWARD = "award", _("Administrative award")  # 行政奖励
        ADJUDICATION = "adjudication", _("Administrative adjudication")  # 行政裁决
        OTHER_POWER = "other_power", _("Other administrative power")  # 其他行政权力
        PUBLIC_SERVICE = "public_service", _("Public service")  # 公共服务

    class Level(models.TextChoices):
        MAIN = "main", _("Main item")  # 主项
        SUB = "sub", _("Sub-item")  # 子项
        HANDLING = "handling", _("Business-handling item")  # 业务办理项

    class HandlingKind(models.TextChoices):
        NEW = "new", _("New")  # 新设
        CHANGE = "change", _("Change")  # 变更
        RENEW = "renew", _("Renewal")  # 延续
        CANCEL = "cancel", _("Cancellation")  # 注销
        OTHER = "other", _("Other")  # 其他

    class OnlineDepth(models.IntegerChoices):
        """办理深度: how far the item can be done online."""

        INFORMATION = 1, _("Guidance online")  # 网上咨询: the guide and forms are online
        PRE_REVIEW = 2, _("Pre-review online")  # 网上预审: materials checked online before the visit
        ACCEPTANCE = 3, _("Accepted online")  # 网上受理: applied and accepted online, one visit
        FULLY_ONLINE = 4, _("Fully online")  # 全程网办: no visit

    code = models.CharField(_("item code"), max_length=32, unique=True)
    name = models.CharField(_("item name"), max_length=200)
    item_type = models.CharField(_("item type"), max_length=20, choices=ItemType.choices, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.MAIN)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent item"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    handling_kind = models.CharField(_("handling kind"), max_length=10, choices=HandlingKind.choices, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("implementing organization"), on_delete=models.PROTECT,
        related_name="service_items",
    )
    legal_basis = models.JSONField(_("legal basis"), default=list, help_text=_('[{"title": "…", "provision": "…"}]'))
    conditions = models.TextField(_("conditions"), blank=True)
    applicant_kinds = models.JSONField(_("who may apply"), default=list, help_text='["natural", "legal"]')
    legal_limit_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"), null=True, blank=True)
    promised_limit_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    time_limit_note = models.CharField(_("time limit note"), max_length=300, blank=True)
    charges_fee = models.BooleanField(_("charges a fee"), default=False)
    fee_description = models.TextField(_("fees"), blank=True)
    online_depth = models.PositiveSmallIntegerField(_("online depth"), choices=OnlineDepth.choices)
    max_visits = models.PositiveSmallIntegerField(_("visits needed at most"), default=1)
    issues_licence = models.BooleanField(_("issues a licence"), default=False)
    licence_name = models.CharField(_("licence name"), max_length=200, blank=True)
    licence_valid_years = models.PositiveSmallIntegerField(_("licence valid for (years)"), null=True, blank=True,
                                                           help_text=_("Empty: valid without limit (长期)."))
    process_key = models.CharField(_("process definition key"), max_length=100, default="standard_permit")
    process_steps = models.JSONField(_("process steps"), default=list, help_text='["申请", "受理", "审查", "决定"]')
    form_schema = models.JSONField(_("application form (JSON Schema)"), default=dict, blank=True)
    is_published = models.BooleanField(_("published"), default=True, db_index=True)
    sort_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__path", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(legal_limit_days__isnull=True)
                | models.Q(promised_limit_days__lte=models.F("legal_limit_days")),
                name="promised_within_legal_limit",
            ),
        ]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Material(models.Model):
    """A material an applicant hands in for an item (办理材料).

    ``accepted_types`` lists the file kinds accepted for its electronic copy, among
    ``StoredFile.Kind`` values; ``max_size_bytes`` caps one file.
    """

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original")  # 原件
        COPY = "copy", _("Copy")  # 复印件
        ELECTRONIC = "electronic", _("Electronic")  # 电子件

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("material name"), max_length=200)
    required = models.BooleanField(_("required"), default=True)
    form = models.CharField(_("form"), max_length=12, choices=Form.choices, default=Form.ELECTRONIC)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    accepted_types = models.JSONField(_("accepted file types"), default=list)
    max_size_bytes = models.PositiveIntegerField(_("largest file (bytes)"))
    note = models.TextField(_("note"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="material_name_per_item")]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name
