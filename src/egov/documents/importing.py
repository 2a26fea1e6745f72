"""Reading existing government documents (plain text or HTML) into their elements.

Real governments start with years of documents already written, mostly as web pages or text copied
from them. ``document_parse`` finds the elements that GB/T 9704-2012 and 党政机关公文处理工作条例 (2012)
§9 name — 标题, 发文字号, 发文机关 (from the 署名), 主送机关, 成文日期, 文种, 正文 with its heading
levels, 附件说明, 附注, the attached text (附件) and the 版记 — and drops the page clutter around the
document (navigation, share buttons, page metadata, 打印/关闭 links, download links, QR codes,
permalinks, "recommended reading", unrelated articles), reporting what it dropped. Traditional
characters are kept as written (錫政發〔2004〕99號); invisible characters (zero-width spaces) are
removed and look-alike letters read as the digit they imitate (a Cyrillic О for 〇 in a date).

Where a document ends (GB/T 9704-2012 §7.3.5–§7.4): its 署名 (one or several organizations, or a
leader's title and name under a 令) and 成文日期; then, when present, the 附注 "（此件公开发布）",
the attached text (after a 附件 label, or the document a 印发/转发 notice names in 《》), and the
版记 (抄送, 印发机关和印发日期). Whatever follows is not the document.

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
# 令 numbers (国务院令第638号, 省政府令第282号) and announcement numbers (海关总署公告2014年第30号; a
# joint one is printed with a space: 财政部 税务总局公告2023年第1号); ``DocumentNumber`` reads and
# prints them.
_ORDER_NUMBER = re.compile(r"(?P<code>[\u4e00-\u9fff]{1,15}?令)\s*第\s*(?P<seq>\d{1,6})\s*(?P<hao>[号號])")
_ANNOUNCEMENT_NUMBER = re.compile(
    r"(?P<code>[\u4e00-\u9fff][\u4e00-\u9fff ]{0,20}?(?:公告|通告))\s*(?P<year>(?:19|20)\d{2})\s*年"
    r"\s*第\s*(?P<seq>\d{1,6})\s*(?P<hao>[号號])")
# A label before the number on web copies ("发文字号：国办发〔2022〕5号"); never part of the 机关代字.
_NUMBER_LABEL = re.compile(r"(?:发文字号|發文字號|文号|文號|发文号|發文號)\s*[:：]?\s*")
# Invisible characters pages leave in text (zero-width space, non-joiner, joiner, word joiner, soft
# hyphen, left-to-right and right-to-left marks, BOM): removed, they show nothing.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
# Letters that look like a zero next to digits (a Cyrillic or Greek О, a Latin O): read as 0.
_ZERO_LOOKALIKE = re.compile("(?<=\\d)[OoОоΟο]|[OoОоΟο](?=\\d)")
# Full-width digits (typed with a Chinese input method: 〔２００４〕９９号) read as ASCII, one for one.
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# 〇 and what is typed for it: 零, the Latin, full-width, Cyrillic and Greek capital and small O,
# the circles ○ and ◯, the digit 0 (Unicode TR #39 confusables of 〇).
_CN_DIGIT = {"〇": 0, "零": 0, "O": 0, "o": 0, "Ｏ": 0, "ｏ": 0, "О": 0, "о": 0, "Ο": 0, "ο": 0, "○": 0, "◯": 0,
             "0": 0, "０": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_YEAR_CHAR = "〇零OoＯｏОоΟο○◯0０一二三四五六七八九"
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
            "相关推荐", "相關推薦", "相关稿件", "相關稿件", "相关新闻", "相關新聞", "热点推荐", "熱點推薦",
            "延伸阅读", "延伸閱讀", "猜你喜欢", "上一篇", "下一篇", "版权所有", "版權所有", "主办单位", "主辦單位",
            "网站标识码", "網站標識碼", "责任编辑", "責任編輯", "【我要纠错】", "我要纠错")
_ICP = re.compile(r"ICP[备備]")


def _any(words: str) -> str:
    """A regular expression alternative of the space-separated ``words``: "a b" → "(?:a|b)"."""
    return "(?:" + "|".join(re.escape(word) for word in words.split()) + ")"


# Page furniture: lines of the page, not of the document, dropped wherever they stand.
_SHARE_WORDS = "微信 微博 QQ空间 QQ空間 QQ 朋友圈 豆瓣 人人网 新浪微博 腾讯微博"
_SHARE = re.compile(r"^" + _any("分享到 分享 分享至 分享給 分享给") + r"\s*[:：]?|^(?:"
                    + _any(_SHARE_WORDS) + r"\s*)+$")
_PRINT_WORDS = ("打印本页 打印本頁 打印 關閉窗口 关闭窗口 关闭本页 關閉本頁 关闭 關閉 "
                "收藏 纠错 糾錯 返回顶部 返回頂部")
_PRINT_CLOSE = re.compile(r"[\[【〔(（]?\s*" + _any(_PRINT_WORDS) + r"\s*[\]】〕)）]?")
_META_WORDS = ("发布时间 發佈時間 发布日期 發布日期 信息来源 信息來源 文章来源 文章來源 "
               "来源 來源 浏览次数 瀏覽次數 阅读次数 閱讀次數 点击数 點擊數 点击量 "
               "访问量 訪問量 字体 字體 字号 字號")
_META_STRONG = re.compile(r"^" + _any(_META_WORDS) + r"\s*[:：]|字[体體号號]\s*[:：]?\s*[\[【]?\s*大\s*中\s*小")
_META_STRONG_ANY = re.compile(_any(_META_WORDS))
_META_START = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}\s*[:：]|(?:19|20)\d{2}\s*[-/.年])")
_DOWNLOAD_WORDS = "相关下载 相關下載 附件下载 附件下載 下载 下載 相关附件 相關附件"
_DOWNLOAD = re.compile(r"\.(?:docx?|pdf|wps|xlsx?|zip|rar|ofd|txt)\s*[)）]?$|^" + _any(_DOWNLOAD_WORDS) + r"\s*[:：]",
                       re.IGNORECASE)
_QR_WORDS = "二维码 二維碼 扫一扫 掃一掃 扫码 掃碼 手机打开 手機打開 手机版 手機版"
_LINK_WORDS = ("本文链接 本文鏈接 本页链接 本頁鏈接 原文链接 原文鏈接 永久链接 永久鏈接 "
               "网址 網址 链接 鏈接")
_QR_LINK = re.compile(_any(_QR_WORDS) + r"|^" + _any(_LINK_WORDS) + r"\s*[:：]|^https?://\S+$")
# A status tag a portal prints in the title: [有效], 【失效】, (已废止)…
_STATUS_WORDS = "有效 失效 已失效 废止 已废止 廢止 已廢止 部分有效 已修改"
_STATUS = r"[\[【〔(（]\s*(?:现行)?" + _any(_STATUS_WORDS) + r"\s*[\]】〕)）]"
_STATUS_TAG = re.compile(r"^\s*" + _STATUS + r"\s*|\s*" + _STATUS + r"\s*$")
_SENTENCE_END = "。！？；：”」』）)!?;:"
TITLE_MAX = 300  # characters, as ``OfficialDocument.title``
IMPORT_MAX_BYTES = 20 * 1024 * 1024  # the largest file read, as the largest attachment (20 MB)
# What a 署名 ends in (an organization's name): …人民政府, …办公室, …司, …局, …委, …厅, …部, …院, …会…
_ORG_ENDINGS = ("人民政府 政府 办公室 辦公室 办公厅 辦公廳 委员会 委員會 总局 總局 总署 總署 "
                "局 厅 廳 部 院 署 会 會 处 處 委 办 辦 司 室 中心 所 行 社 组 組")
_ORG_SUFFIX = re.compile(_any(_ORG_ENDINGS) + "$")
# What each part of a 主送 line ends in: an organization, or a group of them (各直属单位, 部属各高等学校).
_GROUP_ENDINGS = ("单位 單位 部门 部門 机构 機構 机关 機關 学校 學校 高校 院校 企业 企業 公司 "
                  "组织 組織 银行 銀行 人员 人員 县 縣 区 區 市 镇 鎮 乡 鄉 街道 兵团 兵團")
_ADDRESSEE_SUFFIX = re.compile(_any(_ORG_ENDINGS + " " + _GROUP_ENDINGS) + "$")
# A leader who signs a 令: 省长 许昆林, 总理 李克强 (title, then a name of two to five characters).
_LEADER_TITLES = ("总理 總理 省长 省長 市长 市長 区长 區長 县长 縣長 主席 部长 部長 "
                  "主任 局长 局長 署长 署長 院长 院長 行长 行長 代省长 代市长")
# The name may be spaced out to the width of a longer one (省长　王　浩).
_LEADER = re.compile(r"^(?:国务院)?" + _any(_LEADER_TITLES) + r"\s*[\u4e00-\u9fff·](?:\s?[\u4e00-\u9fff·]){1,4}$")
_NOTE = re.compile(r"^[(（]此件.{1,20}[)）]$")
# What precedes an 附件 name in a line of the 附件说明: "附件：", "1．", or both.
_ATTACHMENT_PREFIX = re.compile(r"^(?:附\s*件\s*[:：])?\s*(?:\d{1,2}\s*[．.、])?\s*")
_ATTACHED_LABEL = re.compile(r"^附\s*件\s*\d{0,2}\s*[:：]?$")
_COPY_TO = re.compile(r"^(?:抄送|抄報|抄报)\s*[:：]")
_PRINTED = re.compile(r"(?:印发|印發)\s*$")
_LINK_DATE = re.compile(r"[\[（(]?\s*(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\s*[\]）)]?$")
_LINK_HEADER = re.compile(r"^.{0,6}(?:推荐|推薦|阅读|閱讀|链接|鏈接|文章|新闻|新聞|稿件|专题|專題|热点|熱點)\s*[:：]?$")
_ABOUT = re.compile("关于|關於|關于")
# A page's "you are here" line (首页 > 政务公开 > 省政府令) is never a title.
_BREADCRUMB = re.compile(r"[>＞»›]|当前位置|當前位置|现在的位置|現在的位置|所在位置")


# A page's metadata table (中国政府网's 索引号/主题分类/发文机关/成文日期/标题/发文字号/发布日期), one
# label a cell with its value in the next cell, or "label：value" in one. It describes the document
# and is not its text: its 发布日期 (the day the page went up) is never the 成文日期.
_META_LABELS = ("索引号 索引號 主题分类 主題分類 主题词 主題詞 发文机关 發文機關 成文日期 标题 標題 名称 名稱 "
                "发文字号 發文字號 文号 文號 发布日期 發布日期 發佈日期 公开方式 公開方式 有效性 体裁分类 组配分类 "
                "服务对象分类 公文种类 时效 实施日期 废止日期")
_META_LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff][\u4e00-\u9fff\s]{1,8}?)\s*[:：]\s*(?P<value>.*)$")


@dataclass
class _Metadata:
    title: str = ""
    number: DocumentNumber | None = None
    date: datetime.date | None = None
    at: int = 0  # position, in the lines left, where the table stood


def _metadata_table(lines: list[str]) -> tuple[_Metadata | None, list[str]]:
    """A page's metadata table (see ``_META_LABELS``) with a 标题 among three labels or more: its
    标题, 发文字号 and 成文日期, and the lines without the table's. Without one: ``(None, lines)``."""
    labels = set(_META_LABELS.split())
    found: dict[str, str] = {}
    table: list[int] = []
    i = 0
    while i < len(lines):
        match = _META_LABEL.match(lines[i])
        label = re.sub(r"\s+", "", match["label"]) if match else ""
        if label not in labels:
            i += 1
            continue
        value, taken = match["value"].strip(), [i]
        if not value and i + 1 < len(lines) and not (
                (next_match := _META_LABEL.match(lines[i + 1]))
                and re.sub(r"\s+", "", next_match["label"]) in labels):
            value = lines[i + 1].strip()
            taken.append(i + 1)
        found.setdefault(label, value)
        table += taken
        i = taken[-1] + 1
    if len(found) < 3 or not (found.get("标题") or found.get("標題")):
        return None, lines
    title = _title_text(found.get("标题") or found.get("標題"))
    number_text = next((found[k] for k in ("发文字号", "發文字號", "文号", "文號") if found.get(k)), "")
    written = date_parse(found.get("成文日期", ""))
    meta = _Metadata(title=title if _kind_of(title) else "",
                     number=document_number_find(number_text) if number_text else None,
                     date=written[0] if written else None,
                     at=table[0])
    kept = set(table)
    return meta, [line for k, line in enumerate(lines) if k not in kept]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _printed_title(lines: list[str], title: str, start: int) -> tuple[int, int] | None:
    """Where the page prints ``title`` (known from its metadata table) from line ``start`` on, over
    one to four lines (a title broken with <br> or over two paragraphs): ``(first, last)``."""
    wanted = _squeeze(title)
    for i in range(start, len(lines)):
        joined = ""
        for j in range(i, min(len(lines), i + 4)):
            joined += _squeeze(_title_text(lines[j]))
            if joined == wanted:
                return i, j
            if not wanted.startswith(joined):
                break
    return None


