"""Benchmark: full-text search of published documents (``documents.selectors.document_search``).

    .venv/bin/python bench/documents_search.py --database postgres://postgres@127.0.0.1:5432/egov_bench_search
    .venv/bin/python bench/documents_search.py --database sqlite

Creates the database (a PostgreSQL one is created and dropped again; SQLite in a temporary
directory), migrates it, and inserts N published documents (bulk, not timed) whose titles and
bodies are sentences of the seed document (锡政发〔2004〕99号) drawn at random, each sentence cut by
jieba once. Then times each query (median of ``--repeat`` runs, first page of 20 hits, count
included). Prints one JSON line.
"""

import argparse
import datetime
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUERIES = ["电子政务", "政务公开 规划", "信息资源 共享", "网上审批", "不存在的词语组合"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="sqlite", help="sqlite, or a postgres:// URL of a database to create")
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="egov-bench-"))
    url = f"sqlite:///{work / 'bench.sqlite3'}" if args.database == "sqlite" else args.database
    os.environ.update({"DJANGO_SETTINGS_MODULE": "egov.settings", "EGOV_ENV": "demo", "EGOV_VAR_DIR": str(work),
                       "DATABASE_URL": url})
    if url.startswith("postgres"):
        import psycopg

        admin, name = url.rsplit("/", 1)
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        print(json.dumps(_run(args), ensure_ascii=False))
    finally:
        if url.startswith("postgres") and not args.keep:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{admin}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _run(args) -> dict:
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    from egov.documents.models import OfficialDocument
    from egov.documents.search import segment
    from egov.documents.selectors import document_search
    from egov.orgs.actions import organization_create

    seed = Path(__file__).resolve().parents[1] / "src" / "egov" / "fixtures" / "seed"
    text = (seed / "wuxi-egov-guidance-2004.zh-hans.txt").read_text(encoding="utf-8")
    sentences = [s for s in re.split(r"(?<=[。；])", text.replace("\n", "")) if len(s) >= 8]
    cut = [(s, segment(s).strip()) for s in sentences]
    issuer = organization_create(actor=None, name="无锡市人民政府", kind="government", division_code="320200",
                                 doc_code="锡政发")
    rng = random.Random(2004)
    now = timezone.now()
    batch = []
    for index in range(args.documents):
        title = rng.choice(cut)
        body = [rng.choice(cut) for _ in range(rng.randint(3, 12))]
        batch.append(OfficialDocument(
            issuer=issuer, kind="notice", direction="downward", status="issued", classification="public",
            disclosure="proactive", published_at=now, title=title[0][:300], body_html="".join(
                f"<p>{s}</p>" for s, _words in body),
            written_on=datetime.date(2004, 1, 1) + datetime.timedelta(days=index % 7000),
            search_title=f" {title[1]} ", search_body=f" {' '.join(words for _s, words in body)} "))
        if len(batch) == 2000:
            OfficialDocument.objects.bulk_create(batch)
            batch = []
    OfficialDocument.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE documents_officialdocument")
    figures = {}
    for query in QUERIES:
        timings, total = [], 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            total = document_search(query, public=True, limit=20).total
            timings.append((time.perf_counter() - start) * 1000)
        figures[query] = {"hits": total, "ms": round(statistics.median(timings), 1)}
    return {"database": connection.vendor, "documents": args.documents, "python": sys.version.split()[0],
            "queries": figures}


if __name__ == "__main__":
    main()
