"""发文字号 (document numbers) as a value: 机关代字 + 〔year〕 + sequence + 号.

GB/T 9704-2012 §7.2.4: "发文字号由发文机关代字、年份、发文顺序号组成。年份、发文顺序号用阿拉伯数字
标注；年份应标全称，用六角括号“〔〕”括入；发文顺序号不加“第”字，不编虚位（即1不编为01），在
阿拉伯数字后加“号”字". Example: 锡政发〔2004〕99号.

Allocation (the counter, the lock) is ``documents.actions.document_number_allocate``; this module
only parses, normalizes and formats.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed

# Brackets people type instead of 〔〕: [ ] ［ ］ 【 】 ( ) （ ） 〈 〉 《 》 ｛ ｝ { } 〖 〗.
_OPENING = "〔[［【(（〈《｛{〖"
_CLOSING = "〕]］】)）〉》｝}〗"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_PATTERN = re.compile(
    rf"^(?P<code>[^\s{re.escape(_OPENING)}{re.escape(_CLOSING)}\d]{{1,20}})\s*"
    rf"[{re.escape(_OPENING)}]\s*(?P<year>\d{{4}})\s*[{re.escape(_CLOSING)}]\s*"
    r"第?\s*(?P<seq>\d{1,6})\s*(?P<hao>[号號])$"
)
YEAR_MIN = 1949
YEAR_MAX = 2100


@dataclass(frozen=True, order=True)
class DocumentNumber:
    """One 发文字号: ``code`` (机关代字, e.g. ``锡政发``), ``year`` (4 digits), ``seq`` (1, 2, …).

    ``str()`` gives the printed form ``锡政发〔2026〕1号``; ``hao`` keeps a traditional 號 as written
    (錫政發〔2004〕99號) and takes no part in comparisons.
    """

    code: str
    year: int
    seq: int
    hao: str = field(default="号", compare=False)

    def __str__(self) -> str:
        return f"{self.code}〔{self.year}〕{self.seq}{self.hao}"

    @classmethod
    def parse(cls, text: str) -> "DocumentNumber":
        """Read a hand-typed 发文字号 and normalize it.

        Accepted variations: full-width digits, other brackets around the year (``[2026]``,
        ``（2026）``, ``【2026】``), spaces, a leading 第 before the sequence, zero-padded sequences
        (``007号`` is 7). The result prints in the standard form.

        Raises:
            ValidationFailed: ``extra={"field": "number", "rule": "format"}`` when the text is not a
                发文字号, ``"rule": "year"`` for a year outside 1949–2100, ``"rule": "seq"`` for 0.
        """
        cleaned = (text or "").strip().translate(_FULLWIDTH_DIGITS)
        match = _PATTERN.match(cleaned)
        if not match:
            raise ValidationFailed(
                _("%(text)s is not a document number such as 锡政发〔2026〕1号.") % {"text": text},
                extra={"field": "number", "rule": "format"},
            )
        year, seq = int(match["year"]), int(match["seq"])
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise ValidationFailed(_("The year of a document number must be between 1949 and 2100."),
                                   extra={"field": "number", "rule": "year"})
        if seq < 1:
            raise ValidationFailed(_("The sequence of a document number starts at 1."),
                                   extra={"field": "number", "rule": "seq"})
        return cls(code=match["code"].strip(), year=year, seq=seq, hao=match["hao"])
