"""Row checks of register imports: each cell read as typed, each row accepted, flagged or rejected.

Accept what is valid however it is written (full-width digits, lowercase x, surrounding spaces,
``2024/3/5``), reject what is wrong with its reason, and flag for review what may be a legacy form;
never guess. Identifiers are checked by ``egov.orgs.identifiers`` (the one check of ID numbers and
USCCs), given the set of every GB/T 2260 code so that a large file makes no query per row.
"""

import datetime
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.core.errors import ValidationFailed
from egov.facilities.tabular import (  # the shared reading of cells; re-exported: the registers' checks use them
    _PLACEHOLDER_STARTS,  # noqa: F401
    PLACEHOLDER_DATES,
    PLACEHOLDERS,
    RowRejected,
    _date_parsed,  # noqa: F401
    _text,
    _typed,
    date_read,
    header_fields,
    is_placeholder,
)
from egov.orgs.identifiers import resident_id_check, uscc_check
from egov.registries.codes import ETHNIC_CODE_BY_NAME, ETHNIC_GROUPS
from egov.registries.models import LegalEntityRecord, PopulationRecord, Register

# field → the column's Chinese name in exports (the English field name is accepted too).
POPULATION_COLUMNS: dict[str, str] = {
    "id_number": "公民身份号码", "name": "姓名", "sex": "性别", "birth_date": "出生日期", "ethnicity": "民族",
    "household_division": "户籍地行政区划代码", "address": "住址", "status": "状态",
}
ENTITY_COLUMNS: dict[str, str] = {
    "uscc": "统一社会信用代码", "name": "名称", "entity_type": "类型", "legal_representative": "法定代表人",
    "registered_capital": "注册资本", "capital_currency": "币种", "established_on": "成立日期", "address": "住所",
    "business_scope": "经营范围", "status": "登记状态",
}
# Macro-economic figures, one a row (long format, as statistical data releases are exchanged).
INDICATOR_COLUMNS: dict[str, str] = {
    "indicator": "指标代码", "division": "行政区划代码", "period": "统计时期", "value": "数值", "unit": "计量单位",
    "status": "数据状态", "source": "数据来源",
}
COLUMNS = {Register.POPULATION: POPULATION_COLUMNS, Register.LEGAL_ENTITY: ENTITY_COLUMNS,
           Register.ECONOMIC: INDICATOR_COLUMNS}
# Other headings the same columns go by in real releases (指标名称 beside 指标代码, 单位 for 计量单位 …).
COLUMN_ALIASES: dict[str, dict[str, str]] = {
    Register.ECONOMIC: {"指标": "indicator", "指标名称": "indicator", "区划代码": "division", "地区代码": "division",
                        "时期": "period", "统计期": "period", "年份": "period", "数据": "value", "指标值": "value",
                        "单位": "unit", "状态": "status", "来源": "source"},
}
REQUIRED = {Register.POPULATION: ("id_number", "name"), Register.LEGAL_ENTITY: ("uscc", "name"),
            Register.ECONOMIC: ("indicator", "division", "period", "value")}

SEX_WORDS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F", "1": "M", "2": "F"}  # GB/T 2261.1
POPULATION_STATUS_WORDS = {"正常": "normal", "死亡": "deceased", "迁出": "moved_out",
                           **{value: value for value in PopulationRecord.Status.values}}
ENTITY_STATUS_WORDS = {"存续": "existing", "在业": "operating", "吊销": "revoked", "注销": "cancelled",
                       **{value: value for value in LegalEntityRecord.Status.values}}
CURRENCY_WORDS = {"人民币": "CNY", "美元": "USD", "港元": "HKD", "港币": "HKD", "欧元": "EUR", "日元": "JPY",
                  "英镑": "GBP"}

# Why a kept row is flagged for review (``review_reason``), by rule.
REVIEW_REASONS = {
    "division_abolished_before_birth": gettext_lazy(
        "The ID's address code was abolished before the birth date: check the ID with the public security bureau."),
    "match_confirm_differs": gettext_lazy(
        "The identifier matches a stored record but a field the matching rule confirms differs."),
}


