"""发文字号 (document numbers) as a value: 机关代字 + 〔year〕 + sequence + 号.

GB/T 9704-2012 §7.2.4: "发文字号由发文机关代字、年份、发文顺序号组成。年份、发文顺序号用阿拉伯数字
标注；年份应标全称，用六角括号“〔〕”括入；发文顺序号不加“第”字，不编虚位（即1不编为01），在
阿拉伯数字后加“号”字". Example: 锡政发〔2004〕99号.

Allocation (the counter, the lock) is ``documents.actions.document_number_allocate``; this module
only parses, normalizes and formats.

One document, whatever form its number is written in: ``number_key`` is the one comparable form
(simplified script, half-width, 〔〕, no spaces), stored as ``OfficialDocument.number_key`` and
matched by the search and the importer, while the number is kept as written (錫政發〔2004〕99號 and
锡政发〔2004〕99号 have the key 锡政发〔2004〕99号).
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed

# Brackets people type instead of 〔〕: [ ] ［ ］ 【 】 ( ) （ ） 〈 〉 《 》 ｛ ｝ { } 〖 〗.
_OPENING = "〔[［【(（〈《｛{〖"
_CLOSING = "〕]］】)）〉》｝}〗"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Spaces and the invisible characters web pages leave inside a number (zero-width space, joiners, BOM).
_BLANKS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_t2s_lock = threading.Lock()
_t2s = None


def simplified(text: str) -> str:
    """``text`` in simplified Chinese (OpenCC ``t2s``, its conversion table loaded once per process):
    錫政發 → 锡政发, 政務公開 → 政务公开; simplified text and other scripts are left as they are."""
    global _t2s
    if _t2s is None:
        with _t2s_lock:
            if _t2s is None:
                import opencc

                _t2s = opencc.OpenCC("t2s")
    return _t2s.convert(text)


def number_key(text: str) -> str:
    """The comparable form of a 发文字号 written in any of its forms: Unicode NFKC (full-width digits
    and brackets become half-width: ２０２６ → 2026, ［ → [), spaces and zero-width characters
    dropped, traditional script made simplified (OpenCC ``t2s``: 錫政發 → 锡政发, 號 → 号), the year
    in 〔〕 whatever brackets were typed (〔〕 [] () ［］ （） 【】 …), no 第, no leading zeros.

    ``number_key("錫政發［２００４］99號") == number_key("锡政发 (2004) 99 号") == "锡政发〔2004〕99号"``.

    Raises:
        ValidationFailed: as ``DocumentNumber.parse`` (not a 发文字号, a year outside 1949–2100, 0).
    """
    return DocumentNumber.parse(text).key


_PATTERN = re.compile(
    rf"^(?P<code>[^\s{re.escape(_OPENING)}{re.escape(_CLOSING)}\d]{{1,20}})\s*"
    rf"[{re.escape(_OPENING)}]\s*(?P<year>\d{{4}})\s*[{re.escape(_CLOSING)}]\s*"
    r"第?\s*(?P<seq>\d{1,6})\s*(?P<hao>[号號])$"
)
# 令 numbers have no year: 国务院令第638号, 江苏省人民政府令第282号, 省政府令第282号 (a 令 is numbered
# in one series per issuer, the 第 printed).
_ORDER_PATTERN = re.compile(r"^(?P<code>[^\s\d第]{0,19}令)第(?P<seq>\d{1,6})(?P<hao>[号號])$")
# Announcement numbers: 海关总署公告2014年第30号 (a 公告/通告 series per issuer and year).
_ANNOUNCEMENT_PATTERN = re.compile(
    r"^(?P<code>[^\s\d]{1,18}(?:公告|通告))(?P<year>\d{4})年第(?P<seq>\d{1,6})(?P<hao>[号號])$")
_ANNOUNCEMENT_CODES = ("公告", "通告")
YEAR_MIN = 1949
YEAR_MAX = 2100


@dataclass(frozen=True, order=True)
class DocumentNumber:
    """One 发文字号: ``code`` (机关代字, e.g. ``锡政发``), ``year`` (4 digits), ``seq`` (1, 2, …).

    ``str()`` gives the printed form ``锡政发〔2026〕1号``; ``hao`` keeps a traditional 號 as written
    (錫政發〔2004〕99號) and takes no part in comparisons. Two other forms print as governments print
    them: a 令 number has no year (``code`` ends in 令, ``year`` None: 国务院令第638号), and an
    announcement number writes its year before the 第 (``code`` ends in 公告 or 通告:
    海关总署公告2014年第30号).
    """

    code: str
    year: int | None
    seq: int
    hao: str = field(default="号", compare=False)

    def __str__(self) -> str:
        if self.year is None:
            return f"{self.code}第{self.seq}{self.hao}"
        if self.code.endswith(_ANNOUNCEMENT_CODES):
            return f"{self.code}{self.year}年第{self.seq}{self.hao}"
        return f"{self.code}〔{self.year}〕{self.seq}{self.hao}"

    @classmethod
    def parse(cls, text: str) -> "DocumentNumber":
        """Read a hand-typed 发文字号 and normalize it.

        Accepted variations: full-width digits, other brackets around the year (``[2026]``,
        ``（2026）``, ``【2026】``), spaces and zero-width characters anywhere (dropped), a leading 第
        before the sequence, zero-padded sequences (``007号`` is 7). The result prints in the
        standard form; the script of the 机关代字 and of 号/號 is kept as written (``key`` compares
        across scripts). Also read: 令 numbers without a year (``国务院令第638号``: year None) and
        announcement numbers (``海关总署公告2014年第30号``), see the class docstring.

        Raises:
            ValidationFailed: ``extra={"field": "number", "rule": "format"}`` when the text is not a
                发文字号, ``"rule": "year"`` for a year outside 1949–2100, ``"rule": "seq"`` for 0.
        """
        cleaned = _BLANKS.sub("", text or "").translate(_FULLWIDTH_DIGITS)
        match = _PATTERN.match(cleaned) or _ANNOUNCEMENT_PATTERN.match(cleaned)
        if match is None:
            order = _ORDER_PATTERN.match(cleaned)
            if order is not None and int(order["seq"]) >= 1:
                return cls(code=order["code"], year=None, seq=int(order["seq"]), hao=order["hao"])
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

    @property
    def code_key(self) -> str:
        """The 机关代字 in its comparable form: NFKC, without blanks, simplified (錫政發 → 锡政发)."""
        return simplified(_BLANKS.sub("", unicodedata.normalize("NFKC", self.code)))

    @property
    def key(self) -> str:
        """``number_key`` of this number: 錫政發〔2004〕99號 → 锡政发〔2004〕99号 (the 机关代字 NFKC,
        without blanks, simplified; 〔year〕; the sequence; 号)."""
        code = self.code_key
        if self.year is None:
            return f"{code}第{self.seq}号"
        if self.code.endswith(_ANNOUNCEMENT_CODES):
            return f"{code}{self.year}年第{self.seq}号"
        return f"{code}〔{self.year}〕{self.seq}号"
