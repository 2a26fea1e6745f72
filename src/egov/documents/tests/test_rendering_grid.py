"""GB/T 9704-2012 line grid and layout rules, measured on the rendered PDF (mm from the page's top-left).

The standard's figures: text block 156 × 225 mm from y = 37 (天头) and x = 28 (odd pages, 订口) or
26 (even pages); 22 lines per page (§6.2), so a line pitch of 225/22 = 10.227 mm; 28 characters of
3号 (16 pt) per line, 156/28 = 5.571 mm each. The grid check reads every body line's baseline back
from the PDF: on a full page there are 22, one pitch apart within 0.5 pt, and the first sits where
it sits on every other full page (no drift however many pages and whatever faces a line mixes).
"""

import base64
from datetime import date
from pathlib import Path

import pytest

from egov.documents.body import body_sanitize
from egov.documents.importing import document_parse
from egov.documents.rendering import PrintData, body_split_attached, pdf_render, title_lines
from egov.documents.tests.pdfcheck import MM, Pdf

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed" / "wuxi-egov-guidance-2004.zh-hans.txt"
PITCH = 225 / 22
CHAR = 156 / 28
HALF_POINT_MM = 0.5 / MM
SEAL = "data:image/svg+xml;base64," + base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<circle cx="50" cy="50" r="46" fill="none" stroke="red" stroke-width="4"/></svg>').decode()


def _text(line) -> str:
    return "".join(g.text for g in line)


def _baselines(pdf: Pdf, page: int) -> list[float]:
    """The baselines of the 16 pt lines of ``page``, each the lowest glyph baseline of its line."""
    return [max(g.baseline for g in line) for line in pdf.lines(page).values()]


def _assert_grid(pdf: Pdf, full_pages: list[int]) -> None:
    first_baselines = []
    for page in full_pages:
        baselines = _baselines(pdf, page)
        assert len(baselines) == 22, (page, len(baselines))
        pitches = [b - a for a, b in zip(baselines[:-1], baselines[1:], strict=True)]
        assert all(abs(p - PITCH) < HALF_POINT_MM for p in pitches), (page, pitches)
        first_baselines.append(baselines[0])
    assert max(first_baselines) - min(first_baselines) < HALF_POINT_MM
    # The 22nd line ends inside the text block.
    assert first_baselines[0] + 21 * PITCH + 0.12 * 16 / MM <= 262 + 0.1


@pytest.fixture(scope="module")
def seed() -> tuple[PrintData, Pdf]:
    """The seed (锡政发〔2004〕99号) as imported from its web copy, rendered unsealed."""
    parsed = document_parse(SEED.read_bytes())
    data = PrintData(issuer_marks=["无锡市人民政府文件"], title=parsed.title, body_html=body_sanitize(parsed.body),
                     signature=parsed.issuer, written_on=parsed.date, number=parsed.document_number,
                     main_to_text=",".join(parsed.addressees))
    return data, Pdf(pdf_render(data).pdf)


def test_long_imported_document_holds_22_lines_on_every_full_page(seed):
    _data, pdf = seed
    pages = len(pdf.pages)
    assert pages >= 12
    # Page 1: 版头, the notice and its closing; page 2: the attached text starts; the last page is partial.
    _assert_grid(pdf, list(range(2, pages - 1)))


def test_the_attached_text_has_its_label_and_title_on_a_page_of_its_own(seed):
    _data, pdf = seed
    first = pdf.lines(0)
    assert not any("无锡市电子政务建设指导意见" == _text(line) for line in first.values())
    label = next(iter(pdf.lines(1).values()))
    assert _text(label) == "附件"
    assert "Sans" in label[0].font  # 3号黑体
    assert abs(label[0].x0 - 26) < 0.2  # 顶格, even page
    assert 37 < label[0].em_top and label[0].em_bottom < 37 + PITCH  # the first line
    title = list(pdf.lines(1, size_pt=22).values())
    assert [_text(line) for line in title] == ["无锡市电子政务建设指导意见"]
    glyphs = title[0]
    assert 37 + 2 * PITCH < glyphs[0].em_top and glyphs[0].em_bottom < 37 + 3 * PITCH  # the third line
    assert abs((glyphs[0].x0 + glyphs[-1].x1) / 2 - (26 + 78)) < 0.5  # centred
    # The text after one blank line, on the grid of the body lines.
    body = _baselines(pdf, 1)
    assert len(body) == 1 + 18
    assert abs(body[1] - body[0] - 4 * PITCH) < HALF_POINT_MM


