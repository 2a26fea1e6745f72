"""The GB/T 9704-2012 layout, checked on the rendered PDF itself (positions in mm from the top-left).

Expected values come from the standard: A4 210 × 297 mm; 天头 37 mm; 订口 28 mm; text block
156 × 225 mm, so the text block of an odd page spans x 28–184, y 37–262 and that of an even page
x 26–182; 22 lines of 28 characters; 发文机关标志 35 mm below the top of the text block (y 72);
red separator 4 mm under the 发文字号; 页码 4号 (14 pt) "— 1 —", one character (14 pt = 4.94 mm) in
from the outside edge, its dashes 7 mm under the text block; 版记 on the last (even) page, its last
rule on the bottom edge of the text block. GB/T 9704 allows ±1 mm on margins; tolerances here are
tighter where our layout is exact.
"""

import base64
import re
from datetime import date

import pytest

from egov.documents.body import body_sanitize
from egov.documents.rendering import PrintData, pdf_render
from egov.documents.tests.pdfcheck import MM, Pdf

PARAGRAPH = "为进一步推进电子政务建设，提高行政效能，根据国家和省有关规定，结合我市实际，现就有关事项通知如下。" * 3
RED = (0.901961, 0.0, 0.0)
CHAR_14PT_MM = 14 / MM


def _notice(**changes) -> PrintData:
    body = "一、总体要求\n（一）加强领导。各地各部门要高度重视。\n1.资金保障。\n" + "\n".join([PARAGRAPH] * 12)
    fields = dict(
        issuer_marks=["无锡市人民政府文件"], title="无锡市人民政府关于推进电子政务建设的通知（张𠀀与王𠮷）",
        body_html=body_sanitize(body), signature="无锡市人民政府", written_on=date(2026, 11, 30),
        number="锡政发〔2026〕1号", copy_number="000001", urgency="特急",
        main_to=["无锡市财政局", "无锡市教育局"], attachments=["任务分工表", "项目清单"], note="此件公开发布",
        copy_to=["无锡市发展和改革委员会"], printer="无锡市人民政府办公室", printed_on=date(2026, 12, 1),
    )
    fields.update(changes)
    return PrintData(**fields)


@pytest.fixture(scope="module")
def notice() -> Pdf:
    rendered = pdf_render(_notice())
    pdf = Pdf(rendered.pdf)
    assert rendered.pages == len(pdf.pages) >= 4
    return pdf


def test_a4_pages(notice):
    assert all(abs(w - 210) < 0.1 and abs(h - 297) < 0.1 for w, h in notice.sizes)


def test_head_issuer_mark_red_35_mm_into_the_text_block(notice):
    mark = [g for g in notice.pages[0] if g.size_pt > 30]
    assert "".join(g.text for g in mark) == "无锡市人民政府文件"
    assert all(g.color == RED for g in mark)
    assert abs(mark[0].em_top - 72) < 0.3
    # Centred on the text block (x 28–184).
    assert abs((mark[0].x0 + mark[-1].x1) / 2 - 106) < 0.5


def test_copy_number_and_urgency_on_the_first_lines(notice):
    lines = list(notice.lines(0).values())
    assert "".join(g.text for g in lines[0]) == "000001"
    assert "".join(g.text for g in lines[1]) == "特急"
    assert abs(lines[0][0].x0 - 28) < 0.2
    assert "Sans" in lines[1][0].font  # 黑体


def test_number_with_hexagonal_brackets_and_red_separator_4_mm_below(notice):
    lines = notice.lines(0).values()
    number_line = next(line for line in lines if "".join(g.text for g in line) == "锡政发〔2026〕1号")
    red_rules = [r for r in notice.rules[0] if r[4] == RED]
    assert len(red_rules) == 1
    x0, x1, top, _bottom, _color = red_rules[0]
    assert abs(x0 - 28) < 0.1 and abs(x1 - 184) < 0.1  # as wide as the text block
    assert abs(top - number_line[0].em_bottom - 4) < 0.5


