"""Benchmark: GB/T 9704 PDF rendering per page (ms), for documents of 1, 5 and 20 pages.

    .venv/bin/python bench/documents_pdf.py [--repeat N]

Renders a 通知 of the municipal government (版头, 发文字号, title, 主送, a body with heading levels,
附件说明, 署名, 成文日期, 附注, 版记) with ``documents.rendering.pdf_render`` — WeasyPrint layout,
font subsetting and PDF writing, no database — sizing the body so that the document has exactly
1, 5 and 20 pages. Each size is rendered N times (default 5) after one warm-up; prints one JSON
line with the median milliseconds per document and per page for each size, wall clock and CPU
time of this process (the CPU figure is the one to compare on a loaded machine).
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date

import benchlib

RUN = {"full": ["--repeat", "10"], "quick": ["--repeat", "1"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write the runner's result there (bench/benchlib.py)")
    args = parser.parse_args()
    started, load_start = time.time(), benchlib.load_average()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ.setdefault("EGOV_ENV", "test")
    import django

    django.setup()
    from egov.documents.body import body_sanitize
    from egov.documents.rendering import PrintData, pdf_render

    paragraph = "为进一步推进电子政务建设，提高行政效能，根据国家和省有关规定，结合我市实际，现就有关事项通知如下。" * 2

    def data(paragraphs: int, pages: int) -> PrintData:
        # A 版记 sits on an even page, so documents of an odd page count have none; a one-page 通知 has
        # no 附件 or 附注 either (they would not fit under the 版头).
        full, imprint = pages > 1, pages % 2 == 0
        body = "一、总体要求\n（一）加强领导。各部门要高度重视。\n1.资金保障。\n" + "\n".join([paragraph] * paragraphs)
        return PrintData(
            issuer_marks=["无锡市人民政府文件"], title="无锡市人民政府关于推进电子政务建设的通知",
            body_html=body_sanitize(body), signature="无锡市人民政府", written_on=date(2026, 11, 30),
            number="锡政发〔2026〕1号", main_to=["无锡市财政局", "无锡市教育局", "无锡市数据局"],
            attachments=["任务分工表"] if full else [], note="此件公开发布" if full else "",
            copy_to=["无锡市发展和改革委员会"] if imprint else [],
            printer="无锡市人民政府办公室" if imprint else "", printed_on=date(2026, 12, 1) if imprint else None,
        )

    def sized(pages: int) -> PrintData:
        """The document whose body has the fewest paragraphs that give ``pages`` pages (bisection:
        the page count never falls as paragraphs are added)."""
        low, high = 0, 8 * pages
        while low < high:
            middle = (low + high) // 2
            if pdf_render(data(middle, pages)).pages >= pages:
                high = middle
            else:
                low = middle + 1
        candidate = data(low, pages)
        if pdf_render(candidate).pages != pages:
            raise SystemExit(f"no body length gives exactly {pages} pages")
        return candidate

    results = {}
    for pages in (1, 5, 20):
        document = sized(pages)
        pdf_render(document)  # warm-up: fonts loaded, caches filled
        times, cpu_times = [], []
        for _ in range(args.repeat):
            start, cpu_start = time.perf_counter(), time.process_time()
            rendered = pdf_render(document)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu_start) * 1000)
        assert rendered.pages == pages
        median = statistics.median(times)
        results[f"{pages}_pages"] = {"ms_per_document": round(median, 1), "ms_per_page": round(median / pages, 1),
                                     "cpu_ms_per_document": round(statistics.median(cpu_times), 1),
                                     "pdf_bytes": len(rendered.pdf)}
    print(json.dumps({"repeat": args.repeat, "python": sys.version.split()[0], **results}, ensure_ascii=False))
    benchlib.write_json(args.json, benchlib.result(
        title="GB/T 9704 PDF rendering", started=started, load_start=load_start,
        baseline="none named by an issue; CPU ms per document: this process, no database",
        figures=[benchlib.figure(f"{pages}-page 通知, per page", results[f"{pages}_pages"]["ms_per_page"], "ms",
                                 cpu_ms=results[f"{pages}_pages"]["cpu_ms_per_document"],
                                 note=f"median of {args.repeat}; {results[f'{pages}_pages']['ms_per_document']} ms "
                                      f"per document, {results[f'{pages}_pages']['pdf_bytes'] // 1024} KB")
                 for pages in (1, 5, 20)],
        details=results))


if __name__ == "__main__":
    main()