# How messages name a field; lazy, so that a valid row costs no translation lookup.
LABELS = {
    "id_number": gettext_lazy("The resident ID number"), "name": gettext_lazy("The name"),
    "birth_date": gettext_lazy("The birth date"), "uscc": gettext_lazy("The unified social credit code"),
    "established_on": gettext_lazy("The establishment date"),
}


def _required(cells: Mapping[str, str], field: str, label) -> str:
    value = _text(cells.get(field, ""))
    if not value:
        raise RowRejected(field, "required", _("%(label)s is empty.") % {"label": label})
    if is_placeholder(value):
        raise RowRejected(field, "placeholder", _("%(label)s holds the placeholder “%(value)s”, not a value.")
                          % {"label": label, "value": value})
    return value


def _optional(cells: Mapping[str, str], field: str) -> str:
    value = _text(cells.get(field, ""))
    return "" if is_placeholder(value) else value


@lru_cache(maxsize=1024)
def _code_typed(value: str) -> str:
    """A code cell (sex, ethnicity, division, status) as typed, ``""`` for a placeholder. Cached:
    these columns take a handful of values in a whole register."""
    typed = _typed(value)
    return "" if is_placeholder(typed) else typed


@dataclass(frozen=True)
class Divisions:
    """The GB/T 2260 history the checks need, read once per import: ``codes`` (every code ever used)
    and ``until`` (code → the last year it was in use, None while in use; a reused code counts as in use)."""

    codes: Container[str]
    until: Mapping[str, int | None]

    @classmethod
    def load(cls) -> "Divisions":
        from egov.orgs.models import Division

        until: dict[str, int | None] = {}
        for code, valid_until in Division.objects.values_list("code", "valid_until"):
            if code in until and (until[code] is None or valid_until is None):
                until[code] = None
            else:
                until[code] = max(until.get(code) or 0, valid_until) if valid_until else None
        return cls(codes=frozenset(until), until=until)


def _identifier(check, value: str, **kwargs):
    try:
        return check(value, **kwargs)
    except ValidationFailed as failure:
        raise RowRejected(failure.extra.get("field", ""), failure.extra.get("rule", ""), failure.message) from None


def population_row_check(cells: Mapping[str, str], *, divisions: Divisions,
                         today: datetime.date) -> tuple[dict, str]:
    """Check one population row.

    Args:
        cells: field name → cell text (``POPULATION_COLUMNS``' keys).
        divisions: the GB/T 2260 history (``Divisions.load()``).
        today: birth dates after it are refused.

    Returns:
        ``(data, review_rule)``: the row's fields as stored (sex and birth date from the ID number),
        and ``""`` or the rule for which the row is kept but flagged (``REVIEW_REASONS``).

    Raises:
        RowRejected: the first thing wrong: ``id_number`` (``format``, ``check_character``,
            ``birth_date``, ``division_code`` — from ``resident_id_check``), ``name``
            (``required``/``placeholder``), ``sex``/``birth_date`` (``mismatch``, ``placeholder``,
            ``date``), ``ethnicity`` (``code``), ``household_division`` (``division_code``),
            ``status`` (``choice``).
    """
    raw_id = _required(cells, "id_number", LABELS["id_number"])
    resident = _identifier(resident_id_check, raw_id, field="id_number", today=today,
                           division_codes=divisions.codes)
    name = _required(cells, "name", LABELS["name"])
    if len(name) > 200:
        raise RowRejected("name", "max_length", _("The name is longer than 200 characters."))
    sex_text = _code_typed(cells.get("sex", ""))
    if sex_text:
        sex = SEX_WORDS.get(sex_text.casefold())
        if sex is None:
            raise RowRejected("sex", "choice", _("The sex “%(value)s” is not 男, 女, 1 or 2.") % {"value": sex_text})
        if sex != resident.sex:
            raise RowRejected("sex", "mismatch", _("The sex column says %(column)s but the ID number's 17th digit "
                                                   "says %(id)s.") % {"column": sex_text,
                                                                       "id": "男" if resident.sex == "M" else "女"})
    birth = date_read(cells.get("birth_date", ""), field="birth_date", label=LABELS["birth_date"])
    if birth is not None and birth != resident.birth_date:
        raise RowRejected("birth_date", "mismatch", _("The birth date %(column)s disagrees with the ID number's "
                                                      "%(id)s.") % {"column": birth.isoformat(),
                                                                     "id": resident.birth_date.isoformat()})
    ethnicity = _code_typed(cells.get("ethnicity", ""))
    if ethnicity:
        code = ethnicity.zfill(2) if ethnicity.isdigit() else ETHNIC_CODE_BY_NAME.get(ethnicity)
        if code not in ETHNIC_GROUPS:
            raise RowRejected("ethnicity", "code", _("The ethnicity “%(value)s” is not a GB/T 3304 code or name.")
                              % {"value": ethnicity})
        ethnicity = code
    else:
        ethnicity = ""
    household = _code_typed(_text(cells.get("household_division", "")))
    if household and household not in divisions.codes:
        raise RowRejected("household_division", "division_code",
                          _("The division code %(code)s was never a GB/T 2260 division code.") % {"code": household})
    status = _code_typed(_text(cells.get("status", ""))) or "normal"
    if status.casefold() not in POPULATION_STATUS_WORDS and status not in POPULATION_STATUS_WORDS:
        raise RowRejected("status", "choice",
                          _("The status “%(value)s” is not 正常, 死亡 or 迁出.") % {"value": status})
    status = POPULATION_STATUS_WORDS.get(status, POPULATION_STATUS_WORDS.get(status.casefold()))
    address = _optional(cells, "address")
    if len(address) > 300:
        raise RowRejected("address", "max_length", _("The address is longer than 300 characters."))
    until = divisions.until.get(resident.division_code)
    review = "division_abolished_before_birth" if until is not None and until < resident.birth_date.year else ""
    return {
        "id_number": resident.number, "name": name, "sex": resident.sex, "birth_date": resident.birth_date,
        "ethnicity": ethnicity, "household_division": household, "address": address, "status": status,
    }, review