@dataclass
class ParsedDocument:
    """The elements found in one document.

    ``document_number``: the 发文字号 as ``DocumentNumber`` prints it (〔〕, no spaces, no 第, no
    leading zeros; 令 and announcement numbers as those print: 国务院令第638号,
    海关总署公告2014年第30号), or "" when none is printed.
    ``date``: 成文日期. ``kind``: one of ``KINDS`` (simplified). ``addressees``: 主送机关 as printed,
    split at commas and semicolons (``市各委、办、局`` stays one). ``blocks``: the body as
    ``(level, text)`` paragraphs, level 0 for text and 1–4 for 一、 (一) 1. (1) headings, the
    attached text after it. ``attachments``: the 附件说明 lines.
    ``issuer``: the first organization of the 署名 (for a 令 signed by a leader, the organization its
    title names: 江苏省人民政府令 → 江苏省人民政府); ``signatories``: every organization of the 署名
    in order (a joint 署名 of three gives three); ``signature``: the 署名 as printed.
    ``note``: the 附注 (（此件公开发布）). ``copy_to``: 抄送 as printed, split as ``addressees``.
    ``printed``: the 版记's line of 印发机关和印发日期 as printed (…办公室 2025年3月12日印发), or "".
    ``dropped``: the lines after the title that are not the document (page furniture, and everything
    after the document's end), in page order.
    """

    title: str
    document_number: str
    issuer: str
    addressees: list[str]
    date: datetime.date | None
    kind: str
    blocks: list[tuple[int, str]] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    signatories: list[str] = field(default_factory=list)
    signature: str = ""
    note: str = ""
    copy_to: list[str] = field(default_factory=list)
    printed: str = ""
    dropped: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The body as plain text, one paragraph a line."""
        return "\n".join(text for _level, text in self.blocks)

    @property
    def attachment_names(self) -> list[str]:
        """The 附件 names the 附件说明 lists, in order, without "附件：" and the "1．" numbering
        (附件：1．企业信息变更一件事清单 → 企业信息变更一件事清单), each at most 200 characters."""
        names = [_ATTACHMENT_PREFIX.sub("", line).strip()[:200] for line in self.attachments]
        return [name for name in names if name]

    @property
    def number_key(self) -> str:
        """``numbers.number_key`` of the 发文字号 (錫政發〔2004〕99號 → 锡政发〔2004〕99号), "" without one."""
        return DocumentNumber.parse(self.document_number).key if self.document_number else ""

    def as_json(self) -> dict:
        """``{"title", "document_number", "number_key", "issuer", "signatories", "signature",
        "addressees", "date", "kind", "body", "attachments", "note", "copy_to", "printed", "dropped"}``; date
        ISO 8601, the lists as in the class docstring."""
        return {"title": self.title, "document_number": self.document_number, "number_key": self.number_key,
                "issuer": self.issuer, "signatories": self.signatories, "signature": self.signature,
                "addressees": self.addressees, "date": self.date.isoformat() if self.date else None,
                "kind": self.kind, "body": self.body, "attachments": self.attachments, "note": self.note,
                "copy_to": self.copy_to, "printed": self.printed, "dropped": self.dropped}


def import_size_check(size: int) -> None:
    """Refuse a file of ``size`` bytes over ``IMPORT_MAX_BYTES`` (20 MB; a government document's web
    page is well under 1 MB).

    Raises:
        ValidationFailed: ``rule == "too_large"``.
    """
    if size > IMPORT_MAX_BYTES:
        raise ValidationFailed(
            _("The file is %(size)d MB; a document to import is at most %(max)d MB.")
            % {"size": -(-size // (1024 * 1024)), "max": IMPORT_MAX_BYTES // (1024 * 1024)},
            extra={"field": "file", "rule": "too_large"})


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
    """Collect the visible text of an HTML page, one line per block element (a ``<br>`` inside a
    heading does not break it: a title printed over two lines is one title)."""

    _SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "select", "button",
             "template", "svg"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "table", "ul", "ol", "dd", "dt", "blockquote", "pre", "td", "title"}
    _HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._skipping = 0
        self._heading = 0

    def _flush(self):
        text = "".join(self._current)
        self._current = []
        if text.strip():
            self.lines.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "br" and self._heading:
            return
        elif tag in self._BLOCK:
            self._flush()
            if tag in self._HEADINGS:
                self._heading += 1

    def handle_startendtag(self, tag, attrs):
        if tag in self._BLOCK and not (tag == "br" and self._heading):
            self._flush()

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self._flush()
            if tag in self._HEADINGS:
                self._heading = max(0, self._heading - 1)

    def handle_data(self, data):
        if not self._skipping:
            self._current.append(data.replace("\n", " "))

    def close(self):
        super().close()
        self._flush()


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return any(marker in head for marker in ("<html", "<body", "<!doctype html", "<p>", "<p ", "<div"))


def _lines(text: str) -> tuple[list[str], bool]:
    """The non-blank lines of the text or of the page's visible text, blanks collapsed and invisible
    characters removed; and whether it was HTML."""
    html = _looks_like_html(text)
    if html:
        extractor = _TextExtractor()
        extractor.feed(text)
        extractor.close()
        raw = extractor.lines
    else:
        raw = text.splitlines()
    lines = []
    for line in raw:
        line = re.sub(r"[ \t\u00a0\u3000]+", " ", _INVISIBLE.sub("", line)).strip()
        if line:
            lines.append(line)
    return lines, html


def _cn_number(text: str) -> int:
    """二十四 → 24, 十 → 10, 十二 → 12, 三十一 → 31, 九 → 9."""
    if "十" not in text:
        return _CN_DIGIT[text]
    tens, _sep, ones = text.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)


def _digits(text: str) -> str:
    """Full-width digits as ASCII and a letter O (Latin, Cyrillic, Greek) beside a digit as 0; the
    length is kept, so positions found in the result are positions in ``text``."""
    return _ZERO_LOOKALIKE.sub("0", text.translate(_ASCII_DIGITS))


def date_parse(text: str) -> tuple[datetime.date, int, int] | None:
    """Find a date written 二〇〇四年三月二十四日 (also with 零, a Latin, Cyrillic or Greek O, ○ or
    spaces for 〇) or 2004年3月24日 (also with full-width digits).

    Returns ``(date, start, end)`` of the first match, or None (also when the date is impossible).
    """
    match = _DATE_CN.search(text)
    if match:
        year = int("".join(str(_CN_DIGIT[c]) for c in match["y"] if not c.isspace()))
        month, day = _cn_number(match["m"]), _cn_number(match["d"])
    else:
        match = _DATE_ARABIC.search(_digits(text))
        if not match:
            return None
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    try:
        return datetime.date(year, month, day), match.start(), match.end()
    except ValueError:
        return None


def _number_match(text: str) -> re.Match | None:
    """The first 发文字号 in ``text`` in any of its forms (see ``document_number_find``), the match
    being over ``_digits(text)`` with a label such as 发文字号： skipped."""
    text = _NUMBER_LABEL.sub(lambda m: " " * len(m.group(0)), _digits(text))
    found = [m for m in (pattern.search(text) for pattern in (_NUMBER, _ANNOUNCEMENT_NUMBER, _ORDER_NUMBER)) if m]
    return min(found, key=lambda m: m.start()) if found else None


def document_number_find(text: str) -> DocumentNumber | None:
    """The 发文字号 written somewhere in ``text`` (``锡政发[2004]99 号`` → 锡政发〔2004〕99号), or None.

    Also read: 令 numbers (``国务院令第638号``), announcement numbers (``海关总署公告2014年第30号``), a
    number after a label (``发文字号：国办发〔2022〕5号``: the label is not part of the 机关代字), a
    letter O beside a digit (``〔2О22〕`` with a Cyrillic О is 2022). Finding is this module's; reading
    and normalizing is ``DocumentNumber.parse`` (GB/T 9704-2012 §7.2.4), the one parser of document
    numbers.
    """
    match = _number_match(_INVISIBLE.sub("", text))
    if not match:
        return None
    try:
        return DocumentNumber.parse(match.group(0))
    except ValidationFailed:
        return None


def _balanced(text: str) -> bool:
    depth = 0
    for character in text:
        depth += {"《": 1, "》": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


def _title_text(line: str) -> str:
    """A title as the page printed it, without a portal's status tag ([有效], 【失效】) and without
    the 《》 some pages put around the whole title."""
    text = _STATUS_TAG.sub("", line).strip()
    if text.startswith("《") and text.endswith("》") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _kind_of(title: str) -> str | None:
    stripped = _title_text(title).rstrip("。.　 ")
    for suffix in _KIND_SUFFIXES:
        if stripped.endswith(suffix):
            return _TRADITIONAL_KINDS.get(suffix, suffix)
    return None


def _title_after_number(line: str) -> str | None:
    """The title of a line that prints the number first and the title in brackets
    (海关总署公告2014年第30号（关于…的公告）), else None."""
    match = _number_match(line)
    if match is None or line[:match.start()].strip():
        return None
    rest = re.fullmatch(r"\s*[（(](?P<title>.+)[）)]\s*", line[match.end():])
    return rest["title"].strip() if rest and _kind_of(rest["title"]) else None


def _head_number(line: str) -> bool:
    """Whether ``line`` prints a 发文字号 where the head of a document prints it: a line of at most
    60 characters holding one (a 令 or announcement number: the line is the number, after a label,
    or with the title in brackets after it — not a body sentence citing 国务院令第638号)."""
    if len(line) > 60:
        return False
    match = _number_match(line)
    if match is None:
        return False
    if match.re is _NUMBER:
        return True
    rest = _NUMBER_LABEL.sub("", line[:match.start()]).strip() + line[match.end():].strip()
    return not rest or bool(re.fullmatch(r"[（(].*[）)]", rest))


def _find_title(lines: list[str], around: int | None) -> tuple[int, int, str] | None:
    """``(first line, last line, title)``: a line ending in a document kind, near the number when
    there is one; a title printed over two lines (the first naming 关于, the second the kind) is one."""
    window = range(len(lines)) if around is None else range(max(0, around - 3), min(len(lines), around + 4))
    candidates = []
    for i in window:
        line = lines[i]
        inner = _title_after_number(line)
        if inner is not None:
            candidates.append((i, i, inner))
            continue
        text = _title_text(line)
        if len(line) > TITLE_MAX or not _kind_of(text) or _number_match(line) or _BREADCRUMB.search(line):
            continue
        previous = lines[i - 1] if i else ""
        if (not _ABOUT.search(text) and _ABOUT.search(previous) and len(previous) <= 60
                and not _kind_of(previous) and not previous.endswith(tuple(_SENTENCE_END))
                and not _number_match(previous)):
            candidates.append((i - 1, i, _title_text(previous) + text))
        else:
            candidates.append((i, i, text))
    preferred = [c for c in candidates if _ABOUT.search(c[2])]
    chosen = preferred or candidates
    if not chosen:
        return None
    start, end, title = chosen[0]
    # A page prints the title more than once (<title>, a metadata table, the heading): the document
    # is where it is printed last before the text, the next occurrence within a screen of short
    # lines (a sentence or a 主送 line between them is the text: a later copy is a link to it, not
    # its heading).
    for j in range(end + 1, min(len(lines), end + 25)):
        if _title_text(lines[j]) == title or _title_after_number(lines[j]) == title:
            return j, j, title
        if len(lines[j]) > 80 or lines[j].endswith("。") or (lines[j].endswith(("：", ":")) and len(lines[j]) > 6):
            break  # (a label of a metadata table, 发文字号：, is not a 主送 line)
    return start, end, title


def _heading_level(text: str) -> int:
    for level, pattern in _HEADINGS:
        if pattern.match(text):
            return level
    return 0


def _is_clutter(line: str) -> bool:
    """A line that ends the document's text on a page (推荐阅读, 上一篇, 版权所有, an ICP number)."""
    return line.startswith(_CLUTTER) or bool(_ICP.search(line))


