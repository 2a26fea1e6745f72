"""Every zh_Hans catalogue of the project: a msgstr uses the %(name)s placeholders of its msgid.

A msgstr copied from a neighbouring entry (a seal refusal that read "此操作需要%(organization)s的
“%(role)s”角色。") names placeholders its msgid does not fill: Django then raises KeyError at the
``%`` or shows a sentence about something else. msgfmt only checks entries flagged python-format.
"""

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _entries(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, msgid, msgstrs) of each entry of a .po file; obsolete (#~) entries left out."""
    entries, current, key, line_of = [], None, None, 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if match:
            key = match.group(1)
            if key in ("msgctxt", "msgid") and (current is None or "msgstr" in " ".join(current)):
                if current is not None:
                    entries.append((line_of, current))
                current, line_of = {}, number
            current[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key is not None and current is not None:
            current[key] += ast.literal_eval(line)
        elif not line or line.startswith("#"):
            key = None
    if current is not None:
        entries.append((line_of, current))
    # a plural entry's msgstr follows its plural msgid (zh_Hans has one form)
    return [(n, e.get("msgid_plural", e.get("msgid", "")), [v for k, v in e.items() if k.startswith("msgstr")])
            for n, e in entries if e.get("msgid")]


def test_the_parser_reads_entries():
    sample = Path(__file__).parent / "_sample.po"
    sample.write_text('msgid ""\nmsgstr "x"\n\n#, python-format\nmsgid "a %(b)s"\nmsgstr ""\n"甲 %(b)s"\n',
                      encoding="utf-8")
    try:
        assert _entries(sample) == [(5, "a %(b)s", ["甲 %(b)s"])]
    finally:
        sample.unlink()


def test_every_zh_hans_msgstr_has_the_placeholders_of_its_msgid():
    catalogues = sorted(SRC.glob("egov/**/locale/zh_Hans/LC_MESSAGES/*.po"))
    assert len(catalogues) > 5
    wrong = []
    for path in catalogues:
        for line, msgid, msgstrs in _entries(path):
            expected = set(_PLACEHOLDER.findall(msgid))
            for msgstr in msgstrs:
                if msgstr and set(_PLACEHOLDER.findall(msgstr)) != expected:
                    wrong.append(f"{path.relative_to(SRC)}:{line}: {msgid!r} → {msgstr!r}")
    assert wrong == []
