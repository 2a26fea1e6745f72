"""The 正文 (body) of a document: sanitizing drafts and marking heading levels for printing.

Drafts arrive as HTML from the editor or as plain text. Only a small set of tags survives
(paragraphs, line breaks, emphasis, tables); scripts, styles, event handlers, links and images are
removed, their content too for ``script``/``style`` (``nh3``, the Ammonia sanitizer).

Heading levels follow GB/T 9704-2012 §7.3.3: "文中结构层次序数依次可以用“一、”“（一）”“1.”“（1）”标注；
一般第一层用黑体字、第二层用楷体字、第三层和第四层用仿宋体字标注". People type the ordinals; the
printer recognizes them and ``body_mark_levels`` sets the class that picks the typeface.
"""

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
DROP_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "noscript"}

_CN = "一二三四五六七八九十百"
_LEVELS = [
    (1, re.compile(rf"^[{_CN}]+、")),
    (2, re.compile(rf"^[（(][{_CN}]+[）)]")),
    (3, re.compile(r"^\d+[.．](?!\d)")),
    (4, re.compile(r"^[（(]\d+[）)]")),
]
_BLOCK_TAG = re.compile(r"<\s*(p|br|div|table|tr|ul|ol|li|h[1-6])\b", re.I)
_PARAGRAPH = re.compile(r"<p>(?P<text>[^<]*)")


def body_sanitize(text: str) -> str:
    """Return safe HTML for a body typed as HTML or as plain text.

    Plain text (no ``<``) becomes one ``<p>`` per non-empty line. Text with tags but no paragraph
    or table of its own (``<b>``, a pasted ``<script>``) is still paragraphed by its lines. HTML keeps
    only ``ALLOWED_TAGS`` with ``ALLOWED_ATTRIBUTES``; comments are dropped.
    """
    text = (text or "").replace("\r\n", "\n").strip()
    if "<" not in text:
        return "".join(f"<p>{html.escape(line.strip(), quote=False)}</p>"
                       for line in text.split("\n") if line.strip())
    if not _BLOCK_TAG.search(text):
        text = "".join(f"<p>{line.strip()}</p>" for line in text.split("\n") if line.strip())
    return nh3.clean(text, tags=ALLOWED_TAGS, clean_content_tags=DROP_WITH_CONTENT, attributes=ALLOWED_ATTRIBUTES,
                     strip_comments=True, link_rel=None).strip()


_PLAIN_PARAGRAPHS = re.compile(r"(?:<p>[^<]*</p>)*")


def body_for_editing(body_html: str) -> str:
    """The body as the drafting form shows it: the plain text it was typed as (one line per
    paragraph) when it is only plain paragraphs, so that a clerk who typed text edits text, not
    ``<p>`` tags; other HTML (tables, emphasis) as it is. ``body_sanitize`` of the result gives the
    same body back."""
    if not _PLAIN_PARAGRAPHS.fullmatch(body_html or ""):
        return body_html
    lines = [html.unescape(text) for text in re.findall(r"<p>([^<]*)</p>", body_html)]
    if any("<" in line or "\n" in line for line in lines):
        return body_html  # a typed "<" would read as markup on the way back
    return "\n".join(lines)


def heading_level(paragraph_text: str) -> int:
    """The structure level (1–4) of a paragraph by its leading ordinal, or 0 for body text.

    ``"一、总体要求"`` → 1, ``"（二）加强领导。"`` → 2, ``"3.资金保障"`` → 3, ``"（4）附则"`` → 4.
    """
    text = paragraph_text.lstrip("\u3000 \t")
    for level, pattern in _LEVELS:
        if pattern.match(text):
            return level
    return 0


_RUN_IN_SPACE = re.compile(r"^(?P<head>\S{2,40}?)[ \u3000\t]+(?P<rest>\S.*)$", re.S)
# The ordinal alone (一、 （一） 1. （1）): a "heading" of nothing but it is a numbered paragraph, kept whole.
_ORDINAL_ONLY = re.compile(r"^[\u3000 \t]*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]{1,3}[）)]"
                           r"|\d{1,2}[．.、])")
_LEVEL3_ORDINAL = re.compile(r"^(?P<n>[\u3000 \t]*\d{1,2})\.")