def test_title_main_recipients_and_body_text_are_extractable(notice):
    first = notice.texts[0].replace("\n", "")
    assert "无锡市人民政府关于推进电子政务建设的通知" in first
    assert "锡政发〔2026〕1号" in first
    assert "无锡市财政局、无锡市教育局：" in first
    title = [g for g in notice.pages[0] if abs(g.size_pt - 22) < 0.3]
    assert title and all("Bold" in g.font for g in title if g.text not in "𠀀𠮷")  # 2号 小标宋 (bold serif)


def test_cjk_extension_b_is_drawn_with_a_font_that_has_it(notice):
    text = notice.text(0)
    assert "𠀀" in text and "𠮷" in text
    glyph = next(g for g in notice.pages[0] if g.text == "𠀀")
    # Noto CJK has no U+20000: the fallback HanaMin (fonts-hanazono) draws it, not a .notdef box.
    assert "HanaMin" in glyph.font


def test_heading_levels_use_their_typefaces(notice):
    by_text = {g.text: g for g in notice.pages[0] if g.size_pt == 16}
    assert "Sans" in by_text["总"].font  # 一、 黑体
    assert "UKai" in by_text["领"].font  # （一） 楷体
    assert "FandolFang" in by_text["资"].font or "Noto-Serif" in by_text["资"].font  # 1. 仿宋 (or its substitute)


def test_full_page_has_22_lines_of_28_characters_in_the_text_block(notice):
    for page, (left, right) in ((1, (26, 182)), (2, (28, 184))):
        lines = notice.lines(page)
        assert len(lines) == 22
        first, last = next(iter(lines.values())), list(lines.values())[-1]
        assert 37 <= first[0].em_top and first[0].em_bottom <= 37 + 225 / 22
        assert 262 - 225 / 22 <= last[0].em_top and last[0].em_bottom <= 262
        pitches = [b - a for a, b in zip(list(lines)[:-1], list(lines)[1:], strict=True)]
        assert all(abs(p - 225 / 22) < 0.15 for p in pitches)
        assert max(len(line) for line in lines.values()) == 28
        # Lines that end a paragraph, or that line-breaking rules (no comma at a line start) cut
        # a character short, are shorter; full lines put 28 characters at a pitch of 156/28 mm.
        full = [line for line in lines.values() if len(line) == 28]
        assert len(full) >= 8
        for line in full:
            assert abs(line[0].x0 - left) < 0.2 and line[-1].x1 <= right + 0.2
            assert all(abs(b.x0 - a.x0 - 156 / 28) < 0.05 for a, b in zip(line[:-1], line[1:], strict=True))


def test_page_numbers_outside_one_character_in_7_mm_below(notice):
    for page in range(len(notice.pages) - 1):
        glyphs = [g for g in notice.pages[page] if abs(g.size_pt - 14) < 0.3 and g.text.strip()]
        assert "".join(g.text for g in glyphs) == f"—{page + 1}—"
        dash = glyphs[0]
        assert abs(dash.baseline - 0.38 * 14 / MM - (262 + 7)) < 0.5
        if page % 2 == 0:  # odd page number: right, one character in from 184
            assert abs(glyphs[-1].x1 - (184 - CHAR_14PT_MM)) < 0.3
        else:
            assert abs(glyphs[0].x0 - (26 + CHAR_14PT_MM)) < 0.3
    assert "— 1 —" in notice.texts[0]


def test_attachments_signature_date_note(notice):
    text = "".join(t.replace("\n", "") for t in notice.texts)
    assert "附件：1. 任务分工表" in text and "2. 项目清单" in text
    assert "无锡市人民政府2026年11月30日" in text.replace(" ", "")
    assert "（此件公开发布）" in text


def test_imprint_at_the_foot_of_the_last_even_page(notice):
    last = len(notice.pages) - 1
    assert (last + 1) % 2 == 0
    text = notice.texts[last].replace("\n", "")
    assert "抄送：无锡市发展和改革委员会。" in text
    assert "无锡市人民政府办公室" in text and "2026年12月1日印发" in text
    rules = sorted(notice.rules[last], key=lambda r: r[2])
    assert len(rules) == 3
    assert all(abs(r[0] - 26) < 0.1 and abs(r[1] - 182) < 0.1 for r in rules)
    assert abs(rules[-1][3] - 262) < 0.1  # the last rule on the bottom edge of the text block
    assert abs((rules[0][3] - rules[0][2]) - 0.35) < 0.02 and abs((rules[1][3] - rules[1][2]) - 0.25) < 0.02