# GB 11643-1999 §8.2: the weight of the i-th character (i = 1 … 17) is 2^(18−i) mod 11, the check
# character is CHECK_CHARACTERS[Σ weight × digit mod 11]. ``resident_id_check`` (python-stdnum) stays
# the reference; ``PopulationFastCheck`` only precomputes the sums of the three parts of a number.
ID_WEIGHTS = tuple(2 ** (17 - index) % 11 for index in range(17))
CHECK_CHARACTERS = "10X98765432"
# Free text is trimmed of these (``_text``); a cell equal to its trimmed self needs no copy.
_TRIM = " \t\r\n\u3000\ufeff"


def _weighted(digits: str, first: int) -> int:
    """Σ weight × digit of ``digits``, the first of them being character number ``first`` (0-based)."""
    return sum(int(digit) * ID_WEIGHTS[first + index] for index, digit in enumerate(digits))


class PopulationFastCheck:
    """``population_row_check`` for rows written the way a clean export writes them, in a few
    dictionary look-ups: the bulk of a million-row file.

    Its tables come from the same rules as ``population_row_check`` (the GB/T 2260 history, GB/T 3304
    codes, the sex and status words, the placeholder dates): the ID number's three parts (division
    code, birth date, sequence number) map to their share of the GB 11643 check sum, so a number is
    checked by three look-ups; each code column maps its canonical spellings to what is stored.
    A row it cannot accept as it stands — anything unusual, wrong or to be flagged — gives None, and
    the caller runs ``population_row_check``, which says what is wrong and how (the one place for
    reasons). So it never accepts what the full check refuses, nor stores anything differently: a
    parity test runs messy files through both.

    Args:
        divisions: the GB/T 2260 history (``Divisions.load()``).
        today: birth dates after it are refused.
    """

    # The cells it takes, in order.
    FIELDS = ("id_number", "name", "sex", "birth_date", "ethnicity", "household_division", "address", "status")

    def __init__(self, *, divisions: Divisions, today: datetime.date):
        # Filled as codes and dates come (``_division``, ``_born``): a file holds far fewer than the
        # tens of thousands of codes and dates there are.
        self.division_sum: dict[str, tuple[int, int | None]] = {}
        self.date_sum: dict[str, tuple[int, datetime.date, int, str | None]] = {}
        self.divisions, self.until, self.today = divisions.codes, divisions.until, today
        self.sequence_sum = {f"{n:03d}": (_weighted(f"{n:03d}", 14), "M" if n % 2 else "F") for n in range(1000)}
        self.sex = {"": None, **{word: sex for word, sex in SEX_WORDS.items()},
                    **{word.upper(): sex for word, sex in SEX_WORDS.items()}}
        self.ethnicity = {"": "", **{code: code for code in ETHNIC_GROUPS},
                          **{str(int(code)): code for code in ETHNIC_GROUPS},
                          **{name: code for name, code in ETHNIC_CODE_BY_NAME.items()}}
        self.status = {"": "normal", **{word: status for word, status in POPULATION_STATUS_WORDS.items()}}

    def _division(self, code: str) -> tuple[int, int | None] | None:
        """A GB/T 2260 code ever used → (its share of the GB 11643 check sum, the last year it was in
        use or None); None for anything else."""
        if len(code) != 6 or not (code.isascii() and code.isdigit()) or code not in self.divisions:
            return None
        entry = self.division_sum[code] = (_weighted(code, 0), self.until.get(code))
        return entry

    def _born(self, compact: str) -> tuple[int, datetime.date, int, str | None] | None:
        """A birth date an ID may carry, ``YYYYMMDD`` (a real date, 1880 … today) → (its share of the
        check sum, the date, its year, the date as a birth-date cell writes it — ISO 8601 — or None
        when it is a placeholder date, which a birth-date cell may not hold); None for anything else."""
        if len(compact) != 8 or not (compact.isascii() and compact.isdigit()):
            return None
        try:
            day = datetime.date(int(compact[:4]), int(compact[4:6]), int(compact[6:]))
        except ValueError:
            return None
        if day > self.today or day.year < 1880:
            return None
        entry = self.date_sum[compact] = (_weighted(compact, 6), day, day.year,
                                          None if day in PLACEHOLDER_DATES else day.isoformat())
        return entry

    def __call__(self, id_cell: str, name_cell: str, sex_cell: str = "", birth_cell: str = "", ethnicity_cell: str = "",
                 division_cell: str = "", address_cell: str = "", status_cell: str = "") -> tuple | None:
        """The row as stored, ``(id_number, name, sex, birth_date, birth date ISO text, ethnicity,
        household_division, address, status)``, or None: let ``population_row_check`` decide."""
        division = self.division_sum.get(id_cell[:6]) or self._division(id_cell[:6])
        born = self.date_sum.get(id_cell[6:14]) or self._born(id_cell[6:14])
        sequence = self.sequence_sum.get(id_cell[14:17])
        if division is None or born is None or sequence is None or len(id_cell) != 18:
            return None
        if CHECK_CHARACTERS[(division[0] + born[0] + sequence[0]) % 11] != id_cell[17]:
            return None
        until = division[1]
        if until is not None and until < born[2]:
            return None  # to be flagged
        sex = sequence[1]
        if (sex_cell and self.sex.get(sex_cell) != sex) or (birth_cell and birth_cell != born[3]):
            return None
        name = name_cell.strip(_TRIM)
        if not name or len(name) > 200 or is_placeholder(name):
            return None
        ethnicity = self.ethnicity.get(ethnicity_cell)
        status = self.status.get(status_cell)
        if ethnicity is None or status is None or (division_cell and division_cell not in self.divisions):
            return None
        address = address_cell.strip(_TRIM)
        if len(address) > 300:
            return None
        if len(address) <= 8 and address and is_placeholder(address):  # no placeholder is longer
            address = ""
        return id_cell, name, sex, born[1], born[3] or born[1].isoformat(), ethnicity, division_cell, address, status