def _is_furniture(line: str) -> bool:
    """Page furniture, dropped wherever it stands: share buttons, the page's metadata (日期/来源/
    浏览次数/字体 大 中 小), 打印/关闭 links, download links (…​.doc, …​.pdf), QR codes and permalinks."""
    if _SHARE.search(line):
        return True
    if not re.sub(r"[\s|｜/·•]+", "", _PRINT_CLOSE.sub("", line)):
        return True
    if len(line) > 120:
        return False
    if _META_STRONG.search(line) or (_META_START.match(line) and _META_STRONG_ANY.search(line)):
        return True
    if _DOWNLOAD.search(line):
        return True
    permalink = line.startswith(("本文", "本页", "原文", "永久", "http"))
    return bool(_QR_LINK.search(line)) and (len(line) <= 30 or permalink)


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
    match = _DATE_CN.search(line) or _DATE_ARABIC.search(_digits(line))
    if match and not line[match.end():].strip(" 。.") and date_parse(line) is None:
        raise ValidationFailed(_("The date written (成文日期) %(date)s does not exist.") % {"date": match.group(0)},
                               extra={"field": "written_on", "rule": "impossible_date"})


def _organizations(text: str) -> list[str] | None:
    """The organizations a 署名 line names (one, or several separated by spaces), or None when it
    is not one."""
    parts = text.split()
    if not parts or len(text) > 60 or not all(len(part) <= 30 and _ORG_SUFFIX.search(part) for part in parts):
        return None
    return parts


