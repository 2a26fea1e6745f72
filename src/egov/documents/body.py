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


def body_mark_levels(safe_html: str) -> str:
    """Add ``class="level-N"`` to paragraphs that start with an ordinal (input: ``body_sanitize`` output).

    A level-1 paragraph is a heading line (黑体). For levels 2–4 the heading is the first sentence:
    text up to the first 。 is wrapped in ``<span class="heading">`` when more text follows it in
    the same paragraph (``（一）加强领导。各地区……`` prints 加强领导。 in 楷体 and the rest in 仿宋).
    """

    def mark(match: re.Match) -> str:
        text = match["text"]
        level = heading_level(html.unescape(text))
        if level == 0:
            return match.group(0)
        if level == 1:
            return f'<p class="level-1">{text}'
        head, stop, rest = text.partition("。")
        if stop and rest.strip():
            return f'<p class="level-{level}"><span class="heading">{head}{stop}</span>{rest}'
        return f'<p class="level-{level}"><span class="heading">{text}</span>'

    return _PARAGRAPH.sub(mark, safe_html)