def test_the_title_breaks_between_words_in_a_trapezoid(seed):
    _data, pdf = seed
    lines = [_text(line) for line in pdf.lines(0, size_pt=22).values()]
    assert lines == ["市政府关于印发", "《无锡市电子政务建设指导意见》的通知"]


@pytest.mark.parametrize("title, lines", [
    ("市政府关于印发《无锡市电子政务建设指导意见》的通知", ["市政府关于印发", "《无锡市电子政务建设指导意见》的通知"]),
    ("市政府關於印發《無錫市電子政務建設指導意見》的通知", ["市政府關於印發", "《無錫市電子政務建設指導意見》的通知"]),
    ("无锡市人民政府关于推进电子政务建设的通知", ["无锡市人民政府关于推进电子政务建设的通知"]),
    ("无锡市人民政府办公室关于转发市发展改革委市财政局关于进一步加强政府投资项目管理意见的通知",
     ["无锡市人民政府办公室关于", "转发市发展改革委市财政局关于", "进一步加强政府投资项目管理意见的通知"]),
])
def test_title_lines(title, lines):
    assert title_lines(title) == lines


def test_a_title_never_breaks_inside_an_organizations_name():
    # Tester M4: "财政部 国家发展改革 / 委 工业和信息化部关于…": a joint issuers' prefix keeps each name whole…
    title = "财政部　国家发展改革委　工业和信息化部关于调整新能源汽车推广应用财政补贴政策的通知"  # 41 ems: 3 lines
    lines = title_lines(title)
    assert "".join(lines) == title and len(lines) == 3
    assert any("国家发展改革委" in line for line in lines) and any("工业和信息化部" in line for line in lines)
    # …and so does a name known as an organization's (jieba alone cuts 市 / 发展改革委 apart from 市).
    title = "无锡市发展和改革委员会无锡市财政局无锡市住房和城乡建设局关于加强政府投资项目管理的通知"
    lines = title_lines(title, units=["无锡市发展和改革委员会", "无锡市财政局", "无锡市住房和城乡建设局"])
    assert "".join(lines) == title
    for line in lines[:-1]:
        assert line.endswith(("委员会", "财政局", "建设局", "关于")), lines


def test_half_width_punctuation_of_the_imported_text_prints_full_width(seed):
    _data, pdf = seed
    text = "".join(pdf.texts).replace("\n", "")
    assert "各市（县）和各区人民政府，市各委、办、局，市各直属单位：" in text
    assert "印发给你们，请认真贯彻执行。" in text
    for mark in ",:;()":
        assert mark not in text.replace("〔2004〕", ""), mark
    # No line holds more than 28 Chinese characters and marks, or reaches beyond the text block.
    for page in range(1, len(pdf.pages)):
        left = 28 if page % 2 == 0 else 26
        for line in pdf.lines(page).values():
            assert sum(1 for g in line if not g.text.isascii()) <= 28
            assert line[0].x0 > left - 0.2 and line[-1].x1 < left + 156 + 0.2


def test_run_in_first_level_heading_is_its_own_line_in_heiti(seed):
    _data, pdf = seed
    lines = [line for page in range(len(pdf.pages)) for line in pdf.lines(page).values()]
    index = next(i for i, line in enumerate(lines) if _text(line) == "一、电子政务建设的指导思想和原则")
    assert all("Sans" in g.font for g in lines[index])
    after = lines[index + 1]
    assert _text(after).startswith("全市电子政务建设的指导思想是：")
    assert all("FandolFang" in g.font or "Noto-Serif" in g.font for g in after)  # 仿宋 (or its substitute)