def test_fonts_are_embedded_subsets(notice):
    fonts = notice.fonts()
    assert {f["name"].split("+", 1)[1].split("-")[0] for f in fonts} >= {"Noto", "HanaMinA", "AR"}
    for font in fonts:
        assert font["embedded"], font
        assert re.match(r"^/?[A-Z]{6}\+", font["name"]), font  # ABCDEF+Name: a subset


def test_short_document_puts_the_imprint_on_page_two_without_a_number():
    rendered = pdf_render(_notice(body_html=body_sanitize("现将有关事项通知如下。"), attachments=[], note=""))
    pdf = Pdf(rendered.pdf)
    assert rendered.pages == 2
    assert "— 1 —" in pdf.texts[0]
    assert "印发" in pdf.texts[1] and "—" not in pdf.texts[1]


def test_upward_document_prints_its_signers_beside_the_number():
    seal = "data:image/svg+xml;base64," + base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b'<circle cx="50" cy="50" r="46" fill="none" stroke="red" stroke-width="4"/></svg>').decode()
    data = _notice(issuer_marks=["无锡市人民政府"], title="无锡市人民政府关于申请专项资金的请示", upward=True,
                   signers=["赵强", "钱𠮷"], urgency="", copy_number="", main_to=["江苏省人民政府"],
                   body_html=body_sanitize("妥否，请批示。"), copy_to=[], printer="", attachments=[], note="")
    pdf = Pdf(pdf_render(data, date_style="chinese", seal_data_uri=seal).pdf)
    lines = pdf.lines(0)
    number_line = next(line for line in lines.values() if "".join(g.text for g in line).startswith("锡政发"))
    text = "".join(g.text for g in number_line)
    assert text.startswith("锡政发〔2026〕1号") and "签发人：" in text and "赵强" in text and "钱𠮷" in text
    assert abs(number_line[0].x0 - (28 + 156 / 28)) < 0.3  # 居左空一字
    assert abs(number_line[-1].x1 - (184 - 156 / 28)) < 0.5  # 居右空一字
    assert "二〇二六年十一月三十日" in pdf.text(0)
    assert "UKai" in next(g for g in number_line if g.text == "赵").font  # names in 楷体


def test_signature_and_note_never_open_a_page_alone():
    # Found on the smoke document: the 附注 went alone to page 2, and a 一、 heading ended page 1.
    data = _notice(body_html=body_sanitize("一、总体要求\n（一）加强领导。各部门要把电子政务建设列入重要议事日程。\n"
                                           "二、保障措施\n1.资金保障。"), attachments=[], copy_number="", urgency="",
                   main_to=["无锡市发展和改革委员会", "无锡市财政局", "无锡市数据局"], copy_to=[])
    pdf = Pdf(pdf_render(data).pdf)
    assert len(pdf.pages) == 2
    page_two = ["".join(g.text for g in line) for line in pdf.lines(1).values()]
    # The body's last paragraph comes along with the 署名, and its 一、 heading with it.
    assert page_two == ["二、保障措施", "1．资金保障。", "无锡市人民政府", "2026年11月30日", "（此件公开发布）"]


def test_an_unnumbered_preview_prints_no_escape_text():
    """Found by a tester: before 登记 the number line printed the six characters "\\u3000"."""
    pdf = Pdf(pdf_render(_notice(number="")).pdf)
    assert "u3000" not in pdf.text(0) and "\\" not in pdf.text(0)


@pytest.mark.django_db
def test_a_document_copied_to_someone_without_a_named_printer_is_printed_by_its_issuer(wuxi):
    # 版记 (GB/T 9704-2012 §7.4.3): 印发机关 and 印发日期 on one line; with no 印发机关 named, the issuer.
    from egov.documents.actions import document_draft
    from egov.documents.rendering import print_data

    copied = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="关于测试版记的通知",
                            body="正文。", main_to=[wuxi.finance], copy_to=[wuxi.reform], disclosure="proactive")
    assert print_data(copied).printer == wuxi.government.name
    alone = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="关于不抄送的通知",
                           body="正文。", main_to=[wuxi.finance], disclosure="proactive")
    assert print_data(alone).printer == ""
