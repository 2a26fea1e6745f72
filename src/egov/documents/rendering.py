"""GB/T 9704-2012 layout: an official document as a PDF (WeasyPrint).

The page geometry is in ``templates/documents/print/gbt9704.css``: A4, 天头 (top margin) 37 mm,
订口 (binding margin) 28 mm, text block 156 mm × 225 mm, 22 lines of 28 characters of 3号 (16 pt)
text. Pages are printed on both sides: odd pages bind on the left, even pages on the right, and
page numbers sit outside (GB/T 9704-2012 §7.5). Every full page holds the 22 lines of the grid
whatever faces its lines mix (see gbt9704.css); the title breaks between words (``title_lines``);
attached texts (附件) print on pages of their own (``body_split_attached``); half-width punctuation in
Chinese text prints full-width (``body.text_full_width``).

Typefaces. The standard names 仿宋, 小标宋, 黑体 and 楷体; the usual fonts for them (FZFangSong,
FZXiaoBiaoSong…) are not free, so egov uses fonts Debian ships: FandolFang for 仿宋 body text
(taken out of Debian's texlive-lang-chinese by ``make install``, ``FANGSONG_FILES``), otherwise
Noto Serif CJK SC; Noto Serif CJK SC bold for 小标宋 titles and the 发文机关标志; Noto Sans CJK SC
for 黑体; AR PL UKai for 楷体; HanaMinA/HanaMinB (fonts-hanazono) for CJK Extension B and later
characters that Noto lacks (e.g. 𠀀). Fonts are embedded as subsets.
"""

import html
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed
from egov.documents.body import body_full_width, body_mark_levels, text_full_width
from egov.documents.models import Direction, OfficialDocument, Recipient, Urgency
from egov.documents.numerals import date_arabic, date_chinese

# 紧急程度 as printed, whatever the language of the person printing.
URGENCY_PRINTED = {Urgency.URGENT: "加急", Urgency.EXTRA_URGENT: "特急"}
# Width of the 发文机关标志 line and the largest size its characters may have (mm).
_MARK_WIDTH_MM = 150.0
_MARK_MAX_CHAR_MM = 15.0


# FandolFang (the Fandol team, GPL-3 with the font exception: documents embedding it are not bound by
# the GPL), an openly licensed simplified 仿宋 covering GB 2312 and more. Debian ships it only inside
# texlive-lang-chinese (with a TeX system it depends on), outside fontconfig's directories. `make
# install` takes the one file out of that package into the virtual environment (with its copyright
# file) without installing the package; a machine where the package is installed has it in TeX's
# tree. When one of these files is there, the body is set in it (HanaMin and Noto Serif CJK still
# draw what it lacks); otherwise Noto Serif CJK SC stands in.
FANGSONG_FILES = (
    Path(sys.prefix) / "share" / "egov" / "fonts" / "FandolFang-Regular.otf",
    Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-Regular.otf"),
)


def fangsong_face() -> str:
    """The ``file:`` URL of the first FandolFang file of ``FANGSONG_FILES`` that exists, else ""."""
    return next((path.as_uri() for path in FANGSONG_FILES if path.is_file()), "")


