"""Issue 19, item 1: pages as government sites publish them import with every element right and no
page clutter kept. The pages and their elements, worked by hand from each page, are in ``corpus/``
(``expected.json``)."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from egov.audit.models import AuditEvent
from egov.documents.models import OfficialDocument
from egov.documents.rendering import pdf_render, print_data
from egov.documents.tests.pdfcheck import Pdf
from egov.orgs.models import Organization
from egov.orgs.selectors import organization_tree

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = {name: fields for name, fields in json.loads((CORPUS / "expected.json").read_text("utf-8")).items()
            if not name.startswith("_")}


def _import(path: Path, *args: str, capsys) -> tuple[dict, str]:
    call_command("documents", "import", str(path), "--json", *args)
    out = capsys.readouterr().out
    return json.loads(out.strip().splitlines()[-1]), out


def _paragraphs(body_html: str) -> list[str]:
    return re.findall(r"<p>(.*?)</p>", body_html)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_page_imports_with_every_element_right(name, wuxi, capsys):
    expected = EXPECTED[name]
    elements, out = _import(CORPUS / name, capsys=capsys)
    paragraphs = elements["body"].split("\n")
    assert {
        "title": elements["title"], "number": elements["document_number"], "number_key": elements["number_key"],
        "signatories": elements["signatories"], "signature": elements["signature"],
        "addressees": elements["addressees"], "first": paragraphs[0], "last": paragraphs[-1],
        "paragraphs": len(paragraphs), "date": elements["date"], "kind": elements["kind"],
        "attachments": elements["attachments"], "note": elements["note"], "copy_to": elements["copy_to"],
        "printed": elements["printed"], "dropped": elements["dropped"],
    } == {key: expected.get(key, "") for key in (
        "title", "number", "number_key", "signatories", "signature", "addressees", "first", "last", "paragraphs",
        "date", "kind", "attachments", "note", "copy_to", "printed", "dropped")}
    # The register holds the same, the issuer found or recorded as outside the city.
    document = OfficialDocument.objects.get()
    assert (document.title, str(document.number), document.number_key, document.written_on) == (
        expected["title"], expected["number"], expected["number_key"],
        datetime.date.fromisoformat(expected["date"]))
    assert document.issuer.name == expected["issuer"]
    assert (document.issuer.kind == Organization.Kind.EXTERNAL) == expected["issuer_outside"]
    assert sorted(o.name for o in document.co_issuers.all()) == sorted(expected["co_issuers"])
    assert document.main_to_text == "，".join(expected["addressees"])
    assert document.copy_to_text == "，".join(expected["copy_to"])
    assert (document.signature, document.note) == (expected["signature"], expected["note"])
    stored = _paragraphs(document.body_html)
    assert (stored[0], stored[-1], len(stored)) == (expected["first"], expected["last"], expected["paragraphs"])
    # No clutter kept in any element, and what was dropped is in the command's report.
    kept = "\n".join([document.title, document.body_html, document.main_to_text, *elements["attachments"]])
    for clutter in expected["clutter"]:
        assert clutter not in kept, clutter
    if expected["dropped"]:
        assert f"丢弃了 {len(expected['dropped'])} 行" in out
        assert expected["dropped"][-1][:60] in out


def test_the_other_scripts_copy_of_a_corpus_page_is_already_imported(wuxi, capsys):
    _import(CORPUS / "wuxi-notice.html", capsys=capsys)
    document = OfficialDocument.objects.get()
    events = AuditEvent.objects.count()
    _elements, out = _import(CORPUS / "wuxi-notice-tw.html", capsys=capsys)
    assert f"此前已导入：锡政发〔2025〕8号 无锡市人民政府关于加强城市供水安全管理的通知（id {document.pk}）" in out
    assert OfficialDocument.objects.count() == 1 and AuditEvent.objects.count() == events


def test_an_outside_issuer_is_recorded_once_outside_the_tree_and_issuer_still_names_one(wuxi, client, capsys):
    _import(CORPUS / "gov-cn-notice.html", "--publish", capsys=capsys)
    _import(CORPUS / "gov-cn-notice.html", capsys=capsys)  # imported before: nothing new
    office = Organization.objects.get(name="国务院办公厅")
    assert (office.kind, office.parent, office.division, office.path) == (
        Organization.Kind.EXTERNAL, None, None, f"x{office.pk:06d}/")
    assert OfficialDocument.objects.get().issuer == office
    assert office not in organization_tree() and wuxi.government in organization_tree()
    created = AuditEvent.objects.get(action="orgs.organization.create", object_id=str(office.pk))
    assert created.actor_label == "egov documents import"
    # Published, it is listed and shown with its issuer like the city's own documents.
    document = OfficialDocument.objects.get()
    listed = client.get("/disclosure/", {"organization": office.pk})
    assert listed.status_code == 200 and [d.pk for d in listed.context["page"].object_list] == [document.pk]
    shown = client.get(f"/disclosure/{document.pk}/")
    assert shown.status_code == 200 and "国务院办公厅" in shown.content.decode()
    # A joint 署名 records its other organizations the same way, and finds the one recorded before.
    _import(CORPUS / "joint-three.html", capsys=capsys)
    assert Organization.objects.filter(kind=Organization.Kind.EXTERNAL).count() == 4
    # --issuer still decides: the customs announcement registered as the city government's.
    _import(CORPUS / "customs-announcement.html", "--issuer", "无锡市人民政府", capsys=capsys)
    assert OfficialDocument.objects.get(number_key="海关总署公告2014年第30号").issuer == wuxi.government
    assert not Organization.objects.filter(name="海关总署").exists()


STATE_COUNCIL = """<!doctype html><html><body>
<h1>{title}</h1><p>{number}</p><p>{to}</p><p>{text}</p><p>{signature}</p><p>2022年3月1日</p>
</body></html>"""


def test_the_traditional_copy_of_an_outside_document_is_the_same_document(wuxi, tmp_path, capsys):
    simplified = tmp_path / "notice.html"
    simplified.write_text(STATE_COUNCIL.format(
        title="国务院办公厅关于做好政务服务工作的通知", number="国办发〔2022〕5号", to="各省、自治区、直辖市人民政府：",
        text="现就有关事项通知如下。", signature="国务院办公厅"), encoding="utf-8")
    traditional = tmp_path / "notice-tw.html"
    traditional.write_text(STATE_COUNCIL.format(
        title="國務院辦公廳關於做好政務服務工作的通知", number="國辦發［２０２２］５號",
        to="各省、自治區、直轄市人民政府：", text="現就有關事項通知如下。", signature="國務院辦公廳"), encoding="utf-8")
    _import(simplified, capsys=capsys)
    document = OfficialDocument.objects.get()
    _elements, out = _import(traditional, capsys=capsys)
    assert f"此前已导入：国办发〔2022〕5号 国务院办公厅关于做好政务服务工作的通知（id {document.pk}）" in out
    assert OfficialDocument.objects.count() == 1
    assert Organization.objects.filter(kind=Organization.Kind.EXTERNAL).count() == 1


def test_the_attachment_note_is_kept_printed_and_shown(wuxi, client, capsys):
    """GB/T 9704-2012 §7.3.4: the 附件说明 prints "附件：" and the name under the body; the page shows it."""
    _import(CORPUS / "gov-cn-table-br-title.html", "--publish", capsys=capsys)
    document = OfficialDocument.objects.get()
    assert [(a.position, a.name, bool(a.file)) for a in document.attachments.all()] == [
        (1, "“高效办成一件事”2024年度第一批重点事项清单", False)]
    text = "".join(Pdf(pdf_render(print_data(document)).pdf).texts).replace("\n", "")
    assert "附件：“高效办成一件事”2024年度第一批重点事项清单" in text
    shown = client.get(f"/disclosure/{document.pk}/").content.decode()
    assert "<li>“高效办成一件事”2024年度第一批重点事项清单</li>" in shown
