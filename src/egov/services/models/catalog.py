"""The service-item catalogue (政务服务事项) and the content-addressed store of uploaded materials.

Dependencies: ``orgs`` (the implementing organization). The process of an item is named by its
BPMN definition key (``process_key``), resolved by the workflow app.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egov.core.i18n import pick, pick_key
from egov.services.pinyin import name_pinyin


class LifeEvent(models.TextChoices):
    """主题分类: the life events (面向自然人) and business stages (面向法人) by which the national
    government service platform (国家政务服务平台, 全国一体化在线政务服务平台) files its items, so that a
    person finds an item by what is happening to them. ``NATURAL_EVENTS`` and ``LEGAL_EVENTS`` say
    which audience each is for."""

    # 面向自然人
    BIRTH_ADOPTION = "birth_adoption", _("Birth and adoption")  # 生育收养
    HOUSEHOLD = "household", _("Household registration")  # 户籍办理
    EDUCATION = "education", _("Education and research")  # 教育科研
    EMPLOYMENT = "employment", _("Employment and starting a business")  # 就业创业
    MARRIAGE = "marriage", _("Marriage registration")  # 婚姻登记
    SOCIAL_SECURITY = "social_security", _("Social security")  # 社会保障
    HOUSING = "housing", _("Housing")  # 住房保障
    TRANSPORT = "transport", _("Transport and travel")  # 交通出行
    HEALTH = "health", _("Medical care and health")  # 医疗卫生
    RETIREMENT = "retirement", _("Leaving a job and retirement")  # 离职退休
    DEATH_FUNERAL = "death_funeral", _("Death and funerals")  # 死亡殡葬
    LEGAL_SERVICES = "legal_services", _("Legal services")  # 公共法律服务
    # 面向法人
    ESTABLISHMENT = "establishment", _("Establishment and changes")  # 设立变更
    OPERATING_PERMITS = "operating_permits", _("Permits to operate")  # 准营准办
    ANNUAL_INSPECTION = "annual_inspection", _("Annual inspections")  # 年检年审
    TAX_FINANCE = "tax_finance", _("Tax and finance")  # 税收财务
    HUMAN_RESOURCES = "human_resources", _("Human resources")  # 人力资源
    INVESTMENT = "investment", _("Investment approval")  # 投资审批
    PLANNING_CONSTRUCTION = "planning_construction", _("Planning and construction")  # 规划建设
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Intellectual property")  # 知识产权
    ENVIRONMENT = "environment", _("Environmental protection")  # 环境保护
    SOCIAL_ORGANIZATIONS = "social_organizations", _("Social organizations")  # 社会组织


NATURAL_EVENTS = (LifeEvent.BIRTH_ADOPTION, LifeEvent.HOUSEHOLD, LifeEvent.EDUCATION, LifeEvent.EMPLOYMENT,
                  LifeEvent.MARRIAGE, LifeEvent.SOCIAL_SECURITY, LifeEvent.HOUSING, LifeEvent.TRANSPORT,
                  LifeEvent.HEALTH, LifeEvent.RETIREMENT, LifeEvent.DEATH_FUNERAL, LifeEvent.LEGAL_SERVICES)
LEGAL_EVENTS = (LifeEvent.ESTABLISHMENT, LifeEvent.OPERATING_PERMITS, LifeEvent.ANNUAL_INSPECTION,
                LifeEvent.TAX_FINANCE, LifeEvent.HUMAN_RESOURCES, LifeEvent.INVESTMENT,
                LifeEvent.PLANNING_CONSTRUCTION, LifeEvent.INTELLECTUAL_PROPERTY, LifeEvent.ENVIRONMENT,
                LifeEvent.SOCIAL_ORGANIZATIONS)


class ServiceItem(models.Model):
    """One item of a city's implementation list (实施清单): what can be applied for, by whom, how.

    ``code`` is the implementation code (事项编码, GB/T 39554.1-2020; layout in ``egov.services.codes``).
    Time limits are in working days (工作日: statutory holidays excluded, adjusted working days
    included); ``legal_limit_days`` is None when no law sets one, ``promised_limit_days`` 0 means
    done on the spot (即办). ``form_schema`` is a JSON Schema (draft 2020-12) of the application
    form, in the subset that ``egov.services.formschema`` renders; ``{}`` when the item has no form.
    Items form a hierarchy 主项 → 子项 → 业务办理项 through ``parent``; ``level`` follows from the code.
    Texts have their English beside them (``name_en`` …, ``egov.core.i18n``): ``process_steps_en``
    step by step, ``legal_basis`` entries ``title_en``/``provision_en``, form fields ``title_en``/
    ``description_en``; the ``local_*`` properties give each in the page's language. Its life events
    (主题分类) are its ``themes`` rows.
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
    name_en = models.CharField(_("item name in English"), max_length=300, blank=True)
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
    conditions_en = models.TextField(_("conditions in English"), blank=True)
    applicant_kinds = models.JSONField(_("who may apply"), default=list, help_text='["natural", "legal"]')
    legal_limit_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"), null=True, blank=True)
    promised_limit_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    time_limit_note = models.CharField(_("time limit note"), max_length=300, blank=True)
    time_limit_note_en = models.CharField(_("time limit note in English"), max_length=500, blank=True)
    charges_fee = models.BooleanField(_("charges a fee"), default=False)
    fee_description = models.TextField(_("fees"), blank=True)
    fee_description_en = models.TextField(_("fees in English"), blank=True)
    online_depth = models.PositiveSmallIntegerField(_("online depth"), choices=OnlineDepth.choices)
    max_visits = models.PositiveSmallIntegerField(_("visits needed at most"), default=1)
    issues_licence = models.BooleanField(_("issues a licence"), default=False)
    licence_name = models.CharField(_("licence name"), max_length=200, blank=True)
    licence_name_en = models.CharField(_("licence name in English"), max_length=300, blank=True)
    licence_valid_years = models.PositiveSmallIntegerField(_("licence valid for (years)"), null=True, blank=True,
                                                           help_text=_("Empty: valid without limit (长期)."))
    process_key = models.CharField(_("process definition key"), max_length=100, default="standard_permit")
    process_steps = models.JSONField(_("process steps"), default=list, help_text='["申请", "受理", "审查", "决定"]')
    process_steps_en = models.JSONField(_("process steps in English"), default=list, blank=True,
                                        help_text='["Application", "Acceptance", "Review", "Decision"]')
    form_schema = models.JSONField(_("application form (JSON Schema)"), default=dict, blank=True)
    is_published = models.BooleanField(_("published"), default=True, db_index=True)
    sort_order = models.PositiveIntegerField(default=0)
    # The name's pinyin and initials (公司登记: gongsidengji, gsdj), kept by ``save`` (services.pinyin);
    # indexed for prefix matches (PostgreSQL adds a varchar_pattern_ops index).
    name_pinyin = models.CharField(max_length=1200, blank=True, default="", editable=False, db_index=True)
    name_initials = models.CharField(max_length=400, blank=True, default="", editable=False, db_index=True)
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

    def save(self, *args, **kwargs):
        """Save, ``name_pinyin`` and ``name_initials`` following ``name`` (``services.pinyin``; also
        when ``update_fields`` names ``name``)."""
        self.name_pinyin, self.name_initials = name_pinyin(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)

    @property
    def local_name(self) -> str:
        return pick(self.name, self.name_en)

    @property
    def applicant_kinds_display(self) -> list:
        """Who may apply, as words: 自然人, 法人 (natural persons first)."""
        labels = {"natural": _("Natural persons"), "legal": _("Legal persons")}
        return [labels[kind] for kind in ("natural", "legal") if kind in self.applicant_kinds]

    @property
    def local_conditions(self) -> str:
        return pick(self.conditions, self.conditions_en)

    @property
    def local_time_limit_note(self) -> str:
        return pick(self.time_limit_note, self.time_limit_note_en)

    @property
    def local_fee_description(self) -> str:
        return pick(self.fee_description, self.fee_description_en)

    @property
    def local_licence_name(self) -> str:
        return pick(self.licence_name, self.licence_name_en)

    @property
    def local_process_steps(self) -> list[str]:
        """The steps in the page's language (the English list only when it has every step)."""
        english = self.process_steps_en if len(self.process_steps_en or []) == len(self.process_steps) else []
        return pick(self.process_steps, english)

    @property
    def local_legal_basis(self) -> list[dict]:
        """``[{"title", "provision"}]`` in the page's language."""
        return [{"title": pick_key(entry, "title"), "provision": pick_key(entry, "provision")}
                for entry in self.legal_basis]


