"""``egov documents import``: existing documents into the register (issue 8, item 1)."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from egov.audit.models import AuditEvent
from egov.documents.models import Disclosure, OfficialDocument
from egov.documents.states import Status

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed"
SIMPLIFIED = SEED / "wuxi-egov-guidance-2004.zh-hans.txt"
TRADITIONAL = SEED / "wuxi-egov-guidance-2004.txt"


def run(*args, capsys) -> tuple[str, str]:
    call_command("documents", "import", *args)
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_seed_imports_with_its_elements_and_is_published(wuxi, capsys):
    out, _err = run(str(SIMPLIFIED), "--json", "--publish", capsys=capsys)
    elements = json.loads(out.strip().splitlines()[-1])
    assert (elements["document_number"], elements["date"], elements["issuer"], elements["kind"]) == (
        "锡政发〔2004〕99号", "2004-03-24", "无锡市人民政府", "通知")
    assert elements["body"].endswith("可吸收社会资金参与电子政务建设。")
    document = OfficialDocument.objects.get()
    assert (str(document.number), document.issuer, document.status, document.kind) == (
        "锡政发〔2004〕99号", wuxi.government, Status.ISSUED, "notice")
    assert document.written_on.isoformat() == "2004-03-24"
    assert document.main_to_text == "各市(县)和各区人民政府，市各委、办、局，市各直属单位"
    assert document.disclosure == Disclosure.PROACTIVE and document.published_at is not None
    assert "<p>四、电子政务建设的保障措施</p>" in document.body_html
    assert AuditEvent.objects.filter(action="documents.document.import", object_id=str(document.pk)).count() == 1


def test_traditional_seed_finds_its_issuer_in_simplified_form(wuxi, capsys):
    out, _err = run(str(TRADITIONAL), "--json", capsys=capsys)
    assert json.loads(out.strip().splitlines()[-1])["document_number"] == "錫政發〔2004〕99號"
    document = OfficialDocument.objects.get()
    assert document.issuer == wuxi.government and document.disclosure == Disclosure.UNDECIDED


def test_the_same_document_again_adds_nothing_and_with_publish_publishes_it(wuxi, capsys):
    run(str(SIMPLIFIED), capsys=capsys)
    events = AuditEvent.objects.count()
    out, _err = run(str(SIMPLIFIED), capsys=capsys)
    assert "锡政发〔2004〕99号" in out and OfficialDocument.objects.count() == 1
    assert AuditEvent.objects.count() == events
    run(str(SIMPLIFIED), "--publish", capsys=capsys)
    document = OfficialDocument.objects.get()
    assert document.disclosure == Disclosure.PROACTIVE and document.published_at is not None
    publish = AuditEvent.objects.get(action="documents.document.publish", object_id=str(document.pk))
    assert publish.actor_id is None and publish.actor_label == "egov documents import"


def test_another_document_with_a_number_held_is_refused_with_exit_2(wuxi, tmp_path, capsys):
    run(str(SIMPLIFIED), capsys=capsys)
    other = tmp_path / "other.txt"
    other.write_text("无锡市人民政府关于另一件事的通知\n锡政发〔2004〕99号\n各区人民政府：\n特此通知。\n"
                     "无锡市人民政府\n2004年5月6日\n", encoding="utf-8")
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError) as refused:
        run(str(other), capsys=capsys)
    assert refused.value.returncode == 2 and "锡政发〔2004〕99号" in str(refused.value)
    assert OfficialDocument.objects.count() == 1 and AuditEvent.objects.count() == events


def test_a_file_that_is_not_a_document_creates_nothing(wuxi, tmp_path, capsys):
    recipe = tmp_path / "recipe.txt"
    recipe.write_text("红烧肉\n五花肉500克，冰糖30克。\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        run(str(recipe), capsys=capsys)
    assert refused.value.returncode == 2 and str(refused.value).startswith(f"{recipe}: ")
    assert not OfficialDocument.objects.exists()


def test_a_folder_imports_what_it_can_and_reports_the_rest(wuxi, tmp_path, capsys):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a-seed-gbk.txt").write_bytes(SIMPLIFIED.read_text(encoding="utf-8").encode("gbk"))
    (folder / "b-recipe.txt").write_text("红烧肉\n五花肉500克。\n", encoding="utf-8")
    (folder / "c-notice.html").write_text(
        "<html><body><nav>首页</nav><p>无锡市财政局关于预算公开的通知</p><p>锡财〔2026〕5号</p>"
        "<p>各区财政局：</p><p>请做好预算公开工作。</p><p>无锡市财政局</p><p>2026年11月30日</p>"
        "<footer>版权所有</footer></body></html>", encoding="utf-8")
    (folder / "d-notes.md").write_text("ignored", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        run(str(folder), "--json", capsys=capsys)
    assert stopped.value.code == 1
    out, err = capsys.readouterr()
    assert "3/3" in err  # the progress bar reached the last file
    numbers = sorted(str(d.number) for d in OfficialDocument.objects.all())
    assert numbers == ["锡政发〔2004〕99号", "锡财〔2026〕5号"]
    assert OfficialDocument.objects.get(number_code="锡财").issuer == wuxi.finance


def test_folder_report(wuxi, tmp_path, capsys):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "recipe.txt").write_text("红烧肉\n", encoding="utf-8")
    (folder / "seed.txt").write_bytes(SIMPLIFIED.read_bytes())
    with pytest.raises(SystemExit):
        call_command("documents", "import", str(folder), "--json")
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [item["file"] for item in report["imported"]] == ["seed.txt"]
    assert [(item["file"], item["rule"]) for item in report["failed"]] == [("recipe.txt", "not_a_document")]


def test_an_imported_document_starts_no_outgoing_process(wuxi, capsys):
    from egov.workflow.models import ProcessInstance

    run(str(SIMPLIFIED), capsys=capsys)
    assert not ProcessInstance.objects.exists()


NUMBERLESS = ("无锡市人民政府关于做好防汛工作的通知\n各区人民政府：\n请做好防汛准备工作。\n"
              "无锡市人民政府\n2026年6月1日\n")


def test_a_numberless_document_imported_twice_is_one_document_published_once(wuxi, tmp_path, capsys):
    path = tmp_path / "nonumber.txt"
    path.write_text(NUMBERLESS, encoding="utf-8")
    run(str(path), "--publish", capsys=capsys)
    out, _err = run(str(path), "--publish", capsys=capsys)
    document = OfficialDocument.objects.get()  # one, not two
    assert document.number is None and document.written_on.isoformat() == "2026-06-01"
    assert f"id {document.pk}" in out
    assert AuditEvent.objects.filter(action="documents.document.publish").count() == 1
    # Another date is another document (a second notice of the same title, a year later).
    path.write_text(NUMBERLESS.replace("2026年6月1日", "2025年6月1日"), encoding="utf-8")
    run(str(path), capsys=capsys)
    assert OfficialDocument.objects.count() == 2


def _document(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_future_date_is_refused_naming_it(wuxi, tmp_path, capsys):
    path = _document(tmp_path, "future.txt", "无锡市财政局关于预算公开的通知\n锡财〔2026〕5号\n各区财政局：\n"
                                             "请做好预算公开工作。\n无锡市财政局\n2099年5月6日\n")
    with pytest.raises(CommandError) as refused:
        run(str(path), "--publish", capsys=capsys)
    assert refused.value.returncode == 2 and "2099-05-06" in str(refused.value)
    assert not OfficialDocument.objects.exists()


def test_an_impossible_date_is_named(wuxi, tmp_path, capsys):
    path = _document(tmp_path, "feb30.txt", "无锡市财政局关于预算公开的通知\n锡财〔2026〕5号\n各区财政局：\n"
                                            "请做好预算公开工作。\n无锡市财政局\n2026年2月30日\n")
    with pytest.raises(CommandError) as refused:
        run(str(path), capsys=capsys)
    assert refused.value.returncode == 2 and "2026年2月30日" in str(refused.value)


def test_a_big5_file_is_refused_as_an_unreadable_encoding(wuxi, tmp_path, capsys):
    path = tmp_path / "big5.txt"
    path.write_bytes(TRADITIONAL.read_text(encoding="utf-8").encode("big5", errors="replace"))
    with pytest.raises(CommandError) as refused:
        run(str(path), capsys=capsys)
    assert refused.value.returncode == 2 and "UTF-8" in str(refused.value)
    assert not OfficialDocument.objects.exists()


def test_a_title_over_300_characters_is_refused_as_too_long(wuxi, tmp_path, capsys):
    title = "无锡市财政局关于" + "加强" * 296 + "的通知"  # 8 + 592 + 3 = 603 characters
    path = _document(tmp_path, "long.txt",
                     f"{title}\n锡财〔2026〕5号\n各区财政局：\n请做好工作。\n无锡市财政局\n2026年3月1日\n")
    with pytest.raises(CommandError) as refused:
        run(str(path), capsys=capsys)
    assert "603" in str(refused.value) and "300" in str(refused.value)


def test_an_organization_code_that_the_number_extends_finds_the_issuer(wuxi, tmp_path, capsys):
    # 锡财 is 财政局's 机关代字; 锡财发 is not anyone's: the longest code it begins with is 锡财.
    path = _document(tmp_path, "fa.txt", "关于预算公开的通知\n锡财发〔2026〕22号\n各区财政局：\n请做好预算公开工作。\n"
                                         "2026年3月2日\n")
    run(str(path), capsys=capsys)
    document = OfficialDocument.objects.get()
    assert document.issuer == wuxi.finance and str(document.number) == "锡财发〔2026〕22号"


def test_a_code_extending_no_organization_code_is_refused(wuxi, tmp_path, capsys):
    # 锡 alone is no one's code, and one character is never taken as a prefix; 锡水 belongs to no one.
    path = _document(tmp_path, "water.txt",
                     "关于防汛的通知\n锡水发〔2026〕3号\n各区水利局：\n请做好防汛。\n2026年3月2日\n")
    with pytest.raises(CommandError) as refused:
        run(str(path), capsys=capsys)
    assert refused.value.returncode == 2 and "锡水发〔2026〕3号" in str(refused.value)


def test_an_empty_folder_is_reported_in_chinese_and_the_report_lists_the_imported(wuxi, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CommandError) as refused:
        run(str(empty), capsys=capsys)
    assert refused.value.returncode == 2 and "没有" in str(refused.value)
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SIMPLIFIED.read_bytes())
    out, _err = run(str(folder), capsys=capsys)
    assert "seed.txt" in out and "锡政发〔2004〕99号" in out
    event = AuditEvent.objects.get(action="documents.document.import")
    assert event.actor_id is None and event.actor_label == "egov documents import"


# Issue 19, item 1: one document whatever script its 发文字号 is written in. Two copies of one small
# page, written for the test: the portal's simplified page and a traditional one with full-width forms.
PAGE_SIMPLIFIED = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>无锡市人民政府关于开展政务公开检查的通知</title></head><body>
<h1>无锡市人民政府关于开展政务公开检查的通知</h1>
<p>锡政发〔2026〕12号</p>
<p>各区人民政府，市各委、办、局：</p>
<p>为推进政务公开工作，现就开展检查有关事项通知如下。</p>
<p>特此通知。</p>
<p>无锡市人民政府</p>
<p>2026年3月2日</p>
</body></html>
"""
PAGE_TRADITIONAL = """<!doctype html><html lang="zh-TW"><head><meta charset="utf-8">
<title>無錫市人民政府關於開展政務公開檢查的通知</title></head><body>
<h1>無錫市人民政府關於開展政務公開檢查的通知</h1>
<p>錫政發［２０２６］１２號</p>
<p>各區人民政府，市各委、辦、局：</p>
<p>為推進政務公開工作，現就開展檢查有關事項通知如下。</p>
<p>特此通知。</p>
<p>無錫市人民政府</p>
<p>2026年3月2日</p>
</body></html>
"""