_CAPITAL = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万元|万|元)?\s*(.*)$")


def capital_read(value: str) -> tuple[Decimal | None, str]:
    """Registered capital as ``(amount in 万, currency)``: ``500`` and ``500万元`` are 500 万,
    ``5000000元`` is 500 万, a currency word or code may follow (``100万美元``); empty → ``(None, "")``.

    Raises:
        RowRejected: ``registered_capital`` / ``amount``.
    """
    text = _typed(value)
    if not text or text.casefold() in PLACEHOLDERS:
        return None, ""
    match = _CAPITAL.match(text)
    try:
        amount = Decimal(match.group(1).replace(",", "")) if match else None
    except InvalidOperation:
        amount = None
    currency_word = match.group(3).strip() if match else ""
    currency = CURRENCY_WORDS.get(currency_word, currency_word.upper())
    if amount is None or (currency and not re.fullmatch(r"[A-Z]{3}", currency)):
        raise RowRejected("registered_capital", "amount",
                          _("The registered capital “%(value)s” is not an amount such as 500万元.") % {"value": text})
    if match.group(2) == "元":
        amount = amount / 10000
    return amount.quantize(Decimal("0.0001")), currency


def entity_row_check(cells: Mapping[str, str], *, divisions: Divisions,
                     today: datetime.date) -> tuple[dict, str]:
    """Check one legal-entity row.

    Args and returns as ``population_row_check``; ``division`` is taken from the USCC (characters 3–8).

    Raises:
        RowRejected: ``uscc`` (``format``, ``registration_authority``, ``check_character``,
            ``authority_type_pair`` (the 登记管理部门 and 机构类别 characters are not a pair of GB 32100-2015
            Table 1), ``division_code`` — all from ``orgs.identifiers.uscc_check``), ``name``, ``registered_capital``,
            ``capital_currency``, ``established_on`` (``date``, ``placeholder``, ``future``), ``status``.
    """
    raw = _required(cells, "uscc", LABELS["uscc"])
    code = _identifier(uscc_check, raw, field="uscc", division_codes=divisions.codes)
    name = _required(cells, "name", LABELS["name"])
    if len(name) > 200:
        raise RowRejected("name", "max_length", _("The name is longer than 200 characters."))
    capital, currency = capital_read(cells.get("registered_capital", ""))
    currency_cell = _typed(_optional(cells, "capital_currency"))
    if currency_cell:
        currency_cell = CURRENCY_WORDS.get(currency_cell, currency_cell.upper())
        if not re.fullmatch(r"[A-Z]{3}", currency_cell) or (currency and currency != currency_cell):
            raise RowRejected("capital_currency", "currency", _("The currency “%(value)s” is not an ISO 4217 code "
                                                                "or disagrees with the capital.")
                              % {"value": currency_cell})
    established = date_read(cells.get("established_on", ""), field="established_on", label=LABELS["established_on"])
    if established is not None and established > today:
        raise RowRejected("established_on", "future", _("The establishment date %(value)s is in the future.")
                          % {"value": established.isoformat()})
    status = _typed(_optional(cells, "status")) or "existing"
    if status not in ENTITY_STATUS_WORDS and status.casefold() not in ENTITY_STATUS_WORDS:
        raise RowRejected("status", "choice", _("The status “%(value)s” is not 存续, 在业, 吊销 or 注销.")
                          % {"value": status})
    status = ENTITY_STATUS_WORDS.get(status, ENTITY_STATUS_WORDS.get(status.casefold()))
    fields = {}
    for field, limit in (("entity_type", 100), ("legal_representative", 200), ("address", 300),
                         ("business_scope", 4000)):
        fields[field] = _optional(cells, field)
        if len(fields[field]) > limit:
            raise RowRejected(field, "max_length", _("The text is longer than %(n)d characters.") % {"n": limit})
    return {
        "uscc": code, "name": name, **fields, "registered_capital": capital,
        "capital_currency": currency or currency_cell or "CNY", "established_on": established,
        "division": code[2:8], "status": status,
    }, ""


