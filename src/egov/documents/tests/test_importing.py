"""Import of existing documents: expected values read off the documents themselves."""

import datetime
from pathlib import Path

import pytest

from egov.core.errors import ValidationFailed
from egov.documents.importing import date_parse, document_number_find, document_parse

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed"
SIMPLIFIED = (SEED / "wuxi-egov-guidance-2004.zh-hans.txt").read_bytes()
TRADITIONAL = (SEED / "wuxi-egov-guidance-2004.txt").read_bytes()


def test_seed_simplified_elements():
    doc = document_parse(SIMPLIFIED)
    assert doc.document_number == "锡政发〔2004〕99号"
    assert doc.date == datetime.date(2004, 3, 24)
    assert doc.title == "市政府关于印发《无锡市电子政务建设指导意见》的通知"
    assert doc.kind == "通知"
    assert doc.issuer == "无锡市人民政府"
    assert doc.addressees == ["各市(县)和各区人民政府", "市各委、办、局", "市各直属单位"]


def test_seed_simplified_full_body():
    body = document_parse(SIMPLIFIED).body
    first_lines = "现将《无锡市电子政务建设指导意见》印发给你们,请认真贯彻执行。\n无锡市电子政务建设指导意见\n"
    assert body.startswith(first_lines)
    assert body.endswith("可吸收社会资金参与电子政务建设。")
    for heading in ("一、电子政务建设的指导思想和原则", "二、电子政务建设的主要目标和主要任务",
                    "三、电子政务建设的实施步骤", "四、电子政务建设的保障措施"):
        assert f"\n{heading}" in body
    # The line the web copy wrapped after "通用软件开发、" is joined back into its paragraph.
    assert "如对通用软件开发、政务网络平台建设等方面的经费" in body
    # The signature line is not body text; the page title above the document is dropped.
    assert "二 OO 四年三月二十四日" not in body
    assert not body.startswith("无锡市电子政务建设指导意见")


def test_seed_traditional_elements():
    doc = document_parse(TRADITIONAL)
    assert doc.document_number == "錫政發〔2004〕99號"
    assert doc.date == datetime.date(2004, 3, 24)
    assert doc.kind == "通知"
    assert doc.issuer == "無錫市人民政府"
    assert doc.body.endswith("可吸收社會資金參與電子政務建設。")


def test_heading_levels():
    blocks = dict((text[:8], level) for level, text in document_parse(SIMPLIFIED).blocks)
    assert blocks["一、电子政务建设"] == 1
    assert blocks["(一)办好《中国"] == 2
    assert blocks["现将《无锡市电子"] == 0


@pytest.mark.parametrize("text, expected", [
    ("锡政发[2004]99 号", "锡政发〔2004〕99号"),
    ("锡政发〔2004〕99号", "锡政发〔2004〕99号"),
    ("锡政办发［2026］ 第 7 号", "锡政办发〔2026〕7号"),
    ("锡政发（2026）012号", "锡政发〔2026〕12号"),
    ("国办发【2019】51号", "国办发〔2019〕51号"),
    ("錫政發[2004]99 號", "錫政發〔2004〕99號"),
    ("发文字号：锡政发〔2026〕3号", "锡政发〔2026〕3号"),
    ("锡政发〔２００４〕９９号", "锡政发〔2004〕99号"),  # full-width digits, as a Chinese input method types them
    ("没有文号的一行", None),
    # Issue 19: 令 and announcement numbers, a label without its colon, zero-width characters, a
    # Cyrillic О typed for a zero in the year.
    ("国务院令第638号", "国务院令第638号"),
    ("发文字号：省政府令第282号", "省政府令第282号"),
    ("海关总署公告2014年第30号（关于进出境邮递物品申报有关事项的公告）", "海关总署公告2014年第30号"),
    ("发文字号国办发〔2022〕5号", "国办发〔2022〕5号"),
    ("文号：苏政办发〔2023〕45号", "苏政办发〔2023〕45号"),
    ("发改高技\u200b〔2021〕7\u200c89号", "发改高技〔2021〕789号"),
    ("国办发〔2О22〕5号", "国办发〔2022〕5号"),
])
def test_document_number_find(text, expected):
    found = document_number_find(text)
    assert (str(found) if found else None) == expected