def body_mark_levels(safe_html: str) -> str:
    """Add ``class="level-N"`` to paragraphs that start with an ordinal (input: ``body_sanitize`` output).

    The heading is wrapped in ``<span class="heading">`` (the printer sets its typeface: 黑体 for
    level 1, 楷体 for level 2, 仿宋 for levels 3 and 4, GB/T 9704-2012 §7.3.3). A heading written on
    one line with its paragraph is separated from it:

    - by a full stop: the heading is the text up to the first 。 (``（一）加强领导。各地区……`` prints
      加强领导。 in 楷体 and the rest in 仿宋; ``一、总体要求。坚持……`` prints 一、总体要求。 in 黑体);
    - by white space (a web copy that lost its line break: ``一、指导思想和原则 全市……``): the heading
      becomes a paragraph of its own and the text after the space the next, ordinary, paragraph —
      unless the heading is the ordinal alone (``3. 各地区要……``, a numbered item): that stays one
      paragraph.

    The period of a level-3 ordinal prints full-width: ``3.`` → ``3．`` (GB/T 9704-2012 §7.3.3).

    Paragraphs whose text starts with an inline tag are left as they are.
    """

    def mark(match: re.Match) -> str:
        inner = match["inner"]
        lead, tag, tail = inner.partition("<")
        level = heading_level(html.unescape(lead))
        if level == 0:
            return match.group(0)
        tail = tag + tail
        if level == 3:  # the ordinal 1. prints 1． (GB/T 9704-2012 §7.3.3)
            lead = _LEVEL3_ORDINAL.sub(r"\g<n>．", lead, count=1)
        head, stop, rest = lead.partition("。")
        if stop and (rest + tail).strip():
            return f'<p class="level-{level}"><span class="heading">{head}{stop}</span>{rest}{tail}</p>'
        spaced = _RUN_IN_SPACE.match(lead)
        if spaced and not _ORDINAL_ONLY.sub("", spaced["head"]):  # 3. 各地区要……: one paragraph
            return f'<p class="level-{level}"><span class="heading">{spaced["head"]}</span>{spaced["rest"]}{tail}</p>'
        if spaced and not any(c in spaced["head"] for c in "，,；;：:"):
            return (f'<p class="level-{level}"><span class="heading">{spaced["head"]}</span></p>'
                    f'<p>{spaced["rest"]}{tail}</p>')
        if tail:
            return f'<p class="level-{level}"><span class="heading">{lead}</span>{tail}</p>'
        return f'<p class="level-{level}"><span class="heading">{lead}</span></p>'

    return _PARAGRAPH_WHOLE.sub(mark, safe_html)


_PARAGRAPH_WHOLE = re.compile(r"<p>(?P<inner>.*?)</p>", re.S)

# Half-width punctuation typed (or copied from a web page) in Chinese text, and its full-width form
# (GB/T 15834-2011 标点符号用法: Chinese text takes the full-width marks).
_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f\u3000-\u303f\uff01-\uff60\u2014\u2026\u201c\u201d\u2018\u2019]")
# URLs and e-mail addresses: ASCII only (Chinese text after one ends it), a trailing mark excluded.
_KEEP = re.compile(r"(?:(?:https?|ftp)://|www\.)[\x21-\x7e]+?(?=[,.;:!?)]*(?:[^\x21-\x7e]|$))"
                   r"|[A-Za-z0-9.+_-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", re.I)
_PARENS = re.compile(r"\(([^()]*)\)")
_DOUBLE_QUOTES = re.compile(r'"([^"]*)"')
_SINGLE_QUOTES = re.compile(r"'([^']*)'")


def text_full_width(text: str) -> str:
    """Half-width punctuation in Chinese text made full-width: , : ; ! ? → ，：；！？, a period after a
    Chinese character → 。, paired ( ) → （ ）and "…" → “…”, '…' → ‘…’ when what they enclose or
    what touches them is Chinese.

    Left alone: marks between digits or Latin letters (``1,000``, ``3.14``, ``12:30``, ``e.g.``), URLs
    and e-mail addresses, the period of a level-3 ordinal (``1.``, GB/T 9704-2012 §7.3.3), and
    text with no Chinese next to the mark. Plain text in, plain text out (HTML: ``body_full_width``).
    """
    if not text or not _HAN.search(text):
        return text
    kept: list[str] = []

    def hold(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = _KEEP.sub(hold, text)

    def chinese(character: str) -> bool:
        return bool(character) and bool(_HAN.match(character))

    def pair(pattern: re.Pattern, left: str, right: str, source: str) -> str:
        def swap(match: re.Match) -> str:
            before = source[match.start() - 1] if match.start() else ""
            after = source[match.end()] if match.end() < len(source) else ""
            inside = match.group(1)
            if _HAN.search(inside) or chinese(before) or chinese(after):
                return f"{left}{inside}{right}"
            return match.group(0)
        return pattern.sub(swap, source)

    text = pair(_PARENS, "（", "）", text)
    text = pair(_DOUBLE_QUOTES, "“", "”", text)
    text = pair(_SINGLE_QUOTES, "‘", "’", text)
    out = []
    for index, character in enumerate(text):
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if character in _FULL:
            if chinese(before) or chinese(after):  # so never between two digits or two Latin letters
                character = _FULL[character]
        elif character == "." and chinese(before) and not after.isdigit() and after != ".":
            character = "。"
        out.append(character)
    text = "".join(out)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


_BLOCK = re.compile(r"(?P<open><(?P<tag>p|td|th)\b[^>]*>)(?P<inner>.*?)</(?P=tag)>", re.S)


def body_full_width(safe_html: str) -> str:
    """``text_full_width`` on the text of each block (``<p>``, table cell) of a sanitized body; tags
    and attributes are left as they are."""

    def block(match: re.Match) -> str:
        # The block's text as a whole (a mark may touch the text of a neighbouring inline tag); the
        # converted characters go back into the text nodes one for one (the conversion keeps the
        # length of the unescaped text).
        pieces = re.split(r"(<[^>]*>)", match["inner"])
        texts = [html.unescape(piece) for piece in pieces[0::2]]
        joined = "".join(texts)
        converted = text_full_width(joined)
        if converted == joined or len(converted) != len(joined):
            return match.group(0)
        position = 0
        for index, text in enumerate(texts):
            pieces[2 * index] = html.escape(converted[position:position + len(text)], quote=False)
            position += len(text)
        return f"{match['open']}{''.join(pieces)}</{match['tag']}>"

    return _BLOCK.sub(block, safe_html)
