import pytest

from egov.documents.body import (
    body_for_editing,
    body_full_width,
    body_mark_levels,
    body_sanitize,
    heading_level,
    text_full_width,
)


def test_plain_text_becomes_paragraphs_and_is_escaped():
    assert body_sanitize("第一段\n\n第二段 & 三") == "<p>第一段</p><p>第二段 &amp; 三</p>"


@pytest.mark.parametrize("attack", [
    "<p>正文<script>alert(1)</script></p>",
    "<p onclick=\"alert(1)\">正文</p>",
    "<p>正文<img src=x onerror=alert(1)></p>",
    "<p>正文</p><svg><script>alert(1)</script></svg>",
    "<p>正文<a href=\"javascript:alert(1)\">链接</a></p>",
    "<p>正文</p><iframe src=\"https://example.org\"></iframe>",
    "<p style=\"background:url(javascript:alert(1))\">正文</p>",
    "<p>正文</p><!-- <script>alert(1)</script> -->",
])
def test_no_script_survives(attack):
    clean = body_sanitize(attack)
    assert "script" not in clean.lower()
    assert "alert" not in clean
    assert "on" + "error" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "<iframe" not in clean and "<img" not in clean and "style=" not in clean
    assert "正文" in clean


def test_allowed_markup_is_kept():
    kept = '<p>甲<strong>乙</strong></p><table><tbody><tr><td colspan="2">丙</td></tr></tbody></table>'
    assert body_sanitize(kept) == kept


@pytest.mark.parametrize(("text", "level"), [
    ("一、总体要求", 1), ("十二、附则", 1), ("（一）加强领导。", 2), ("(三)强化保障", 2), ("1.资金保障", 3),
    ("12．监督检查", 3), ("（1）申报材料", 4), ("(2)时间", 4), ("为进一步推进", 0), ("1.5倍", 0), ("2026年", 0),
])
def test_heading_levels_of_gbt_9704_7_3_3(text, level):
    assert heading_level(text) == level


def test_levels_marked_for_their_typefaces():
    typed = "一、总体要求\n（一）加强领导。各地要重视。\n（二）强化保障\n1.资金。到位。\n正文"
    marked = body_mark_levels(body_sanitize(typed))
    assert marked == (
        '<p class="level-1"><span class="heading">一、总体要求</span></p>'
        '<p class="level-2"><span class="heading">（一）加强领导。</span>各地要重视。</p>'
        '<p class="level-2"><span class="heading">（二）强化保障</span></p>'
        '<p class="level-3"><span class="heading">1．资金。</span>到位。</p>'
        "<p>正文</p>"
    )


def test_a_numbered_item_with_no_heading_text_stays_one_paragraph_with_a_full_width_ordinal():
    # Tester M5: "3. 各地区要…" printed "3." alone on a line. GB/T 9704-2012 §7.3.3: 第三层 "1．".
    marked = body_mark_levels(body_sanitize("3. 各地区要加强组织领导，确保落实。"))
    assert marked == '<p class="level-3"><span class="heading">3．</span>各地区要加强组织领导，确保落实。</p>'


def test_plain_text_with_inline_tags_keeps_its_paragraphs():
    """Found by a tester: one <b> (or a pasted <script>) in a plain-text body made it one paragraph."""
    typed = "一、总体要求\n各单位要<b>高度重视</b>。<script>alert(1)</script>\n（一）加强领导。"
    assert body_sanitize(typed) == "<p>一、总体要求</p><p>各单位要<b>高度重视</b>。</p><p>（一）加强领导。</p>"



@pytest.mark.parametrize("typed", ["一、总体要求\n（一）加强领导。\n1.资金保障。", "公式 a&b 与“引号”", "单独一段"])
def test_a_body_typed_as_text_is_edited_as_text_and_saved_back_the_same(typed):
    # Found by a tester: editing a draft typed as plain text showed its <p> tags.
    stored = body_sanitize(typed)
    assert body_for_editing(stored) == typed
    assert body_sanitize(body_for_editing(stored)) == stored


def test_a_body_with_markup_is_edited_as_markup():
    stored = body_sanitize("<p>甲</p><table><tr><td>1</td></tr></table>")
    assert body_for_editing(stored) == stored
    typed_lt = body_sanitize("a<b 的情形")
    assert body_sanitize(body_for_editing(typed_lt)) == typed_lt


def test_a_first_level_heading_run_into_its_paragraph_is_separated():
    # GB/T 9704-2012 §7.3.3: the heading in 黑体, the paragraph in 仿宋. Written with a full stop, the
    # heading is the run up to it; written with a space (a web copy that lost its line break), the
    # heading becomes a line of its own and the text its own paragraph.
    assert body_mark_levels(body_sanitize("一、总体要求。坚持党的领导。")) == (
        '<p class="level-1"><span class="heading">一、总体要求。</span>坚持党的领导。</p>')
    assert body_mark_levels(body_sanitize("一、指导思想和原则 全市电子政务建设的指导思想是：")) == (
        '<p class="level-1"><span class="heading">一、指导思想和原则</span></p><p>全市电子政务建设的指导思想是：</p>')
    # A space after a comma is inside the sentence, not after a heading.
    assert body_mark_levels(body_sanitize("一、坚持统筹，注重 实效")) == (
        '<p class="level-1"><span class="heading">一、坚持统筹，注重 实效</span></p>')


@pytest.mark.parametrize("typed, printed", [
    ("各市(县)和各区人民政府,市各委、办、局:", "各市（县）和各区人民政府，市各委、办、局："),
    ('以"三个代表"重要思想为指导;坚持统筹.', "以“三个代表”重要思想为指导；坚持统筹。"),
    ("第一阶段(2004 年):建成网络!是否完成?", "第一阶段（2004 年）：建成网络！是否完成？"),
    ("(1)申报材料", "（1）申报材料"),
    # Numbers, URLs, addresses, Latin runs and the 1. ordinal keep their marks.
    ("投资1,000万元,增长3.5%,时间9:30", "投资1,000万元，增长3.5%，时间9:30"),
    ("详见http://www.wuxi.gov.cn/a,b.html,或来信xx@wuxi.gov.cn.", "详见http://www.wuxi.gov.cn/a,b.html，或来信xx@wuxi.gov.cn."),
    ("1.资金保障", "1.资金保障"),
    ("采用PDF (Portable Document Format), e.g. PDF/A", "采用PDF (Portable Document Format), e.g. PDF/A"),
    ("Hello, world (no Chinese)", "Hello, world (no Chinese)"),
])
def test_half_width_punctuation_in_chinese_text_is_made_full_width(typed, printed):
    assert text_full_width(typed) == printed


def test_full_width_punctuation_in_a_body_keeps_its_tags():
    assert body_full_width("<p>甲,乙<b>丙</b>:丁 &amp; a,b</p>") == "<p>甲，乙<b>丙</b>：丁 &amp; a,b</p>"
