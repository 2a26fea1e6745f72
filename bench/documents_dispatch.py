"""Benchmark: a document dispatched to 50 organizations and signed for by all, end to end (seconds).

    .venv/bin/python bench/documents_dispatch.py [--organizations 50]

On a fresh SQLite database in a temporary directory (migrations and the platform CA set up first,
not timed): the municipal government's 通知 to N departments (主送) goes 拟稿 → 核稿 → 签发 → 复核 →
登记 → 印制 (GB/T 9704 PDF) → 用印 (PAdES B-LT e-seal) → 核发, each step through its documents
action and its BPMN task; then each department's document clerk signs for it (签收, which opens its
收文 record). Prints one JSON line: seconds for the outgoing steps, for 核发, for the N 签收, and
the total.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import benchlib

RUN = {"full": ["--organizations", "50"], "quick": ["--organizations", "5"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organizations", type=int, default=50)
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py)")
    args = parser.parse_args()
    started, load_start = time.time(), benchlib.load_average()
    work = Path(tempfile.mkdtemp(prefix="egov-bench-"))
    os.environ.update({"DJANGO_SETTINGS_MODULE": "egov.settings", "EGOV_ENV": "demo", "EGOV_VAR_DIR": str(work),
                       "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}"})
    os.environ.setdefault("EGOV_CA_PASSPHRASE", "bench-ca-passphrase-2026")
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    from egov.accounts.actions import staff_user_create
    from egov.documents.actions import (
        document_draft,
        document_number_allocate,
        document_print,
        document_receive,
        document_seal,
        document_sign_off,
        document_transition,
    )
    from egov.documents.flow import document_dispatch
    from egov.orgs.actions import organization_create
    from egov.orgs.roles import Role
    from egov.trust.actions import ca_init, seal_create, seal_grant
    from egov.workflow.actions import process_definitions_install_shipped

    password = "bench-password-2026"
    process_definitions_install_shipped()
    ca_init(actor=None)
    government = organization_create(actor=None, name="无锡市人民政府", kind="government", division_code="320200",
                                     doc_code="锡政发")
    seal = seal_create(actor=None, organization=government, kind="official")
    seal_grant(actor=None, seal=seal, role=Role.DOCUMENT_CLERK)

    def person(username, organization, role):
        return staff_user_create(actor=None, username=username, name=username, password=password,
                                 organization=organization, roles=[role])

    clerk, reviewer, leader = (person("clerk", government, Role.DOCUMENT_CLERK),
                               person("reviewer", government, Role.REVIEWER), person("leader", government,
                                                                                     Role.APPROVER))
    departments, clerks = [], []
    for n in range(args.organizations):
        department = organization_create(actor=None, name=f"无锡市第{n + 1}局", kind="department",
                                         division_code="320200", parent=government, doc_code=f"锡{n + 1}")
        departments.append(department)
        clerks.append(person(f"clerk{n + 1}", department, Role.DOCUMENT_CLERK))

    start, cpu_start = time.perf_counter(), time.process_time()
    document = document_draft(actor=clerk, issuer=government, kind="notice", body="一、总体要求\n各部门要高度重视。",
                              title="无锡市人民政府关于推进电子政务建设的通知", main_to=departments,
                              disclosure="proactive")
    document_transition(actor=clerk, document=document, to="reviewing")
    document_transition(actor=reviewer, document=document, to="signing")
    document_sign_off(actor=leader, document=document, mfa_verified=True)
    document_transition(actor=clerk, document=document, to="registering")
    document = document_number_allocate(document=document, actor=clerk)
    document = document_print(document=document, actor=clerk)
    document = document_seal(document=document, actor=clerk, seal=seal)
    outgoing = time.perf_counter()
    document = document_dispatch(actor=clerk, document=document)
    dispatched, cpu_dispatched = time.perf_counter(), time.process_time()
    for department_clerk in clerks:
        document_receive(document=document, actor=department_clerk)
    received = time.perf_counter()
    signed = document.recipients.filter(received_at__isnull=False).count()
    if signed != args.organizations:
        sys.exit(f"only {signed} of {args.organizations} signed for")
    cpu_sign_for = time.process_time() - cpu_dispatched
    result = {"organizations": args.organizations, "outgoing_s": round(outgoing - start, 2),
              "dispatch_s": round(dispatched - outgoing, 2), "sign_for_all_s": round(received - dispatched, 2),
              "sign_for_each_ms": round((received - dispatched) * 1000 / args.organizations, 1),
              "end_to_end_s": round(received - start, 2), "cpu_s": round(time.process_time() - cpu_start, 2)}
    print(json.dumps(result))
    n = args.organizations
    benchlib.write_json(args.json, benchlib.result(
        title=f"one document dispatched to {n} organizations, signed for by all", started=started,
        load_start=load_start, baseline="none named by an issue; CPU: this process (SQLite in it)",
        figures=[
            benchlib.figure("outgoing steps 拟稿 … 用印 (PDF and B-LT seal included)", result["outgoing_s"], "s"),
            benchlib.figure(f"核发 to {n} organizations", result["dispatch_s"], "s"),
            benchlib.figure("签收, each organization", result["sign_for_each_ms"], "ms",
                            cpu_ms=round(1000 * cpu_sign_for / n, 1)),
            benchlib.figure("end to end", result["end_to_end_s"], "s", cpu_ms=round(1000 * result["cpu_s"], 0)),
        ], details=result))


if __name__ == "__main__":
    main()