# The most characters of body text printed (``pdf_render``): ``rules.BODY_MAX`` and a margin for the
# entities (``&amp;``) that sanitizing adds.
PRINT_TEXT_MAX = 110_000
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class PrintData:
    """What the printed page shows, independent of the database (see ``print_data``).

    ``issuer_marks``: 发文机关标志 lines (one per issuer in 联合行文, e.g. ``["无锡市人民政府文件"]``);
    ``number``: 发文字号 or ""; ``signers``: 签发人 names, printed when ``upward``; ``main_to`` and
    ``copy_to``: recipient names; ``body_html``: sanitized body; ``attachments``: 附件 names in order;
    ``written_on``/``printed_on``: 成文日期 and 印发日期. ``sealed``: the PDF will carry the issuer's
    seal (用印), so the 署名 and 成文日期 take the sealed layout (GB/T 9704-2012 §7.3.5.1) rather than
    the unsealed one (§7.3.5.2). ``title_units``: the organization names the title holds, which a
    title line break keeps whole (``title_lines``).
    """

    issuer_marks: list[str]
    title: str
    body_html: str
    signature: str
    written_on: date | None
    number: str = ""
    copy_number: str = ""
    urgency: str = ""
    upward: bool = False
    signers: list[str] = field(default_factory=list)
    main_to: list[str] = field(default_factory=list)
    main_to_text: str = ""
    attachments: list[str] = field(default_factory=list)
    note: str = ""
    copy_to: list[str] = field(default_factory=list)
    copy_to_text: str = ""
    printer: str = ""
    printed_on: date | None = None
    sealed: bool = False
    title_units: list[str] = field(default_factory=list)


# The seal (42 mm across) is centred over the 署名 and 成文日期, 13 mm above the bottom of the date line,
# so that both lines sit a little below its centre (GB/T 9704-2012 §7.3.5.1); gbt9704.css draws a
# given seal image the same way.
SEAL_DIAMETER_MM = 42.0
SEAL_CENTRE_ABOVE_DATE_MM = 13.0
_PX_PER_MM = 96 / 25.4  # CSS pixels
_PT_PER_MM = 72 / 25.4  # PDF points


@dataclass(frozen=True)
class RenderedPdf:
    """``pdf``: the file's bytes; ``pages``: its page count; ``seal_page`` (0-based) and ``seal_box``
    (``x1, y1, x2, y2`` in PDF points from the page's lower-left corner): where the seal goes."""

    pdf: bytes
    pages: int
    seal_page: int = 0
    seal_box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


def print_data(document: OfficialDocument, *, sealed: bool | None = None) -> PrintData:
    """Collect what ``document`` prints: a 下行文/平行文 of one issuer has the 版头 ``<name>文件``.

    ``sealed``: whether the closing takes the sealed layout (§7.3.5.1) or the unsealed one
    (§7.3.5.2). ``None`` (the default): sealed for a document drafted here, which goes through 用印
    (so that its preview looks as it will print), unsealed for an imported one (printed as published).
    """
    issuers = [document.issuer, *document.co_issuers.order_by("path")]
    marks = [f"{issuers[0].name}文件"] if len(issuers) == 1 else [o.name for o in issuers]
    recipients = list(document.recipients.all())
    number = document.number
    return PrintData(
        issuer_marks=marks,
        title=document.title,
        body_html=document.body_html,
        signature=document.signature or "\u3000".join(o.name for o in issuers),
        written_on=document.written_on,
        number=str(number) if number else "",
        copy_number=document.copy_number,
        urgency=URGENCY_PRINTED.get(document.urgency, ""),
        upward=document.direction == Direction.UPWARD,
        signers=[name for name in document.signers.split("、") if name],
        main_to=[r.name for r in recipients if r.kind == Recipient.Kind.MAIN],
        main_to_text=document.main_to_text,
        attachments=list(document.attachments.values_list("name", flat=True)),
        note=document.note,
        copy_to=[r.name for r in recipients if r.kind == Recipient.Kind.COPY],
        copy_to_text=document.copy_to_text,
        # 印发机关 (GB/T 9704-2012 §7.4.3): when none was named and the 版记 is printed for its 抄送, the
        # issuer itself, so that the line never shows a date alone.
        printer=(document.printer.name if document.printer
                 else issuers[0].name if (document.copy_to_text or any(r.kind == Recipient.Kind.COPY
                                                                       for r in recipients)) else ""),
        printed_on=document.printed_on,
        sealed=not document.imported_from if sealed is None else sealed,
        title_units=_organization_names_in(document.title),
    )


def _organization_names_in(title: str) -> list[str]:
    """The names of the organizations (of the city's tree and outside it) that ``title`` holds."""
    from egov.orgs.models import Organization

    return [name for name in Organization.objects.values_list("name", flat=True).distinct() if name and name in title]