@dataclass
class _Signature:
    first: int  # position in the body lines of the first 署名 line
    last: int  # of the 成文日期 line
    signatories: list[str]
    text: str
    date: datetime.date


def _signature(lines: list[str]) -> _Signature | None:
    """The 署名 and 成文日期: the first line that is a date, alone or after the organizations' names,
    with the lines of organizations above it (a joint 署名 has one a line, or several on one line
    separated by spaces) or a leader's title and name (under a 令)."""
    for index, line in enumerate(lines):
        if len(line) > 60:
            continue
        found = date_parse(line)
        if not found:
            _refuse_impossible_date(line)
            continue
        date, begin, end = found
        if line[end:].strip(" 。."):
            continue
        prefix = line[:begin].strip()
        signatories = _organizations(prefix) if prefix else []
        if signatories is None:
            continue
        printed = [prefix] if prefix else []
        first = index
        if not prefix and index and _LEADER.match(lines[index - 1]):
            first, printed = index - 1, [lines[index - 1]]
        while not prefix and first and first == index - len(printed) and len(printed) < 6:
            above = _organizations(lines[first - 1])
            if above is None:
                break
            signatories[:0] = above
            printed.insert(0, lines[first - 1])
            first -= 1
        return _Signature(first, index, signatories, " ".join(printed), date)
    return None