def test_the_traditional_copy_of_an_imported_document_is_reported_as_imported_before(wuxi, tmp_path, capsys):
    run(str(_document(tmp_path, "notice.html", PAGE_SIMPLIFIED)), "--publish", capsys=capsys)
    document = OfficialDocument.objects.get()
    events = AuditEvent.objects.count()
    out, _err = run(str(_document(tmp_path, "notice-tw.html", PAGE_TRADITIONAL)), capsys=capsys)
    assert f"此前已导入：锡政发〔2026〕12号 无锡市人民政府关于开展政务公开检查的通知（id {document.pk}）" in out
    assert OfficialDocument.objects.count() == 1 and AuditEvent.objects.count() == events
    document.refresh_from_db()  # kept as first imported
    assert (str(document.number), document.title, document.number_key) == (
        "锡政发〔2026〕12号",
        "无锡市人民政府关于开展政务公开检查的通知",
        "锡政发〔2026〕12号",
    )


def test_the_simplified_copy_of_a_traditional_import_is_the_same_document_kept_as_written(wuxi, tmp_path, capsys):
    run(str(_document(tmp_path, "notice-tw.html", PAGE_TRADITIONAL)), capsys=capsys)
    document = OfficialDocument.objects.get()
    # The original form kept: the 机关代字, 號 and the title as the page wrote them; the brackets and
    # digits as GB/T 9704-2012 §7.2.4 prints them.
    assert (str(document.number), document.title, document.number_key, document.issuer) == (
        "錫政發〔2026〕12號",
        "無錫市人民政府關於開展政務公開檢查的通知",
        "锡政发〔2026〕12号",
        wuxi.government,
    )
    out, _err = run(str(_document(tmp_path, "notice.html", PAGE_SIMPLIFIED)), "--publish", capsys=capsys)
    assert f"此前已导入：錫政發〔2026〕12號 無錫市人民政府關於開展政務公開檢查的通知（id {document.pk}）" in out
    document.refresh_from_db()
    assert OfficialDocument.objects.count() == 1 and document.published_at is not None  # --publish published it