# 2号 (22 pt) title characters set at 156 mm / 20 per line: what one title line holds, in ems.
TITLE_LINE_EMS = 20
_OPENING = "《“‘（(〈【〔「"
_CLOSING = "》”’）)〉】〕」、，。：；！？,.:;!?"
_WEAK_START = "的之和与及并或"


def _width_ems(text: str) -> float:
    """Printed width of ``text`` in ems of its size: CJK characters and full-width marks 1, others 0.6."""
    return sum(0.6 if ord(c) < 0x2E80 and c not in "“”‘’—…" else 1.0 for c in text)


# A joint issuers' prefix of a title: names separated by spaces before 关于 (财政部 国家发展改革委 工业和信息化部关于…).
_JOINT_PREFIX = re.compile(r"^(?P<prefix>(?:[^\s　]{2,30}[\s　]+)+[^\s　]{2,30}?)(?:关于|關於|關于)")


def _unit_spans(title: str, units) -> list[tuple[int, int]]:
    """``(start, end)`` of every occurrence in ``title`` of a name of ``units`` and of each name of a
    joint issuers' prefix (``_JOINT_PREFIX``): no line break falls inside one."""
    spans = []
    for unit in {u for u in units if len(u) > 1}:
        start = title.find(unit)
        while start >= 0:
            spans.append((start, start + len(unit)))
            start = title.find(unit, start + 1)
    prefix = _JOINT_PREFIX.match(title)
    if prefix:
        spans += [(m.start(), m.end()) for m in re.finditer(r"[^\s　]+", prefix["prefix"])]
    return spans


def _title_atoms(title: str, units=()) -> list[str]:
    """``title`` in pieces no line break may cut: words (jieba, on the simplified form of a title in
    traditional script, 關於印發 → 关于印发), an opening mark joined to the word after it, a closing
    mark to the word before it (GB/T 15834: no line starts with ，。》), and the names of ``units``
    (organization names) and of a joint issuers' prefix whole (国家发展改革委, not 国家发展改革 / 委)."""
    from egov.documents.numbers import simplified
    from egov.documents.search import _jieba

    plain = simplified(title)
    if len(plain) != len(title):
        plain = title
    atoms: list[str] = []
    pending = ""
    position = 0
    for simple in _jieba().cut(plain, HMM=False):
        word = title[position:position + len(simple)]
        position += len(simple)
        if all(c in _OPENING for c in word):
            pending += word
        elif atoms and all(c in _CLOSING for c in word) and not pending:
            atoms[-1] += word
        else:
            atoms.append(pending + word)
            pending = ""
    if pending:
        atoms.append(pending)
    spans = _unit_spans(title, units)
    if not spans:
        return atoms
    merged: list[str] = []
    position = 0
    for atom in atoms:
        if merged and any(start < position < end for start, end in spans):
            merged[-1] += atom
        else:
            merged.append(atom)
        position += len(atom)
    return merged