def _names_addressees(line: str) -> bool:
    """Whether a line ending in "：" is a 主送 line: every part between commas names organizations
    (各区人民政府，市各委、办、局：), not a sentence (…现就有关事项通知如下：, 市政府决定：)."""
    if not line.endswith((":", "：")) or len(line) > 200 or "。" in line or "如下" in line:
        return False
    parts = [part.strip() for part in _ADDRESSEE_SPLIT.split(line[:-1]) if part.strip()]
    for part in parts:
        while True:
            shorter = re.sub(r"[（(][^（()）]*[）)]$", "", part)
            if shorter == part:
                break
            part = shorter
        if not _ADDRESSEE_SUFFIX.search(part):
            return False
    return bool(parts)


def _split_names(text: str) -> list[str]:
    return [part.strip() for part in _ADDRESSEE_SPLIT.split(text.rstrip("。.;；")) if part.strip()]


def _attachments(lines: list[str]) -> tuple[list[str], list[str]]:
    """The 附件说明 (附件：1．… and the numbered lines under it) and the other lines."""
    attachments, rest = [], []
    continuing = False
    for line in lines:
        if re.match(r"^附\s*件\s*[:：]", line) or (continuing and re.match(r"^\d{1,2}\s*[．.、]", line)):
            attachments.append(line)
            continuing = True
        else:
            rest.append(line)
            continuing = False
    return attachments, rest


