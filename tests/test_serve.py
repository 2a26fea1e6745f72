"""``egov serve``: gunicorn reads request lines up to 8,190 bytes (tester 8, finding 9), its maximum."""

import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from egov.management.commands.serve import LIMIT_REQUEST_LINE, gunicorn_argv

ROOT = Path(__file__).resolve().parents[1]


def test_the_command_line_raises_the_request_line_limit_to_gunicorns_maximum():
    argv = gunicorn_argv(host="127.0.0.1", port=8000, workers=2, threads=1)
    assert argv[argv.index("--limit-request-line") + 1] == "8190" and LIMIT_REQUEST_LINE == 8190


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db
def test_a_search_url_of_up_to_8190_bytes_gets_the_page_and_a_longer_one_414(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = connection.settings_dict
    env = {**os.environ, "EGOV_ENV": "test", "EGOV_SITE": "public", "EGOV_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"}
    server = subprocess.Popen(gunicorn_argv(host="127.0.0.1", port=port, workers=1, threads=1), env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        # 政务 × 400 (800 characters): 9 bytes each once encoded, "GET /search/?q=… HTTP/1.1" is
        # 7,224 bytes, above gunicorn's default 4,094: the page (which searches the first 100).
        assert _status(f"{base}/search/?q={urllib.parse.quote('政务' * 400)}") == 200
        # 政务 × 1000 (the tester's 2,000 characters, 18,024 bytes): above any limit gunicorn accepts.
        assert _status(f"{base}/search/?q={urllib.parse.quote('政务' * 1000)}") == 414
    finally:
        server.terminate()
        server.wait(timeout=30)
