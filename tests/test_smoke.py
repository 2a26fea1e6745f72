"""``egov smoke`` as a user runs it: its standard output is exactly one JSON line (the e-mails the
console backend prints and any logs go to standard error), and every organization that owns
service items took one application in to 受理 with its own intake clerk (issue 12, item 5)."""

import json
import os
import subprocess
import sys

from egov.demo import DEMO_CITY


def test_smoke_prints_one_json_line_and_every_item_owner_accepts_a_case(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "EGOV_ENV")}
    completed = subprocess.run([sys.executable, "-m", "egov.cli", "smoke", "--keep", str(tmp_path / "smoke")],
                               capture_output=True, text=True, env=env, timeout=1500)
    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = completed.stdout.splitlines()
    assert len(lines) == 1, completed.stdout[:2000]
    results = json.loads(lines[0])
    # The e-mails of the notifications went to standard error.
    assert "Content-Type: text/plain" in completed.stderr
    city = json.loads(DEMO_CITY.read_text(encoding="utf-8"))
    name_of = {org["key"]: org["name"] for org in city["organizations"]}
    catalogue = json.loads((DEMO_CITY.parent / "demo_catalog.json").read_text(encoding="utf-8"))
    owners = {name_of[item["organization"]] for item in catalogue["items"]}
    cases = results["services_every_organization"]["cases"]
    assert set(cases) == owners and len(owners) == 14
    assert {case["status"] for case in cases.values()} == {"accepted"}
    assert cases["无锡市公安局"]["clerk"] == "gajintake"
    assert cases["无锡市行政审批局"]["clerk"] == "clerk"
    # The exchange (issue 14): a record fetched through two node processes, granted items only, and
    # the provider's archived log proven offline (request and response of the lookup and of one
    # subscription delivery, under fewer timestamps than rows); issue 20: the change delivered once.
    exchange = results["exchange"]
    assert exchange["fields_received"] == exchange["granted"] == ["id_number", "name"]
    assert exchange["provider_log_rows"] == exchange["consumer_log_rows"] == exchange["archive_rows"] == 4
    assert 1 <= exchange["timestamp_tokens"] <= 2 and exchange["archive_valid"] is True
    assert exchange["subscription"] == {"delivered": 1, "dead": 0, "received": 1}
    # The sanction check at 受理 (issue 16 item 5): an enterprise published on the 严重失信主体名单 after its
    # objection window, and the warning its application gave the clerk.
    credit = results["credit_intake"]
    assert credit["credit_listed"] is True and credit["credit_intake_warning"] is True
    assert credit["warning"]["list"] == "严重失信主体名单" and credit["steps"][-2:] == ["credit_decision", "accept"]
    # Credit reports (issue 16): the listed enterprise's report sealed by the credit office and verified; the
    # batch check finds it on a black list and reports the line that is not a code.
    # Who read my data (issue 20): the once-only application's two reads are listed for the enterprise.
    reads = results["registries_once_only"]["data_reads"]
    assert reads["listed"] == 2 and reads["case"] == results["registries_once_only"]["application"]["case"]
    assert reads["organizations"] == ["无锡市市场监督管理局"]
    report = results["credit_report"]
    assert report["credit_report_verified"] is True and report["seal"] == "无锡市发展和改革委员会"
    assert report["subject"] == credit["credit_subject"] == "91320214MA1XK7P2QC"
    assert report["batch_black"] == ["91320214MA1XK7P2QC"] and report["batch_rejected_lines"] == [3]