def _after_signature(tail: list[str], title: str, text: list[str], attachments: list[str]):
    """What of the lines after the 成文日期 is the document: the 附注 (（此件公开发布）), the attached
    text (after a 附件 label, or starting with the title of a document the title or text names in
    《》 or the title says it 印发/转发 or the 附件说明 lists, up to a list of links or page furniture),
    the 版记 (抄送：…, then …印发). The first line that is none of these ends the document.

    Returns ``(note, copy_to, printed, attached lines, positions in tail kept)``."""
    names = re.findall(r"《([^《》]{2,100})》", "\n".join([title, *text]))
    names += re.findall(r"(?:印发|印發|转发|轉發)(.{2,100}?)的(?:通知|决定|決定|通报|通報)$", title)
    names += [_ATTACHMENT_PREFIX.sub("", line) for line in attachments]
    named = {re.sub(r"[\s《》]+", "", name) for name in names}
    note, copy_to, printed, attached, kept = "", [], "", [], set()
    attaching = False
    for position, line in enumerate(tail):
        if _is_furniture(line) or _is_clutter(line):
            break
        if _NOTE.match(line) and not note and not attaching:
            note = line
        elif _COPY_TO.match(line) and not copy_to:
            copy_to = _split_names(re.sub(r"^\S{2}\s*[:：]", "", line))
            attaching = False
        elif _PRINTED.search(line) and date_parse(line) and len(line) <= 60:
            printed = line
            kept.add(position)
            break
        elif not attaching and not attached and (_ATTACHED_LABEL.match(line)
                                                  or re.sub(r"\s+", "", _title_text(line)) in named):
            attaching = True
            attached.append(line)
        elif attaching and not (_LINK_DATE.search(line) or _LINK_HEADER.match(line)):
            attached.append(line)
        else:
            break
        kept.add(position)
    return note, copy_to, printed, attached, kept