def title_lines(title: str, width_ems: float = TITLE_LINE_EMS, units=()) -> list[str]:
    """A 标题 in lines as GB/T 9704-2012 §7.3.1 asks: "标题回行时，要做到词意完整，排列对称，长短适宜，
    间距恰当，标题排列应当使用梯形或菱形".

    Lines are cut between words (jieba) and never after an opening or before a closing mark; of the
    cuts into the fewest lines of at most ``width_ems`` ems (one more line when no cut fits), those
    whose line lengths form a trapezoid (growing or shrinking) or a diamond (longest in the middle)
    are kept, and the one chosen prefers cuts after 关于 or around a 《…》 name, lines of like
    length, and no line starting with 的, 和, 与…. A title with no such cut keeps the browser's own
    line breaking (one line returned).

    ``units``: names (organizations') no cut may fall inside; a joint issuers' prefix (names separated
    by spaces before 关于) is kept whole name by name in any case.

    Returns the lines, in order; ``"".join(lines) == title``.
    """
    from itertools import combinations

    title = title.strip()
    if _width_ems(title) <= width_ems:
        return [title]
    atoms = _title_atoms(title, units)
    ends = []
    position = 0
    for atom in atoms:
        position += len(atom)
        ends.append(position)
    cuts = ends[:-1]
    minimum = int(-(-_width_ems(title) // width_ems))
    for count in (minimum, minimum + 1):
        if count - 1 > len(cuts) or count > 5:
            break
        best: tuple[float, list[str]] | None = None
        for chosen in combinations(cuts, count - 1):
            bounds = [0, *chosen, len(title)]
            lines = [title[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
            widths = [_width_ems(line) for line in lines]
            if max(widths) > width_ems:
                continue
            peak = widths.index(max(widths))
            rising = all(a <= b + 0.5 for a, b in zip(widths[:peak], widths[1:peak + 1], strict=True))
            falling = all(a + 0.5 >= b for a, b in zip(widths[peak:-1], widths[peak + 1:], strict=True))
            if not (rising and falling):
                continue  # an hourglass or a zigzag
            cost = 0.3 * (max(widths) - min(widths)) ** 2
            if count > 2 and 0 < peak < count - 1:
                cost -= 5  # a diamond
            elif widths[0] < widths[-1]:
                cost -= 2  # 上短下长
            for cut in chosen:
                before, after = title[:cut], title[cut:]
                if before.endswith(("关于", "關於")):
                    cost -= 40
                if after.startswith("《") or before.endswith("》"):
                    cost -= 50
                if before.count("《") > before.count("》"):
                    cost += 60  # inside a 《…》 name
                if after[0] in _WEAK_START:
                    cost += 80
            if best is None or cost < best[0]:
                best = (cost, lines)
        if best is not None:
            return best[1]
    return [title]


_ATTACHMENT_LABEL = re.compile(r"附件\s*(?P<n>\d{1,2})?\s*[:：]?")
_NAME = re.compile(r"《([^《》]{2,80})》")
# The text a 印发/转发 notice issues, named in its title without 《》 (…关于印发江苏省数字政府建设实施方案的通知).
_ISSUED_NAME = re.compile(r"(?:印发|印發|转发|轉發)(?!《)(?P<name>[^《》]{2,80}?)的(?:通知|决定|決定|通报|通報)$")
_BLOCKS = re.compile(r"(<p>.*?</p>)", re.S)


@dataclass(frozen=True)
class AttachedText:
    """An attached text (附件) printed after the document: ``label`` (``附件`` or ``附件2``), its
    ``title`` and its ``body_html``."""

    label: str
    title: str
    body_html: str


def _plain(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment)).strip(" \u3000\t\n")


def body_split_attached(body_html: str, *, title: str = "", attachments: tuple[str, ...] | list[str] = ()
                        ) -> tuple[str, list[AttachedText]]:
    """Split the texts attached to a document off its body (GB/T 9704-2012 §8: each 附件 on a page of
    its own, after the 署名 and 成文日期).

    An attached text starts at a paragraph that is
    - ``附件`` or ``附件2`` alone (the paragraph after it is its title); or
    - a title alone: no closing mark, the name of one of ``attachments`` or a name written in 《》
      in the document's ``title`` (``关于印发《无锡市电子政务建设指导意见》的通知`` attaches
      无锡市电子政务建设指导意见), or the text the title says it 印发/转发 without 《》
      (``关于印发江苏省数字政府建设实施方案的通知``), as an imported 印发/转发 notice has it.
    The first paragraph never starts one. The label is ``附件`` with the number of the attachment
    in the 附件说明 when there are several.

    Returns ``(main_body_html, [AttachedText…])``.
    """
    names = {name.strip("《》 ") for name in attachments if name.strip()}
    names |= {match.group(1) for match in _NAME.finditer(title or "")}
    names |= {match["name"] for match in [_ISSUED_NAME.search(title or "")] if match}
    numbered = [name.strip("《》 ") for name in attachments]
    pieces = _BLOCKS.split(body_html or "")
    main: list[str] = []
    attached: list[dict] = []
    seen_paragraph = False
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        index += 1
        is_paragraph = piece.startswith("<p>")
        text = _plain(piece) if is_paragraph else ""
        start = None
        if is_paragraph and seen_paragraph:
            label = _ATTACHMENT_LABEL.fullmatch(text)
            if label:
                following = [p for p in pieces[index:] if p.strip()]
                if following and following[0].startswith("<p>") and len(_plain(following[0])) <= 80:
                    start = (f"附件{label['n'] or ''}", _plain(following[0]))
                    index = pieces.index(following[0], index) + 1
            elif text.strip("《》") in names and text[-1:] not in "。！？；：，":
                name = text.strip("《》")
                number = numbered.index(name) + 1 if name in numbered and len(numbered) > 1 else ""
                start = (f"附件{number}", text)
        if start:
            attached.append({"label": start[0], "title": start[1], "body": []})
        elif attached:
            attached[-1]["body"].append(piece)
        else:
            main.append(piece)
        seen_paragraph = seen_paragraph or is_paragraph
    return "".join(main), [AttachedText(a["label"], a["title"], "".join(a["body"])) for a in attached]


_PARAGRAPH_OPEN = re.compile(r"(<p\b[^>]*>)(.*?)</p>", re.S)


def _on_grid(body_html: str) -> str:
    """Each paragraph's content in ``<span class="t">`` (line-height 0 in gbt9704.css), so that only the
    paragraph's own strut sets the height of its lines, whatever faces the line mixes."""
    return _PARAGRAPH_OPEN.sub(lambda m: f'{m.group(1)}<span class="t">{m.group(2)}</span></p>', body_html)


def _print_body(body_html: str) -> str:
    return _on_grid(body_mark_levels(body_full_width(body_html)))


def _signature_lines(data: PrintData) -> list[str]:
    """The 署名 as printed, in lines: a joint document (several 发文机关标志) without a seal has one
    issuer a line, the lead issuer first (GB/T 9704-2012 §7.3.5.2 "联合行文时，应当先编排主办机关署名，
    其余发文机关署名依次向下编排"), when its 署名 names as many as it has issuers; else one line."""
    names = data.signature.split()
    if not data.sealed and len(data.issuer_marks) > 1 and len(names) == len(data.issuer_marks):
        return names
    return [data.signature]


def _context(data: PrintData, *, date_style: str, seal_data_uri: str, imprint_page: bool) -> dict:
    fmt = date_chinese if date_style == "chinese" else date_arabic
    longest = max((len(mark) for mark in data.issuer_marks), default=1)
    main_to = text_full_width(data.main_to_text or "、".join(data.main_to))
    copy_to = data.copy_to_text or "，".join(data.copy_to)
    title = text_full_width(data.title)
    body, attached = body_split_attached(data.body_html, title=data.title, attachments=data.attachments)
    return {
        "d": data,
        "mark_size_mm": round(min(_MARK_MAX_CHAR_MM, _MARK_WIDTH_MM / longest), 2),
        "title_lines": title_lines(title, units=data.title_units),
        "signature_lines": _signature_lines(data),
        "main_to": main_to.rstrip("：:") + "：" if main_to else "",
        "copy_to": copy_to.rstrip("。.") + "。" if copy_to else "",
        "body": _print_body(body),
        "attached": [{"label": a.label, "title_lines": title_lines(text_full_width(a.title)),
                      "body": _print_body(a.body_html)} for a in attached],
        "written_on": fmt(data.written_on) if data.written_on else "",
        "printed_on": date_arabic(data.printed_on) if data.printed_on else "",
        "note": text_full_width(data.note.strip("（）()")) if data.note else "",
        "seal": seal_data_uri,
        "sealed": data.sealed or bool(seal_data_uri),
        "fangsong_url": fangsong_face(),
        "imprint_page": imprint_page,
    }


def pdf_render(data: PrintData, *, date_style: str = "arabic", seal_data_uri: str = "") -> RenderedPdf:
    """Render ``data`` as a GB/T 9704-2012 PDF.

    Args:
        date_style: ``"arabic"`` (GB/T 9704-2012: 2026年11月30日) or ``"chinese"`` (the 1999 style:
            二〇二六年十一月三十日) for the 成文日期.
        seal_data_uri: the organization's seal image as a ``data:`` URI, drawn red over the
            署名 and 成文日期 (§7.3.5.1); "" for none (the signed seal comes from ``trust``).

    The closing takes the sealed layout (§7.3.5.1: 成文日期 右空四字, 署名 centred over it, two
    blank lines above for the seal) when ``data.sealed`` or a seal image is given, otherwise the
    unsealed one (§7.3.5.2: one blank line, 署名 右空二字, 成文日期 under it two characters right).

    The 版记 (抄送, 印发机关和印发日期) goes at the foot of the last page, which must be an even
    page (the back of the last sheet): when the body ends on an odd page, the 版记 goes to the
    next even page, with a blank page between when needed. Blank pages and pages that hold only
    the 版记 get no page number (§7.5 says so where a blank page precedes the 版记 page; egov
    applies it to every 版记-only page so that numbering does not depend on how the text fell).

    Rendering time grows with the text (about 1 s per 6,000 characters of body on a 2-core server):
    a body over ``PRINT_TEXT_MAX`` characters of text (kept before ``rules.BODY_MAX`` bounded new
    drafts) is refused before any work, so that no request holds a worker for minutes.

    Raises:
        ValidationFailed: ``field: "body"``, ``rule: "too_long_to_print"``.
    """
    from weasyprint import HTML

    text_length = len(html.unescape(_TAG.sub("", data.body_html or "")))
    if text_length > PRINT_TEXT_MAX:
        raise ValidationFailed(
            _("The body has %(n)d characters, too long to print (at most %(max)d); shorten it or move parts "
              "into attachments.") % {"n": text_length, "max": PRINT_TEXT_MAX},
            extra={"field": "body", "rule": "too_long_to_print", "max": PRINT_TEXT_MAX})

    def render(imprint_page: bool):
        html = render_to_string("documents/print/document.html",
                                _context(data, date_style=date_style, seal_data_uri=seal_data_uri,
                                         imprint_page=imprint_page))
        return HTML(string=html).render()

    document = render(imprint_page=False)
    has_imprint = bool(data.copy_to or data.copy_to_text or data.printer)
    if has_imprint and len(document.pages) % 2 == 1:
        document = render(imprint_page=True)
    seal_page, seal_box = _seal_place(document)
    return RenderedPdf(pdf=document.write_pdf(), pages=len(document.pages), seal_page=seal_page, seal_box=seal_box)


def _seal_place(document) -> tuple[int, tuple[float, float, float, float]]:
    """The page and box of the seal in a laid-out WeasyPrint document, from its 署名/成文日期 block."""
    for index, page in enumerate(document.pages):
        pending = [page._page_box]
        while pending:
            box = pending.pop()
            element = getattr(box, "element", None)
            if element is not None and "sign-block" in (element.get("class") or "").split():
                centre_x = (box.position_x + box.margin_width() / 2) / _PX_PER_MM
                bottom = (box.content_box_y() + box.height) / _PX_PER_MM
                centre_y = bottom - SEAL_CENTRE_ABOVE_DATE_MM  # mm from the top
                page_height = page.height / _PX_PER_MM
                radius = SEAL_DIAMETER_MM / 2
                return index, tuple(round(value * _PT_PER_MM, 2) for value in (
                    centre_x - radius, page_height - centre_y - radius,
                    centre_x + radius, page_height - centre_y + radius))
            pending.extend(getattr(box, "children", []))
    raise ValueError("the template has no sign-block")