def _long_sealed() -> PrintData:
    # Every face on the same lines: 黑体 headings with run-in text, 楷体 (一) headings with their
    # sentence, 仿宋 1. and (1), a character from CJK Extension B (HanaMin), Latin and digits.
    section = ("（一）加强组织领导。各部门要把电子政务建设列入重要议事日程，张𠀀同志负责PDF/A归档，"
               "2026年完成率达到100%。\n"
               "1.资金保障。市财政每年安排专项资金，用于政务网络平台和数据资源建设。\n"
               "（1）项目申报。各单位于每年3月31日前申报下一年度项目。\n"
               + "为进一步推进电子政务建设，提高行政效能，根据国家和省有关规定，结合我市实际，现就有关事项通知如下。"
               * 2)
    body = "一、总体要求。坚持统一规划、分步实施。\n" + "\n".join([section] * 46)
    return PrintData(issuer_marks=["无锡市人民政府文件"], title="无锡市人民政府关于推进电子政务建设的通知",
                     body_html=body_sanitize(body), signature="无锡市人民政府", written_on=date(2026, 11, 30),
                     number="锡政发〔2026〕1号", main_to=["无锡市财政局", "无锡市教育局"], sealed=True)


def test_long_sealed_document_holds_22_lines_on_every_full_page_over_20_pages():
    pdf = Pdf(pdf_render(_long_sealed(), seal_data_uri=SEAL).pdf)
    pages = len(pdf.pages)
    assert pages >= 21
    faces = {g.font.split("+")[-1].split("-")[0] for page in pdf.pages for g in page}
    assert {"Noto", "AR", "HanaMinA"} <= faces
    _assert_grid(pdf, list(range(1, pages - 1)))


def test_unsealed_closing_one_blank_line_signature_two_characters_from_the_right():
    # §7.3.5.2: 署名 下空一行、右空二字; 成文日期 on the next line, its first character two characters
    # right of the 署名's first. Here the 署名 (10 characters) is longer than 2 + the date.
    data = PrintData(issuer_marks=["无锡市人民政府办公室文件"], title="关于做好节日值班工作的通知",
                     body_html=body_sanitize("请各单位做好值班工作。"), signature="无锡市人民政府办公室",
                     written_on=date(2026, 11, 30), number="锡政办发〔2026〕3号")
    pdf = Pdf(pdf_render(data).pdf)
    lines = list(pdf.lines(0).items())
    texts = [_text(line) for _b, line in lines]
    body = texts.index("请各单位做好值班工作。")
    (body_y, _), (sign_y, sign), (date_y, written) = lines[body], lines[body + 1], lines[body + 2]
    assert _text(sign) == "无锡市人民政府办公室" and _text(written) == "2026年11月30日"
    assert abs(sign_y - body_y - 2 * PITCH) < 0.2 and abs(date_y - sign_y - PITCH) < 0.2
    assert abs(sign[-1].x1 - (184 - 2 * CHAR)) < 0.3
    assert abs(written[0].x0 - (sign[0].x0 + 2 * CHAR)) < 0.3


def test_unsealed_joint_closing_one_issuer_a_line():
    # Tester M6, §7.3.5.2: 联合行文 unsealed — the lead issuer's 署名 first, the others below it, one a line.
    data = PrintData(issuer_marks=["财政部", "国家发展改革委", "工业和信息化部"], title="关于调整补贴政策的通知",
                     body_html=body_sanitize("请各单位认真执行。"), signature="财政部 国家发展改革委 工业和信息化部",
                     written_on=date(2026, 11, 30))
    pdf = Pdf(pdf_render(data).pdf)
    lines = list(pdf.lines(0).items())
    texts = [_text(line) for _b, line in lines]
    body = texts.index("请各单位认真执行。")
    assert texts[body + 1:body + 5] == ["财政部", "国家发展改革委", "工业和信息化部", "2026年11月30日"]
    baselines = [y for y, _line in lines[body:body + 5]]
    assert abs(baselines[1] - baselines[0] - 2 * PITCH) < 0.2
    assert all(abs(b - a - PITCH) < 0.2 for a, b in zip(baselines[1:-1], baselines[2:], strict=True))
    # one block, two characters from the right: the names start where the first does
    assert abs(max(g.x1 for _y, line in lines[body + 1:body + 5] for g in line) - (184 - 2 * CHAR)) < 0.3
    assert all(abs(line[0].x0 - lines[body + 1][1][0].x0) < 0.3 for _y, line in lines[body + 2:body + 4])