def document_parse(data: bytes) -> ParsedDocument:
    """Read a government document from plain text or HTML bytes.

    Returns:
        The ``ParsedDocument``. Lines before the title or 发文字号 (whichever comes first) are the
        page's and ignored; page furniture (``_is_furniture``), the lines from the first clutter
        line on (推荐阅读, 上一篇, 版权所有, ICP备…) and whatever follows the document's end (see the
        module docstring) are dropped and listed in ``dropped``; lines a plain-text copy wrapped are
        joined into paragraphs (an HTML page's paragraphs are its own). A page's metadata table
        (索引号, 发文机关, 成文日期, 标题, 发文字号, 发布日期 — ``_metadata_table``) is not the text:
        its 标题 finds the title however the text breaks it (over two lines or paragraphs), its
        发文字号 and 成文日期 stand when the text prints none, its 发布日期 is never read.

    Raises:
        ValidationFailed: ``rule == "too_large"`` (over ``IMPORT_MAX_BYTES``), ``rule == "encoding"``
            (undecodable), ``rule == "not_a_document"`` (neither
            a 发文字号 nor a title that ends with a document kind, or no text at all),
            ``rule == "impossible_date"`` (a 成文日期 such as 2026年2月30日), ``rule == "max_length"``
            (a title over 300 characters).
    """
    import_size_check(len(data))
    lines, html = _lines(text_decode(data))
    if not lines:
        raise _not_a_document(_("the file has no text"))
    meta, lines = _metadata_table(lines)
    printed_title = None
    if meta is not None and meta.title:
        printed_title = _printed_title(lines, meta.title, meta.at)
        if printed_title is None:
            # The text under the table does not print the title: the table's stands for it (and its
            # 发文字号 for the number, below, when the text prints none either).
            lines.insert(meta.at, meta.title)
            printed_title = (meta.at, meta.at)
    number_index = next((i for i, line in enumerate(lines) if _head_number(line)), None)
    if printed_title is not None:
        first, last = printed_title
        title = (first, last, "".join(_title_text(lines[k]) for k in range(first, last + 1)))
        # the number printed under the title; when the text prints none, the table's
        number_index = next((i for i in range(last + 1, min(len(lines), last + 4)) if _head_number(lines[i])), None)
    else:
        title = _find_title(lines, number_index)
    if number_index is None and title is None:
        raise _not_a_document(_("it has neither a document number (发文字号) nor a title ending in a document kind"))
    if title is None:
        long_title = next((line for line in lines if len(line) > TITLE_MAX and _kind_of(line)
                           and _ABOUT.search(line)), None)
        if long_title is not None:
            raise ValidationFailed(
                _("The title is %(length)d characters long; a title has at most %(max)d.")
                % {"length": len(long_title), "max": TITLE_MAX}, extra={"field": "title", "rule": "max_length"})
        raise _not_a_document(_("it has no title ending in a document kind (通知, 决定, 意见…)"))
    title_first, title_last, title_text = title
    used = set(range(title_first, title_last + 1))
    number = None
    if number_index is not None and number_index < title_first:
        # the number of a metadata table above the title: the document prints it again below
        again = next((j for j in range(title_first, min(len(lines), title_last + 8)) if _head_number(lines[j])
                      and document_number_find(lines[j]) == document_number_find(lines[number_index])), None)
        number_index = again if again is not None else number_index
    if number_index is not None:
        number = document_number_find(lines[number_index])
        used.add(number_index)
    elif meta is not None and meta.number is not None:
        number = meta.number
    head_end = max(title_last, number_index if number_index is not None else -1)
    # 令: 江苏省人民政府令 with 第282号 on the next line.
    kind = _kind_of(title_text) or ""
    order_line = head_end + 1 if kind == "令" and head_end + 1 < len(lines) else None
    if order_line is not None and re.fullmatch(r"[(（]?第\s*\d{1,6}\s*[号號][)）]?", _digits(lines[order_line])):
        if number is None:
            number = DocumentNumber.parse(title_text + re.sub(r"[()（）]", "", _digits(lines[order_line])))
        used.add(order_line)
        head_end = order_line
    head_start = min(title_first, number_index if number_index is not None else title_first)
    dropped = [i for i in range(head_start + 1, head_end + 1) if i not in used]

    end = next((i for i in range(head_end + 1, len(lines)) if _is_clutter(lines[i])), len(lines))
    body_index = []
    for i in range(head_end + 1, end):
        (dropped if _is_furniture(lines[i]) else body_index).append(i)
    addressees: list[str] = []
    if body_index and _names_addressees(lines[body_index[0]]):
        addressees = _split_names(lines[body_index[0]][:-1])
        body_index = body_index[1:]

    body = [lines[i] for i in body_index]
    signature = _signature(body)
    if signature is None and number is None and not (meta and meta.date):
        raise _not_a_document(_("it has no document number and no date of writing (成文日期)"))
    text_lines = body if signature is None else body[:signature.first]
    attachments, text_lines = _attachments(text_lines)
    note, copy_to, printed, attached = "", [], "", []
    if signature is not None:
        date_line = body_index[signature.last]
        tail = list(range(date_line + 1, end))
        note, copy_to, printed, attached, kept = _after_signature([lines[i] for i in tail], title_text, text_lines,
                                                                     attachments)
        dropped = [i for i in dropped if i < date_line] + [i for k, i in enumerate(tail) if k not in kept]
    dropped += list(range(end, len(lines)))
    paragraphs = _reflow(text_lines) if not html else text_lines
    paragraphs += _reflow(attached) if not html else attached
    issuer = signature.signatories[0] if signature and signature.signatories else ""
    if not issuer and kind == "令" and title_text.endswith("令") and _ORG_SUFFIX.search(title_text[:-1]):
        issuer = title_text[:-1]
    return ParsedDocument(
        title=title_text,
        document_number=str(number) if number is not None else "",
        issuer=issuer,
        addressees=addressees,
        date=signature.date if signature else (meta.date if meta else None),
        kind=kind,
        blocks=[(_heading_level(text), text) for text in paragraphs],
        attachments=attachments,
        signatories=signature.signatories if signature else [],
        signature=signature.text if signature else "",
        note=note,
        copy_to=copy_to,
        printed=printed,
        dropped=[lines[i] for i in sorted(set(dropped))],
    )