class ItemTheme(models.Model):
    """One life event (主题分类) a service item is filed under; an item may have several."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField(_("life event"), max_length=30, choices=LifeEvent.choices, db_index=True)

    class Meta:
        ordering = ["item", "theme"]
        constraints = [models.UniqueConstraint(fields=["item", "theme"], name="one_theme_once_per_item")]
        verbose_name = _("life event of an item")
        verbose_name_plural = _("life events of items")

    def __str__(self) -> str:
        return f"{self.item.name}: {self.get_theme_display()}"


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
    name_en = models.CharField(_("material name in English"), max_length=400, blank=True)
    required = models.BooleanField(_("required"), default=True)
    form = models.CharField(_("form"), max_length=12, choices=Form.choices, default=Form.ELECTRONIC)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    accepted_types = models.JSONField(_("accepted file types"), default=list)
    max_size_bytes = models.PositiveIntegerField(_("largest file (bytes)"))
    note = models.TextField(_("note"), blank=True)
    note_en = models.TextField(_("note in English"), blank=True)
    # What the platform already holds in place of this material (免提交; ``services.once_only``):
    # ``register:legal-entity``, ``register:population`` or ``licence:<item code>``; "" none.
    held_as = models.CharField(_("held by the platform as"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="material_name_per_item")]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Save, and mark the item changed (``updated_at``): each process's cached materials of the
        item (``actions.catalog.item_materials``) are keyed by it."""
        super().save(*args, **kwargs)
        ServiceItem.objects.filter(pk=self.item_id).update(updated_at=timezone.now())

    def delete(self, *args, **kwargs):
        """Delete, and mark the item changed, as ``save`` does."""
        item_id = self.item_id
        result = super().delete(*args, **kwargs)
        ServiceItem.objects.filter(pk=item_id).update(updated_at=timezone.now())
        return result

    @property
    def local_name(self) -> str:
        return pick(self.name, self.name_en)

    @property
    def local_note(self) -> str:
        return pick(self.note, self.note_en)