def test_unsealed_closing_with_a_longer_date_keeps_the_date_two_characters_from_the_right():
    data = PrintData(issuer_marks=["无锡市人民政府文件"], title="关于做好节日值班工作的通知",
                     body_html=body_sanitize("请各单位做好值班工作。"), signature="无锡市人民政府",
                     written_on=date(2026, 11, 30), number="锡政发〔2026〕3号")
    pdf = Pdf(pdf_render(data).pdf)
    by_text = {_text(line): line for line in pdf.lines(0).values()}
    sign, written = by_text["无锡市人民政府"], by_text["2026年11月30日"]
    assert abs(written[-1].x1 - (184 - 2 * CHAR)) < 0.3
    assert abs(written[0].x0 - (sign[0].x0 + 2 * CHAR)) < 0.3


def test_sealed_closing_date_four_characters_from_the_right_signature_centred_over_it():
    data = PrintData(issuer_marks=["无锡市人民政府文件"], title="关于做好节日值班工作的通知",
                     body_html=body_sanitize("请各单位做好值班工作。"), signature="无锡市人民政府",
                     written_on=date(2026, 11, 30), number="锡政发〔2026〕3号", sealed=True)
    pdf = Pdf(pdf_render(data).pdf)
    lines = list(pdf.lines(0).items())
    texts = [_text(line) for _b, line in lines]
    body = texts.index("请各单位做好值班工作。")
    (body_y, _), (sign_y, sign), (_date_y, written) = lines[body], lines[body + 1], lines[body + 2]
    assert abs(sign_y - body_y - 3 * PITCH) < 0.2  # two blank lines: the seal sits within one of the body
    assert abs(written[-1].x1 - (184 - 4 * CHAR)) < 0.3
    assert abs((sign[0].x0 + sign[-1].x1) / 2 - (written[0].x0 + written[-1].x1) / 2) < 0.3


def test_sealed_document_with_a_short_body_keeps_it_on_page_one():
    # 版头 and title take 11 of the 22 lines, 主送 2, the sealed closing 4 and the 附注 1: 4 lines of body fit.
    body = ("一、总体要求\n（一）加强领导。各部门要重视。\n（二）落实责任。各单位要按期完成。\n"
            "请各单位于12月31日前报送。")
    data = PrintData(issuer_marks=["无锡市人民政府文件"], title="无锡市人民政府关于推进电子政务建设的通知",
                     body_html=body_sanitize(body), signature="无锡市人民政府", written_on=date(2026, 11, 30),
                     number="锡政发〔2026〕1号", main_to=["无锡市财政局"], note="此件公开发布", sealed=True)
    rendered = pdf_render(data, seal_data_uri=SEAL)
    pdf = Pdf(rendered.pdf)
    assert rendered.pages == 1
    texts = [_text(line) for line in pdf.lines(0).values()]
    assert texts[2:] == ["一、总体要求", "（一）加强领导。各部门要重视。", "（二）落实责任。各单位要按期完成。",
                         "请各单位于12月31日前报送。", "无锡市人民政府", "2026年11月30日", "（此件公开发布）"]


def test_attached_texts_split_by_label_or_by_a_name_in_the_title():
    body = body_sanitize("现将方案印发给你们。\n附件2\n项目清单\n一、项目\n正文")
    main, attached = body_split_attached(body, attachments=["任务分工表", "项目清单"])
    assert main == "<p>现将方案印发给你们。</p>"
    assert [(a.label, a.title, a.body_html) for a in attached] == [
        ("附件2", "项目清单", "<p>一、项目</p><p>正文</p>")]
    body = body_sanitize("现将《实施办法》印发给你们。\n实施办法\n第一条 为了规范管理。")
    main, attached = body_split_attached(body, title="关于印发《实施办法》的通知")
    assert main == "<p>现将《实施办法》印发给你们。</p>"
    assert [(a.label, a.title) for a in attached] == [("附件", "实施办法")]
    # A sentence that happens to name it, and the first paragraph, start nothing.
    main, attached = body_split_attached(body_sanitize("实施办法\n实施办法。"), title="关于印发《实施办法》的通知")
    assert attached == []