ROW_CHECKS = {Register.POPULATION: population_row_check, Register.LEGAL_ENTITY: entity_row_check}
KEY_FIELD = {Register.POPULATION: "id_number", Register.LEGAL_ENTITY: "uscc"}


def header_map(header: list[str], register: str) -> list[str | None]:
    """For each header cell, the field it names (Chinese column name or English field name), or None.

    Raises:
        ValidationFailed: ``rule`` ``header`` when a required column is missing or a column repeats.
    """
    return header_fields(header, columns=COLUMNS[register], required=REQUIRED[register],
                         aliases=COLUMN_ALIASES.get(register))


# Macro-economic figures (宏观经济数据) ----------------------------------------------------------

# Units a figure may be written in, by what they measure, as multiples of the base unit: a value
# written in another unit of the same kind than the indicator's is converted exactly (万元 → 亿元).
UNIT_SCALES: dict[str, tuple[str, Decimal]] = {
    "元": ("money", Decimal(1)), "万元": ("money", Decimal(10) ** 4), "亿元": ("money", Decimal(10) ** 8),
    "人": ("people", Decimal(1)), "万人": ("people", Decimal(10) ** 4),
    "户": ("households", Decimal(1)), "万户": ("households", Decimal(10) ** 4),
    "%": ("percent", Decimal(1)), "％": ("percent", Decimal(1)),
}
INDICATOR_STATUS_WORDS = {
    "初步": "preliminary", "初步核算": "preliminary", "初步核算数": "preliminary", "初步数": "preliminary",
    "快报": "preliminary", "preliminary": "preliminary",
    "最终": "final", "最终核实": "final", "最终核实数": "final", "正式": "final", "final": "final",
}
_YEAR = re.compile(r"^([0-9]{4})\s*年?(?:度)?$")
_QUARTER = re.compile(r"^([0-9]{4})\s*年?\s*[-/ ]?\s*(?:[Qq]\s*([1-4])|第?\s*([1-4一二三四])\s*季度?)$")
_MONTH = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*月?$|^([0-9]{4})([0-9]{2})$")
_CHINESE_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}
_NUMBER = re.compile(r"^[-+]?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?$|^[-+]?[0-9]+(?:\.[0-9]+)?$")


