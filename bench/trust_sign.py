"""Benchmark: one-page PDFs sealed per second at PAdES B-LT, against pyHanko alone.

    .venv/bin/python bench/trust_sign.py [--documents N]

Runs on a fresh temporary SQLite database (like ``egov smoke``): loads the demo city and CA,
then in the same process
  1. seals N one-page PDFs with ``pdf_sign_with_seal`` (B-LT: timestamp from our TSA, OCSP and
     CRLs embedded, seal appearance, verification QR code, audit and document rows written);
  2. signs the same PDF N times with pyHanko alone: the same key already in memory, no
     timestamp, no revocation data, no appearance;
  3. verifies N sealed documents with ``pdf_verify``.
Prints one JSON line: documents per second for both, their ratio, the CPU milliseconds per document
of each (this process's user + system time: SQLite runs in-process, so the database's work is
counted too), the load averages (1, 5, 15 minutes) at the start and the end, and seconds per
verification.
"""

import argparse
import io
import json
import os
import sys
import tempfile
import time

import benchlib

RUN = {"full": ["--documents", "20"], "quick": ["--documents", "3"], "issues": {"18": ["--documents", "20"]}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py)")
    args = parser.parse_args()
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="egov-bench-")
    os.environ.update(DJANGO_SETTINGS_MODULE="egov.settings", EGOV_ENV="demo", EGOV_VAR_DIR=tmp,
                      DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.pop("EGOV_CA_PASSPHRASE", None)
    import django

    django.setup()
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
    from django.core.management import call_command
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from egov.demo import demo_load
    from egov.trust.models import Seal
    from egov.trust.pdf import pdf_one_page
    from egov.trust.selectors import certificate_private_key
    from egov.trust.signing import pdf_sign_with_seal
    from egov.trust.verification import pdf_verify

    call_command("migrate", verbosity=0, stdout=io.StringIO())
    demo_load()
    seal = Seal.objects.get(organization__name="无锡市行政审批局", kind=Seal.Kind.BUSINESS)
    pdf = pdf_one_page(lines=["Benchmark licence", "No. BENCH-0001"])
    pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf)  # warm-up: decrypts and caches the keys

    load_start = os.getloadavg()
    start, cpu_start = time.perf_counter(), time.process_time()
    sealed = [pdf_sign_with_seal(actor=None, seal=seal, pdf=pdf).pdf for _ in range(args.documents)]
    ours, ours_cpu = time.perf_counter() - start, time.process_time() - cpu_start

    key = certificate_private_key(seal.certificate)
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(bytes(seal.certificate.der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8,
                                                                    NoEncryption())),
        cert_registry=None,
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.documents):
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), signers.PdfSignatureMetadata(field_name="s"),
                         signer=signer)
    baseline, baseline_cpu = time.perf_counter() - start, time.process_time() - cpu_start

    start = time.perf_counter()
    assert all(pdf_verify(pdf=document).valid for document in sealed)
    verify = time.perf_counter() - start

    result = {
        "documents": args.documents,
        "b_lt_per_second": round(args.documents / ours, 2),
        "pyhanko_plain_per_second": round(args.documents / baseline, 2),
        "ratio": round(baseline / ours, 3),
        "b_lt_cpu_ms_per_document": round(1000 * ours_cpu / args.documents, 1),
        "pyhanko_plain_cpu_ms_per_document": round(1000 * baseline_cpu / args.documents, 1),
        "cpu_ratio": round(baseline_cpu / ours_cpu, 3),
        "verify_seconds_per_document": round(verify / args.documents, 4),
        "load_average_start": [round(v, 2) for v in load_start],
        "load_average_end": [round(v, 2) for v in os.getloadavg()],
        "python": sys.version.split()[0],
    }
    print(json.dumps(result))
    n = args.documents
    benchlib.write_json(args.json, benchlib.result(
        title="sealing PDFs at PAdES B-LT", started=started, load_start=result["load_average_start"],
        baseline="pyHanko alone signing the same one-page PDF with the same key in memory (no timestamp, no "
                 "revocation data, no appearance), same process; CPU: this process (SQLite in it)",
        figures=[
            benchlib.figure("sealed at B-LT (`pdf_sign_with_seal`)", result["b_lt_per_second"], "documents/s",
                            ratio=result["ratio"], cpu_ms=result["b_lt_cpu_ms_per_document"],
                            baseline_cpu_ms=result["pyhanko_plain_cpu_ms_per_document"], target="≥ 0.5×",
                            note=f"CPU ratio {result['cpu_ratio']:.2f}; {n} documents"),
            benchlib.figure("pyHanko alone (baseline)", result["pyhanko_plain_per_second"], "documents/s", ratio=1.0,
                            cpu_ms=result["pyhanko_plain_cpu_ms_per_document"]),
            benchlib.figure("verification (`pdf_verify`)", round(1000 * result["verify_seconds_per_document"], 1),
                            "ms/document"),
        ], details=result))


if __name__ == "__main__":
    main()