def test_the_text_a_notice_issues_without_guillemets_in_its_title_is_attached():
    # p4 of the tester's pages: the title names the plan without 《》; it prints after the 署名 (§8).
    body = body_sanitize("《江苏省数字政府建设实施方案》已经省人民政府同意，现印发给你们，请认真贯彻落实。\n"
                         "江苏省数字政府建设实施方案\n为加快推进数字政府建设，制定本方案。")
    main, attached = body_split_attached(body, title="江苏省人民政府办公厅关于印发江苏省数字政府建设实施方案的通知")
    assert main == "<p>《江苏省数字政府建设实施方案》已经省人民政府同意，现印发给你们，请认真贯彻落实。</p>"
    assert [(a.label, a.title, a.body_html) for a in attached] == [
        ("附件", "江苏省数字政府建设实施方案", "<p>为加快推进数字政府建设，制定本方案。</p>")]


@pytest.mark.django_db
def test_the_seed_served_at_its_disclosure_address_holds_the_grid(client, wuxi):
    # The path the issue was seen on: the seed imported and published, its PDF rendered on request.
    from egov.documents.actions import document_draft, document_import
    from egov.documents.rendering import print_data

    document = document_import(actor=None, parsed=document_parse(SEED.read_bytes()), source_name=SEED.name,
                               publish=True)
    # Imported: printed as published, unsealed; a document drafted here goes through 用印, and its
    # preview shows the sealed layout it will print with.
    assert print_data(document).sealed is False
    drafted = document_draft(actor=wuxi.clerk, issuer=wuxi.government, kind="notice", title="关于测试的通知",
                             body="正文。", main_to=[wuxi.finance], disclosure="proactive")
    assert print_data(drafted).sealed is True
    response = client.get(f"/disclosure/{document.pk}/pdf")
    assert response.status_code == 200
    pdf = Pdf(response.content)
    assert [_text(line) for line in pdf.lines(0, size_pt=22).values()] == [
        "市政府关于印发", "《无锡市电子政务建设指导意见》的通知"]
    # Unsealed: 2004年3月24日 starts two characters right of the 署名 and, longer than it, ends two
    # characters in from the right (page 1 is odd: the text block ends at x 184).
    by_text = {_text(line): line for line in pdf.lines(0).values()}
    sign, written = by_text["无锡市人民政府"], by_text["2004年3月24日"]
    assert abs(written[-1].x1 - (184 - 2 * CHAR)) < 0.3
    assert abs(written[0].x0 - (sign[0].x0 + 2 * CHAR)) < 0.3
    assert _text(next(iter(pdf.lines(1).values()))) == "附件"
    _assert_grid(pdf, list(range(2, len(pdf.pages) - 1)))


def test_the_attachment_note_and_closing_never_take_a_page_without_body_text():
    # Found while checking the grid: with a 附件说明 the 署名 went to page 2 with it and no line of
    # the body (a page "此页无正文"); the body's last paragraph, and its 一、 heading, now come along.
    body = "一、总体要求\n（一）加强领导。各部门要把电子政务建设列入重要议事日程。\n二、保障措施\n1.资金保障。"
    data = PrintData(issuer_marks=["无锡市人民政府文件"], title="无锡市人民政府关于推进电子政务建设的通知",
                     body_html=body_sanitize(body), signature="无锡市人民政府", written_on=date(2026, 11, 30),
                     number="锡政发〔2026〕1号", main_to=["无锡市财政局", "无锡市教育局"], attachments=["任务分工表"],
                     note="此件公开发布", sealed=True)
    pdf = Pdf(pdf_render(data, seal_data_uri=SEAL).pdf)
    assert len(pdf.pages) == 2
    assert [_text(line) for line in pdf.lines(1).values()] == [
        "二、保障措施", "1．资金保障。", "附件：任务分工表", "无锡市人民政府", "2026年11月30日", "（此件公开发布）"]