def period_read(value: str, *, today: datetime.date) -> tuple[str, str]:
    """A statistical period as ``(period, kind)``: ``("2024", "year")`` for ``2024`` or ``2024年``,
    ``("2024Q1", "quarter")`` for ``2024Q1``, ``2024-Q1``, ``2024年第一季度`` or ``2024年1季度``,
    ``("2024-03", "month")`` for ``2024-03``, ``2024/3``, ``2024年3月`` or ``202403``.

    Raises:
        RowRejected: ``period`` / ``required``, ``placeholder``, ``format`` (none of these forms or
            month 13), ``future`` (a period that starts after ``today``).
    """
    text = _typed(value)
    if not text:
        raise RowRejected("period", "required", _("The period is empty."))
    if is_placeholder(text):
        raise RowRejected("period", "placeholder", _("The period holds the placeholder “%(value)s”, not a value.")
                          % {"value": text})
    if match := _YEAR.match(text):
        year, period, kind, first_month = int(match.group(1)), match.group(1), "year", 1
    elif match := _QUARTER.match(text):
        number = match.group(2) or match.group(3)
        quarter = _CHINESE_QUARTERS.get(number) or int(number)
        year, period, kind, first_month = int(match.group(1)), f"{match.group(1)}Q{quarter}", "quarter", 3 * quarter - 2
    elif (match := _MONTH.match(text)) and 1 <= int(match.group(2) or match.group(4)) <= 12:
        year, month = int(match.group(1) or match.group(3)), int(match.group(2) or match.group(4))
        period, kind, first_month = f"{year:04d}-{month:02d}", "month", month
    else:
        raise RowRejected("period", "format", _("The period “%(value)s” is not a year (2024), a quarter (2024Q1, "
                                                "2024年第一季度) or a month (2024-03).") % {"value": text})
    if year < 1949 or datetime.date(year, first_month, 1) > today:
        raise RowRejected("period", "future", _("The period %(value)s has not begun.") % {"value": period}
                          if year >= 1949 else _("The period %(value)s is before 1949.") % {"value": period})
    return period, kind


def indicator_value_read(value: str) -> Decimal:
    """A figure as written: ``1234.5``, ``1,234.5``, full-width digits, a minus sign for a fall.

    Raises:
        RowRejected: ``value`` / ``required``, ``placeholder``, ``number``.
    """
    text = _typed(value).replace("−", "-")
    if not text:
        raise RowRejected("value", "required", _("The value is empty."))
    if is_placeholder(text):
        raise RowRejected("value", "placeholder", _("The value holds the placeholder “%(value)s”, not a value.")
                          % {"value": text})
    if not _NUMBER.match(text):
        raise RowRejected("value", "number", _("The value “%(value)s” is not a number.") % {"value": text})
    return Decimal(text.replace(",", ""))


