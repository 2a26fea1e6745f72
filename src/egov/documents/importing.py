"""Reading existing government documents (plain text or HTML) into their elements.

Real governments start with years of documents already written, mostly as web pages or text copied
from them. ``document_parse`` finds the elements that GB/T 9704-2012 and 党政机关公文处理工作条例 (2012)
§9 name — 标题, 发文字号, 发文机关 (from the 署名), 主送机关, 成文日期, 文种, 正文 with its heading
levels, 附件说明 — and drops the page clutter around the document (navigation, "recommended
reading", unrelated articles). Traditional characters are kept as written (錫政發〔2004〕99號).

Only ``bytes`` in; no database. Persisting is the documents app's action.
"""

import datetime
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed
from egov.documents.numbers import DocumentNumber

# 党政机关公文处理工作条例 §8: the 15 kinds; 命令 is also written 令. Traditional spellings map to
# the simplified kind. Longer names are tried first (命令 before 令).
KINDS = ("决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复",
         "议案", "纪要", "函", "令")
_TRADITIONAL_KINDS = {"決議": "决议", "決定": "决定", "公報": "公报", "通報": "通报", "報告": "报告",
                      "請示": "请示", "批復": "批复", "批覆": "批复", "議案": "议案", "紀要": "纪要"}
_KIND_SUFFIXES = sorted([*KINDS, *_TRADITIONAL_KINDS], key=len, reverse=True)