def test_another_document_holding_the_number_in_the_other_script_is_refused(wuxi, tmp_path, capsys):
    run(str(_document(tmp_path, "notice.html", PAGE_SIMPLIFIED)), capsys=capsys)
    other = PAGE_TRADITIONAL.replace("開展政務公開檢查", "做好防汛工作")
    with pytest.raises(CommandError) as refused:
        run(str(_document(tmp_path, "other-tw.html", other)), capsys=capsys)
    assert refused.value.returncode == 2 and "錫政發〔2026〕12號" in str(refused.value)
    assert OfficialDocument.objects.count() == 1


def test_a_file_over_20_mb_is_refused_in_one_line_before_it_is_read(wuxi, tmp_path, capsys):
    big = tmp_path / "big.html"
    with big.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)  # 20 MB and a byte (sparse: nothing written)
    with pytest.raises(CommandError) as refused:
        run(str(big), capsys=capsys)
    assert refused.value.returncode == 2
    assert str(refused.value) == f"{big}: 文件大小为 21 MB，导入的公文文件最大为 20 MB。"
    assert not OfficialDocument.objects.exists()


def test_a_long_list_of_dropped_lines_is_summarised(wuxi, tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text("无锡市人民政府关于做好节日值班工作的通知\n锡政发〔2026〕7号\n各区人民政府：\n请做好值班工作。\n"
                    "无锡市人民政府\n2026年1月5日\n版权所有：无锡市人民政府\n"
                    + "".join(f"其他文章第{n}篇\n" for n in range(1, 300)), encoding="utf-8")
    out, _err = run(str(page), capsys=capsys)
    # 300 lines dropped (版权所有 and the 299 after it): the count, the first 20, how many more.
    assert "丢弃了 300 行不属于公文的内容：" in out
    assert "  - 其他文章第19篇" in out and "其他文章第20篇" not in out
    assert "……另有 280 行" in out
    assert len(out.splitlines()) == 1 + 1 + 20 + 1