@dataclass(frozen=True)
class IndicatorRef:
    """What a row check needs of an ``EconomicIndicator``: its id, code and unit."""

    id: int
    code: str
    unit: str


def indicator_row_check(cells: Mapping[str, str], *, indicators: Mapping[str, IndicatorRef],
                        divisions: Divisions, today: datetime.date) -> dict:
    """Check one row of a macro-economic data file.

    Args:
        cells: field name → cell text (``INDICATOR_COLUMNS``' keys).
        indicators: the defined indicators by code, Chinese name and English name.
        divisions: the GB/T 2260 history (``Divisions.load()``).
        today: periods that begin after it are refused.

    Returns:
        ``{"indicator": IndicatorRef, "division", "period", "period_kind", "value": Decimal (in the
        indicator's unit), "status": "preliminary" | "final", "source"}``.

    Raises:
        RowRejected: ``indicator`` (``required``, ``placeholder``, ``unknown``), ``division``
            (``format``, ``division_code``), ``period`` (see ``period_read``), ``value`` (see
            ``indicator_value_read``; ``precision``: more than 4 decimal places in the indicator's unit,
            ``max_digits``), ``unit`` (``unit``: not the indicator's unit nor one convertible to it),
            ``status`` (``choice``).
    """
    name = _required(cells, "indicator", _("The indicator"))
    indicator = indicators.get(name) or indicators.get(_typed(name)) or indicators.get(_typed(name).upper())
    if indicator is None:
        raise RowRejected("indicator", "unknown", _("“%(value)s” is not a defined indicator (code or name).")
                          % {"value": name})
    division = _typed(cells.get("division", ""))
    if re.fullmatch(r"[0-9]{6}(?:000|000000)", division):  # 统计用区划代码 (9 or 12 digits) of a county or above
        division = division[:6]
    if not division or is_placeholder(division):
        raise RowRejected("division", "required", _("The division code is empty."))
    if not re.fullmatch(r"[0-9]{6}", division):
        raise RowRejected("division", "format", _("The division code “%(value)s” is not six digits (GB/T 2260).")
                          % {"value": division})
    if division not in divisions.codes:
        raise RowRejected("division", "division_code",
                          _("The division code %(code)s was never a GB/T 2260 division code.") % {"code": division})
    period, kind = period_read(cells.get("period", ""), today=today)
    value = indicator_value_read(cells.get("value", ""))
    unit = _typed(_optional(cells, "unit"))
    if unit and unit != indicator.unit:
        given, wanted = UNIT_SCALES.get(unit), UNIT_SCALES.get(indicator.unit)
        if given is None or wanted is None or given[0] != wanted[0]:
            raise RowRejected("unit", "unit", _("The unit “%(value)s” is not the indicator's unit %(unit)s nor one "
                                                "that converts to it.") % {"value": unit, "unit": indicator.unit})
        value = value * given[1] / wanted[1]
    if abs(value) >= Decimal(10) ** 16:
        raise RowRejected("value", "max_digits", _("The value %(value)s is too large.") % {"value": value})
    if value != value.quantize(Decimal("0.0001")):
        raise RowRejected("value", "precision", _("The value %(value)s has more than 4 decimal places in %(unit)s.")
                          % {"value": value, "unit": indicator.unit})
    value = value.quantize(Decimal("0.0001"))
    status_text = _typed(_optional(cells, "status"))
    status = INDICATOR_STATUS_WORDS.get(status_text.casefold()) if status_text else "preliminary"
    if status is None:
        raise RowRejected("status", "choice", _("The status “%(value)s” is not 初步 (preliminary) or 最终 (final).")
                          % {"value": status_text})
    source = _optional(cells, "source")
    if len(source) > 200:
        raise RowRejected("source", "max_length", _("The text is longer than %(n)d characters.") % {"n": 200})
    return {"indicator": indicator, "division": division, "period": period, "period_kind": kind, "value": value,
            "status": status, "source": source}
