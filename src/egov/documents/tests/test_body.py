import pytest

from egov.documents.body import body_for_editing, body_mark_levels, body_sanitize, heading_level


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
        '<p class="level-1">一、总体要求</p>'
        '<p class="level-2"><span class="heading">（一）加强领导。</span>各地要重视。</p>'
        '<p class="level-2"><span class="heading">（二）强化保障</span></p>'
        '<p class="level-3"><span class="heading">1.资金。</span>到位。</p>'
        "<p>正文</p>"
    )


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
