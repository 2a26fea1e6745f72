"""The base registers (基础信息库): population (人口基础信息) and legal entities (法人单位基础信息).

Each register keeps its current rows (``PopulationRecord``, ``LegalEntityRecord``), each carrying
its own creation (who, when, from which source: version 1), and beside them one ``RecordVersion`` per
later change (who, when, from which source, what changed, and the whole row as it was before the
change), so that a record can be read back as of any date by walking back from the current row.
A bulk import of new rows thus writes one row each and nothing else. Rows are written only by
``egov.registries.actions``.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core.i18n import pick


class Register(models.TextChoices):
    POPULATION = "population", _("Population register")  # 人口基础信息
    LEGAL_ENTITY = "legal_entity", _("Legal-entity register")  # 法人单位基础信息
    ECONOMIC = "economic", _("Macro-economic data")  # 宏观经济数据


class PopulationRecord(models.Model):
    """One person in the population register, keyed on the resident ID number (GB 11643-1999).

    ``sex`` and ``birth_date`` are those the ID number carries (checked against it at import);
    ``ethnicity`` is a GB/T 3304 code (``"01"`` 汉族); ``household_division`` the GB/T 2260 code of
    the 户籍地. ``review_reason`` is set when a row is kept but needs a person to look at it (an ID
    whose address code was abolished before the birth date). ``version`` counts the row's versions:
    1 is the creation (``created_at``, ``created_by`` or ``created_label``, ``created_source``), each
    later one a ``RecordVersion``. The one index besides the primary key is the identifier's unique one
    (a constraint, so that Django adds no LIKE index beside it).
    """

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Status(models.TextChoices):
        NORMAL = "normal", pgettext_lazy("population register status", "Normal")  # 正常
        DECEASED = "deceased", pgettext_lazy("population register status", "Deceased")  # 死亡
        MOVED_OUT = "moved_out", pgettext_lazy("population register status", "Moved out")  # 迁出

    # Unique by a constraint, not ``unique=True``: on PostgreSQL that would add a second index on the
    # column (``varchar_pattern_ops``, for LIKE), which no query uses and every import pays for.
    id_number = models.CharField(_("resident ID number"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity (GB/T 3304)"), max_length=2, blank=True)
    household_division = models.CharField(_("household-registration division"), max_length=6, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NORMAL)
    source = models.CharField(_("source"), max_length=200)
    review_reason = models.CharField(_("to review"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now, db_default=Now())
    # Version 1 (the creation) is kept on the row itself; later versions are ``RecordVersion`` rows.
    # The database's default for both times (the writing transaction's start) lets an import's COPY
    # leave them out: parsing two time stamps per row was a fifth of the server's work.
    # No index on the actor: rows are read by identifier, the audit log answers "who did what". No
    # database constraint either: its deferred trigger fires for every row a bulk import writes, even
    # when the actor is a command (NULL), and cost about a third of the import's COPY; rows are written
    # only by ``actions`` with the acting user, and PROTECT still keeps the user (checked by Django).
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_index=False, db_constraint=False)
    created_label = models.CharField(max_length=200, blank=True)
    created_source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["id_number"], name="registries_population_id_number")]
        verbose_name = _("population record")
        verbose_name_plural = _("population records")

    def __str__(self) -> str:
        return self.id_number


class LegalEntityRecord(models.Model):
    """One legal entity or other organization, keyed on its unified social credit code (GB 32100-2015).

    ``division`` is the GB/T 2260 code in characters 3–8 of the code; ``registered_capital`` is in
    units of ten thousand (万) of ``capital_currency`` (ISO 4217, ``CNY``), as 登记 records state it.
    """

    class Status(models.TextChoices):
        EXISTING = "existing", pgettext_lazy("registration status", "Existing")  # 存续
        OPERATING = "operating", pgettext_lazy("registration status", "Operating")  # 在业
        REVOKED = "revoked", pgettext_lazy("registration status", "Licence revoked")  # 吊销
        CANCELLED = "cancelled", pgettext_lazy("registration status", "Deregistered")  # 注销

    uscc = models.CharField(_("unified social credit code"), max_length=18)  # unique: see Meta
    name = models.CharField(_("name"), max_length=200)
    entity_type = models.CharField(_("type"), max_length=100, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=200, blank=True)
    registered_capital = models.DecimalField(_("registered capital (10,000 units)"), max_digits=18, decimal_places=4,
                                             null=True, blank=True)
    capital_currency = models.CharField(_("currency"), max_length=3, default="CNY")
    established_on = models.DateField(_("establishment date"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    division = models.CharField(_("division"), max_length=6)
    business_scope = models.TextField(_("business scope"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.EXISTING)
    source = models.CharField(_("source"), max_length=200)
    review_reason = models.CharField(_("to review"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now, db_default=Now())
    # Version 1 (the creation) is kept on the row itself; later versions are ``RecordVersion`` rows.
    # The database's default for both times (the writing transaction's start) lets an import's COPY
    # leave them out: parsing two time stamps per row was a fifth of the server's work.
    # No index on the actor: rows are read by identifier, the audit log answers "who did what". No
    # database constraint either: its deferred trigger fires for every row a bulk import writes, even
    # when the actor is a command (NULL), and cost about a third of the import's COPY; rows are written
    # only by ``actions`` with the acting user, and PROTECT still keeps the user (checked by Django).
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_index=False, db_constraint=False)
    created_label = models.CharField(max_length=200, blank=True)
    created_source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["uscc"], name="registries_legal_entity_uscc")]
        verbose_name = _("legal-entity record")
        verbose_name_plural = _("legal-entity records")

    def __str__(self) -> str:
        return self.uscc


class RecordVersion(models.Model):
    """One change of one register row: ``number`` counts from 2 (version 1, the creation, is on the
    row itself: ``created_at``, ``created_by``, ``created_label``, ``created_source``).

    ``changes`` maps each changed field to ``[old, new]``; ``data`` is the whole row *before* this
    change, as JSON (dates ISO 8601, capital as a string). The row as of a moment is the ``data`` of
    the first change recorded after it, or the current row when there is none.
    """

    register = models.CharField(max_length=12, choices=Register.choices)
    key = models.CharField(max_length=18)  # the ID number or the USCC
    number = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(default=timezone.now)
    # No index: versions are read by (register, key), never by actor; the audit log answers "who did what".
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", db_index=False)
    actor_label = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=200)
    changes = models.JSONField(default=dict)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["register", "key", "number"]
        constraints = [models.UniqueConstraint(fields=["register", "key", "number"], name="registry_version_number")]
        verbose_name = _("register version")
        verbose_name_plural = _("register versions")

    def __str__(self) -> str:
        return f"{self.register} {self.key} v{self.number}"


class ImportBatch(models.Model):
    """One import of a file into a register, with its counts and its rejected rows.

    ``counts``: ``{"read", "imported", "unchanged", "rejected", "flagged"}``; ``rejected``: a list of
    ``{"row", "field", "rule", "reason"}`` (row numbers as in the file, the header being row 1);
    ``flagged``: the same shape for rows kept but marked for review.
    """

    register = models.CharField(max_length=12, choices=Register.choices)
    file_name = models.CharField(max_length=255)
    source = models.CharField(max_length=200)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    counts = models.JSONField(default=dict)
    rejected = models.JSONField(default=list)
    flagged = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.register} {self.file_name}"


class EconomicIndicator(models.Model):
    """A statistical indicator of the macro-economic database (宏观经济数据库), e.g. ``GDP``
    地区生产总值 in 亿元, ``POP_RESIDENT`` 年末常住人口 in 万人, ``BUDGET_REVENUE`` 一般公共预算收入 in 亿元.

    ``unit`` is the unit its values are stored in (Chinese, as statistical yearbooks write it) and
    ``unit_en`` its English text; ``definition`` says what is counted (统计口径), ``source`` which
    organization publishes it (e.g. 无锡市统计局). Defined by ``actions.indicator_define``; values
    are imported (``IndicatorValue``).
    """

    code = models.CharField(_("indicator code"), max_length=40, unique=True)
    name = models.CharField(_("indicator"), max_length=100)
    name_en = models.CharField(_("indicator (English)"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    unit_en = models.CharField(_("unit (English)"), max_length=60, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    source = models.CharField(_("source organization"), max_length=200)
    source_en = models.CharField(_("source organization (English)"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("economic indicator")
        verbose_name_plural = _("economic indicators")

    def __str__(self) -> str:
        return self.code

    @property
    def local_name(self) -> str:
        return pick(self.name, self.name_en)

    @property
    def local_unit(self) -> str:
        return pick(self.unit, self.unit_en)

    @property
    def local_definition(self) -> str:
        return pick(self.definition, self.definition_en)

    @property
    def local_source(self) -> str:
        return pick(self.source, self.source_en)


class IndicatorValue(models.Model):
    """One figure: an indicator's value for a GB/T 2260 division and a period.

    ``period`` is ``"2024"`` (a year), ``"2024Q1"`` (a quarter) or ``"2024-03"`` (a month), so that
    periods of one kind sort as text; ``period_kind`` says which. ``value`` is in the indicator's
    ``unit``. ``status`` is 初步 (preliminary, e.g. 初步核算数) or 最终 (final, 最终核实数). A revised
    figure keeps its history as the other registers do: ``version`` counts, and each change is a
    ``RecordVersion`` (register ``economic``, key the row's primary key) holding the row before it.
    """

    class PeriodKind(models.TextChoices):
        YEAR = "year", _("Year")
        QUARTER = "quarter", _("Quarter")
        MONTH = "month", _("Month")

    class Status(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary")  # 初步
        FINAL = "final", _("Final")  # 最终

    indicator = models.ForeignKey(EconomicIndicator, on_delete=models.PROTECT, related_name="values")
    division = models.CharField(_("division"), max_length=6)
    period = models.CharField(_("period"), max_length=7)
    period_kind = models.CharField(_("period kind"), max_length=7, choices=PeriodKind.choices)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    status = models.CharField(_("status"), max_length=11, choices=Status.choices, default=Status.PRELIMINARY)
    source = models.CharField(_("source"), max_length=200)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator", "division", "period"]
        constraints = [models.UniqueConstraint(fields=["indicator", "division", "period"],
                                               name="indicator_value_once")]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.division} {self.period}"