# 发文字号: 机关代字 + year in brackets + sequence + 号. Web copies write [ ], ［ ］, ( ), 【 】 or spaces.
_NUMBER = re.compile(
    r"(?P<code>[\u4e00-\u9fff]{1,12}?)\s*[\[［〔【(（]\s*(?P<year>(?:19|20)\d{2})\s*[\]］〕】)）]"
    r"\s*第?\s*(?P<seq>\d{1,6})\s*(?P<hao>[号號])"
)
# Full-width digits (typed with a Chinese input method: 〔２００４〕９９号) read as ASCII, one for one.
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGIT = {"〇": 0, "零": 0, "O": 0, "o": 0, "Ｏ": 0, "○": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_YEAR_CHAR = "〇零OoＯ○0一二三四五六七八九"
_DATE_CN = re.compile(
    rf"(?P<y>(?:[{_CN_YEAR_CHAR}]\s*){{4}})年\s*(?P<m>[一二三四五六七八九十]{{1,2}})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)
_DATE_ARABIC = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_HEADINGS = (
    (1, re.compile(r"^[一二三四五六七八九十]+、")),
    (2, re.compile(r"^[（(][一二三四五六七八九十]+[）)]")),
    (3, re.compile(r"^\d{1,2}[．.、](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]")),
)
_ADDRESSEE_SPLIT = re.compile(r"[，,；;]")
# A line that begins with one of these ends the document: what follows is the page, not the text.
_CLUTTER = ("推荐阅读", "推薦閱讀", "相关阅读", "相關閱讀", "相关文章", "相關文章", "相关链接", "相關鏈接",
            "上一篇", "下一篇", "分享到", "打印本页", "打印本頁", "关闭窗口", "關閉窗口", "【打印】", "【关闭】",
            "【關閉】", "扫一扫", "掃一掃", "版权所有", "版權所有", "主办单位", "主辦單位", "网站标识码",
            "網站標識碼", "责任编辑", "責任編輯")
_ICP = re.compile(r"ICP[备備]")
_SENTENCE_END = "。！？；：”」』）)!?;:"
TITLE_MAX = 300  # characters, as ``OfficialDocument.title``
_ORG_SUFFIX = re.compile(r"(人民政府|政府|办公室|辦公室|委员会|委員會|局|厅|廳|部|院|署|会|會|处|處|委|办|辦|中心)$")


@dataclass
class ParsedDocument:
    """The elements found in one document.

    ``document_number``: the 发文字号 as ``DocumentNumber`` prints it (〔〕, no spaces, no 第, no
    leading zeros), or "" when none is printed.
    ``date``: 成文日期. ``kind``: one of ``KINDS`` (simplified). ``addressees``: 主送机关 as printed,
    split at commas and semicolons (``市各委、办、局`` stays one). ``blocks``: the body as
    ``(level, text)`` paragraphs, level 0 for text and 1–4 for 一、 (一) 1. (1) headings.
    ``attachments``: the 附件说明 lines.
    """

    title: str
    document_number: str
    issuer: str
    addressees: list[str]
    date: datetime.date | None
    kind: str
    blocks: list[tuple[int, str]] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The body as plain text, one paragraph a line."""
        return "\n".join(text for _level, text in self.blocks)

    def as_json(self) -> dict:
        """``{"title", "document_number", "issuer", "addressees", "date", "kind", "body"}``; date ISO 8601."""
        return {"title": self.title, "document_number": self.document_number, "issuer": self.issuer,
                "addressees": self.addressees, "date": self.date.isoformat() if self.date else None,
                "kind": self.kind, "body": self.body}


def _not_a_document(reason: str) -> ValidationFailed:
    return ValidationFailed(_("This is not a government document: %(reason)s") % {"reason": reason},
                            extra={"field": "file", "rule": "not_a_document"})


def text_decode(data: bytes) -> str:
    """Decode a file's bytes: a byte-order mark (UTF-8, UTF-16) wins; then UTF-8; then GB 18030
    (a superset of GBK and GB 2312, the encodings of older Chinese government sites).

    Raises:
        ValidationFailed: the bytes are none of these, or Big5 read as GB 18030 (``rule == "encoding"``).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass  # not UTF-8: GB 18030 below
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or _looks_like_big5(data, text):
        raise ValidationFailed(_("The file cannot be read: it is neither UTF-8 nor GBK/GB 18030 text (Big5, for "
                                 "one, is not read); save it as UTF-8."),
                               extra={"field": "file", "rule": "encoding"})
    return text


def _looks_like_big5(data: bytes, text: str) -> bool:
    """Big5 bytes are mostly valid GB 18030 too, read as nonsense. Big5 it is when the bytes are
    valid Big5 and more than a fifth of the non-ASCII characters read as GB 18030 fall outside
    GB 2312 (the common simplified characters; genuine GBK text, even traditional, is rarely
    also valid Big5)."""
    try:
        data.decode("big5")
    except UnicodeDecodeError:
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return False
    uncommon = 0
    for character in wide:
        try:
            character.encode("gb2312")
        except UnicodeEncodeError:
            uncommon += 1
    return uncommon / len(wide) > 0.2


class _TextExtractor(HTMLParser):
    """Collect the visible text of an HTML page, one line per block element."""

    _SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "select", "button",
             "template", "svg"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "table", "ul", "ol", "dd", "dt", "blockquote", "pre", "td", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._skipping = 0

    def _flush(self):
        text = "".join(self._current)
        self._current = []
        if text.strip():
            self.lines.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self._flush()

    def handle_startendtag(self, tag, attrs):
        if tag in self._BLOCK:
            self._flush()

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self._flush()

    def handle_data(self, data):
        if not self._skipping:
            self._current.append(data.replace("\n", " "))

    def close(self):
        super().close()
        self._flush()


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return any(marker in head for marker in ("<html", "<body", "<!doctype html", "<p>", "<p ", "<div"))


def _lines(text: str) -> list[str]:
    if _looks_like_html(text):
        extractor = _TextExtractor()
        extractor.feed(text)
        extractor.close()
        raw = extractor.lines
    else:
        raw = text.splitlines()
    lines = []
    for line in raw:
        line = re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip()
        if line:
            lines.append(line)
    return lines


def _cn_number(text: str) -> int:
    """二十四 → 24, 十 → 10, 十二 → 12, 三十一 → 31, 九 → 9."""
    if "十" not in text:
        return _CN_DIGIT[text]
    tens, _sep, ones = text.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)


def date_parse(text: str) -> tuple[datetime.date, int, int] | None:
    """Find a date written 二〇〇四年三月二十四日 (also with 零, the letter O or spaces) or 2004年3月24日.

    Returns ``(date, start, end)`` of the first match, or None (also when the date is impossible).
    """
    match = _DATE_CN.search(text)
    if match:
        year = int("".join(str(_CN_DIGIT[c]) for c in match["y"] if not c.isspace()))
        month, day = _cn_number(match["m"]), _cn_number(match["d"])
    else:
        match = _DATE_ARABIC.search(text)
        if not match:
            return None
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    try:
        return datetime.date(year, month, day), match.start(), match.end()
    except ValueError:
        return None


def document_number_find(text: str) -> DocumentNumber | None:
    """The 发文字号 written somewhere in ``text`` (``锡政发[2004]99 号`` → 锡政发〔2004〕99号), or None.

    Finding is this module's; reading and normalizing is ``DocumentNumber.parse`` (GB/T 9704-2012
    §7.2.4), the one parser of document numbers.
    """
    match = _NUMBER.search(text.translate(_ASCII_DIGITS))
    if not match:
        return None
    try:
        return DocumentNumber.parse(match.group(0))
    except ValidationFailed:
        return None


def _kind_of(title: str) -> str | None:
    stripped = title.rstrip("。.　 ")
    for suffix in _KIND_SUFFIXES:
        if stripped.endswith(suffix):
            return _TRADITIONAL_KINDS.get(suffix, suffix)
    return None


def _find_title(lines: list[str], around: int | None) -> int | None:
    window = range(len(lines)) if around is None else range(max(0, around - 3), min(len(lines), around + 4))
    candidates = [i for i in window if len(lines[i]) <= TITLE_MAX and _kind_of(lines[i])
                  and not _NUMBER.search(lines[i].translate(_ASCII_DIGITS))]
    preferred = [i for i in candidates if re.search("关于|關於|關于", lines[i])]
    chosen = preferred or candidates
    return chosen[0] if chosen else None


def _heading_level(text: str) -> int:
    for level, pattern in _HEADINGS:
        if pattern.match(text):
            return level
    return 0


def _is_clutter(line: str) -> bool:
    return line.startswith(_CLUTTER) or bool(_ICP.search(line))


def _reflow(lines: list[str]) -> list[str]:
    """Join lines that a page or PDF wrapped in mid-sentence back into their paragraph."""
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and not paragraphs[-1].endswith(tuple(_SENTENCE_END)) and not _heading_level(line) \
                and len(paragraphs[-1]) >= 20:
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return paragraphs


def _refuse_impossible_date(line: str) -> None:
    """Refuse a line that ends in a date that does not exist (2026年2月30日) where 成文日期 stands."""
    match = _DATE_CN.search(line) or _DATE_ARABIC.search(line)
    if match and not line[match.end():].strip(" 。.") and date_parse(line) is None:
        raise ValidationFailed(_("The date written (成文日期) %(date)s does not exist.") % {"date": match.group(0)},
                               extra={"field": "written_on", "rule": "impossible_date"})


def _signature(lines: list[str], start: int) -> tuple[int, int, str, datetime.date] | None:
    """The 署名 and 成文日期: the first line from ``start`` that is a date, alone or after a short
    organization name. Returns ``(first_line, last_line, issuer, date)``."""
    for index in range(start, len(lines)):
        line = lines[index]
        if len(line) > 60:
            continue
        found = date_parse(line)
        if not found:
            _refuse_impossible_date(line)
            continue
        date, begin, end = found
        if line[end:].strip(" 。."):
            continue
        issuer = line[:begin].strip()
        if issuer and not _ORG_SUFFIX.search(issuer):
            continue
        first = index
        if not issuer and index > start and len(lines[index - 1]) <= 30 and _ORG_SUFFIX.search(lines[index - 1]):
            issuer, first = lines[index - 1], index - 1
        return first, index, issuer, date
    return None


def document_parse(data: bytes) -> ParsedDocument:
    """Read a government document from plain text or HTML bytes.

    Returns:
        The ``ParsedDocument``. Lines before the title or 发文字号 (whichever comes first) and from
        the first clutter line on (推荐阅读, 上一篇, 版权所有, ICP备…) are dropped; wrapped lines are
        joined into paragraphs.

    Raises:
        ValidationFailed: ``rule == "encoding"`` (undecodable), ``rule == "not_a_document"`` (neither
            a 发文字号 nor a title that ends with a document kind, or no text at all),
            ``rule == "impossible_date"`` (a 成文日期 such as 2026年2月30日), ``rule == "max_length"``
            (a title over 300 characters).
    """
    lines = _lines(text_decode(data))
    if not lines:
        raise _not_a_document(_("the file has no text"))
    number_index = next((i for i, line in enumerate(lines)
                         if _NUMBER.search(line.translate(_ASCII_DIGITS)) and len(line) <= 60), None)
    title_index = _find_title(lines, number_index)
    if number_index is None and title_index is None:
        raise _not_a_document(_("it has neither a document number (发文字号) nor a title ending in a document kind"))
    if title_index is None:
        long_title = next((line for line in lines if len(line) > TITLE_MAX and _kind_of(line)
                           and re.search("关于|關於|關于", line)), None)
        if long_title is not None:
            raise ValidationFailed(
                _("The title is %(length)d characters long; a title has at most %(max)d.")
                % {"length": len(long_title), "max": TITLE_MAX}, extra={"field": "title", "rule": "max_length"})
        raise _not_a_document(_("it has no title ending in a document kind (通知, 决定, 意见…)"))
    head = [i for i in (number_index, title_index) if i is not None]
    after_head = max(head) + 1  # lines above the title or number are page clutter
    end = next((i for i in range(after_head, len(lines)) if _is_clutter(lines[i])), len(lines))
    lines = lines[:end]

    addressees: list[str] = []
    body_start = after_head
    if after_head < len(lines) and lines[after_head].endswith((":", "：")) and len(lines[after_head]) <= 200:
        addressees = [part.strip() for part in _ADDRESSEE_SPLIT.split(lines[after_head][:-1]) if part.strip()]
        body_start = after_head + 1

    signature = _signature(lines, body_start)
    if signature is None and number_index is None:
        raise _not_a_document(_("it has no document number and no date of writing (成文日期)"))
    issuer, date = (signature[2], signature[3]) if signature else ("", None)
    body_lines = [line for i, line in enumerate(lines[body_start:], start=body_start)
                  if not (signature and signature[0] <= i <= signature[1])]
    attachments = [line for line in body_lines if re.match(r"^附\s*件\s*[:：]", line)]
    paragraphs = _reflow([line for line in body_lines if line not in attachments])
    return ParsedDocument(
        title=lines[title_index],
        document_number=str(document_number_find(lines[number_index])) if number_index is not None else "",
        issuer=issuer,
        addressees=addressees,
        date=date,
        kind=_kind_of(lines[title_index]) or "",
        blocks=[(_heading_level(text), text) for text in paragraphs],
        attachments=attachments,
    )