@pytest.mark.parametrize("text, expected", [
    ("二〇〇四年三月二十四日", datetime.date(2004, 3, 24)),
    ("二 OO 四年三月二十四日", datetime.date(2004, 3, 24)),
    ("二零二六年十一月三十日", datetime.date(2026, 11, 30)),
    ("二〇二六年十月一日", datetime.date(2026, 10, 1)),
    ("二〇二六年十二月十日", datetime.date(2026, 12, 10)),
    ("2026年1月31日", datetime.date(2026, 1, 31)),
    ("二〇二六年二月三十日", None),  # 30 February does not exist
    ("二\u041e二三年五月十日", datetime.date(2023, 5, 10)),  # a Cyrillic О for 〇
    ("二\u039f二三年五月十日", datetime.date(2023, 5, 10)),  # a Greek Ο
    ("２０２３年５月１０日", datetime.date(2023, 5, 10)),
    ("三月", None),
])
def test_date_parse(text, expected):
    found = date_parse(text)
    assert (found[0] if found else None) == expected


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>无锡市人民政府门户网站</title>
<script>var tracker = "市政府关于假的通知";</script></head><body>
<header><a href="/">首页</a> <a href="/zwgk">政务公开</a></header>
<nav>当前位置：首页 &gt; 政务公开 &gt; 政府文件</nav>
<div class="meta">发布时间：2026-11-30 浏览次数：1024</div>
<div class="article">
<p>无锡市人民政府关于加强数据共享工作的意见</p>
<p>锡政发〔2026〕12号</p>
<p>各市（县）、区人民政府，市各委办局，市各直属单位：</p>
<p>为推进政务数据共享，提出如下意见。</p>
<p>一、总体要求</p>
<p>（一）坚持统一标准。各部门要按照目录编制数据资源。</p>
<p>1．编制目录。</p>
<p>附件：政务数据共享责任清单</p>
<p>无锡市人民政府</p>
<p>2026年11月30日</p>
</div>
<div class="related"><p>推荐阅读</p><p>市政府关于另一件事的通知</p></div>
<footer>版权所有：无锡市人民政府办公室 苏ICP备00000000号</footer>
</body></html>"""


def test_html_page_clutter_dropped():
    doc = document_parse(PAGE.encode())
    assert doc.title == "无锡市人民政府关于加强数据共享工作的意见"
    assert doc.kind == "意见"
    assert doc.document_number == "锡政发〔2026〕12号"
    assert doc.issuer == "无锡市人民政府"
    assert doc.date == datetime.date(2026, 11, 30)
    assert doc.addressees == ["各市（县）、区人民政府", "市各委办局", "市各直属单位"]
    assert doc.attachments == ["附件：政务数据共享责任清单"]
    assert doc.blocks == [(0, "为推进政务数据共享，提出如下意见。"), (1, "一、总体要求"),
                          (2, "（一）坚持统一标准。各部门要按照目录编制数据资源。"), (3, "1．编制目录。")]
    for clutter in ("推荐阅读", "另一件事", "版权所有", "首页", "浏览次数", "假的通知"):
        assert clutter not in doc.body


def test_gbk_and_bom_are_read():
    gbk = SIMPLIFIED.decode("utf-8").encode("gbk")
    assert document_parse(gbk).document_number == "锡政发〔2004〕99号"
    bom = b"\xef\xbb\xbf" + SIMPLIFIED
    assert document_parse(bom).title == "市政府关于印发《无锡市电子政务建设指导意见》的通知"
    utf16 = SIMPLIFIED.decode("utf-8").encode("utf-16")
    assert document_parse(utf16).date == datetime.date(2004, 3, 24)


@pytest.mark.parametrize("data", [
    "今天天气很好，我们去太湖边散步。\n晚上吃了小笼包。".encode(),
    "<html><body><p>菜谱：红烧肉</p><p>五花肉500克</p></body></html>".encode(),
    b"",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\xfd",
])
def test_not_a_government_document(data):
    with pytest.raises(ValidationFailed) as caught:
        document_parse(data)
    assert caught.value.extra["rule"] in {"not_a_document", "encoding"}


def _page(body: str) -> bytes:
    return f"<!doctype html><html><body>{body}</body></html>".encode()


def test_a_first_sentence_ending_in_a_colon_is_not_the_main_recipients_unless_it_names_them():
    doc = document_parse(_page("<h1>无锡市人民政府关于表彰先进集体的决定</h1><p>锡政发〔2024〕9号</p>"
                               "<p>为表彰先进，市政府决定：</p><p>对10个单位予以表彰。</p>"
                               "<p>无锡市人民政府</p><p>2024年2月18日</p>"))
    assert doc.addressees == [] and doc.blocks[0] == (0, "为表彰先进，市政府决定：")
    doc = document_parse(_page("<h1>无锡市人民政府关于表彰先进集体的决定</h1><p>锡政发〔2024〕9号</p>"
                               "<p>各区人民政府，市各委、办、局，各有关单位：</p><p>对10个单位予以表彰。</p>"
                               "<p>无锡市人民政府</p><p>2024年2月18日</p>"))
    assert doc.addressees == ["各区人民政府", "市各委、办、局", "各有关单位"]


def test_a_title_broken_in_its_heading_is_one_title_and_a_status_tag_is_not_kept():
    doc = document_parse(_page("<h1>国务院关于进一步加强<br>政务公开工作的意见【有效】</h1><p>国发〔2024〕1号</p>"
                               "<p>各省、自治区、直辖市人民政府：</p><p>现提出以下意见。</p>"
                               "<p>国务院</p><p>2024年1月5日</p>"))
    assert (doc.title, doc.kind, doc.issuer) == ("国务院关于进一步加强政务公开工作的意见", "意见", "国务院")


def test_a_joint_signature_on_one_line_names_each_organization():
    doc = document_parse(_page("<h1>财政部 税务总局关于延续实施有关税收政策的公告</h1>"
                               "<p>财政部 税务总局公告2023年第1号</p>"
                               "<p>现将有关政策公告如下：</p><p>一、政策延续至2027年底。</p>"
                               "<p>财政部　税务总局</p><p>2023年1月9日</p>"))
    assert (doc.document_number, doc.signatories, doc.addressees) == (
        "财政部税务总局公告2023年第1号", ["财政部", "税务总局"], [])
    assert doc.body == "现将有关政策公告如下：\n一、政策延续至2027年底。"


def test_a_body_that_cites_an_order_number_has_no_number_of_its_own():
    doc = document_parse(_page("<h1>无锡市人民政府关于做好防汛工作的通知</h1><p>各区人民政府：</p>"
                               "<p>根据《中华人民共和国防汛条例》（国务院令第86号），现就有关事项通知如下。</p>"
                               "<p>无锡市人民政府</p><p>2024年6月1日</p>"))
    assert doc.document_number == "" and doc.date == datetime.date(2024, 6, 1)


def test_the_text_a_notice_issues_stays_after_the_signature_and_what_follows_it_is_dropped():
    # The title names the issued text without 《》; a list of links with dates follows it.
    doc = document_parse(_page("<h1>市政府关于印发无锡市数据管理办法的通知</h1><p>锡政发〔2024〕4号</p>"
                               "<p>各区人民政府：</p><p>现将该办法印发给你们，请遵照执行。</p>"
                               "<p>无锡市人民政府</p><p>2024年1月15日</p>"
                               "<p>无锡市数据管理办法</p><p>第一条 为了加强数据管理，制定本办法。</p>"
                               "<p>市政府召开常务会议 2024-01-20</p><p>市长主持召开专题会议。</p>"))
    assert doc.body.split("\n") == ["现将该办法印发给你们，请遵照执行。", "无锡市数据管理办法",
                                    "第一条 为了加强数据管理，制定本办法。"]
    assert doc.dropped == ["市政府召开常务会议 2024-01-20", "市长主持召开专题会议。"]


def test_the_title_again_in_a_list_of_links_after_a_short_text_is_not_its_heading():
    doc = document_parse(_page("<h1>无锡市人民政府关于做好防汛工作的通知</h1><p>锡政发〔2024〕5号</p>"
                               "<p>各区人民政府：</p><p>入汛在即，请各区切实做好防汛准备工作，落实防汛责任，加强巡查值守，"
                               "及时排除隐患，确保安全度汛，保障人民群众生命财产安全。</p>"
                               "<p>无锡市人民政府</p><p>2024年6月1日</p>"
                               "<p>相关文件</p><p>无锡市人民政府关于做好防汛工作的通知</p>"))
    assert (doc.document_number, doc.addressees, doc.date) == ("锡政发〔2024〕5号", ["各区人民政府"],
                                                            datetime.date(2024, 6, 1))
    assert doc.dropped == ["相关文件", "无锡市人民政府关于做好防汛工作的通知"]


def test_an_attached_text_listed_in_the_attachment_note_stays_after_the_signature():
    doc = document_parse(_page("<h1>无锡市财政局关于报送预算的通知</h1><p>锡财〔2024〕2号</p><p>各区财政局：</p>"
                               "<p>请按附件格式报送。</p><p>附件：1．预算报送表</p><p>2．填报说明</p>"
                               "<p>无锡市财政局</p><p>2024年1月5日</p><p>填报说明</p><p>一、按月填报。</p>"
                               "<p>推荐</p><p>无锡市财政局关于另一件事的通知</p>"))
    assert doc.attachments == ["附件：1．预算报送表", "2．填报说明"]
    assert doc.body.split("\n") == ["请按附件格式报送。", "填报说明", "一、按月填报。"]
    assert doc.dropped == ["推荐", "无锡市财政局关于另一件事的通知"]


def test_a_metadata_tables_written_date_stands_when_the_text_has_none_and_its_publication_date_never():
    # 中国政府网's table: 成文日期 2024-01-12, 发布日期 2024-01-17 (the page's, not the document's).
    page = ("<table><tr><td>索引号：</td><td>000014349/2024-00005</td></tr>"
            "<tr><td>发文机关：</td><td>国务院办公厅</td><td>成文日期：</td><td>２０２４年０１月１２日</td></tr>"
            "<tr><td>标　　题：</td><td>国务院办公厅关于做好春节假期值班工作的通知</td></tr>"
            "<tr><td>发文字号：</td><td>国办发明电〔２０２４〕１号</td><td>发布日期：</td><td>2024年01月17日</td></tr></table>"
            "<p><strong>国务院办公厅关于做好<br>春节假期值班工作的通知</strong></p>"
            "<p>各省、自治区、直辖市人民政府：</p><p>　　春节假期期间，各地区要安排好值班。</p>")
    doc = document_parse(page.encode())
    assert doc.title == "国务院办公厅关于做好春节假期值班工作的通知"
    assert doc.document_number == "国办发明电〔2024〕1号"
    assert doc.date == datetime.date(2024, 1, 12)
    assert doc.addressees == ["各省、自治区、直辖市人民政府"]
    assert doc.body == "春节假期期间，各地区要安排好值班。"
