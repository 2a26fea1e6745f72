"""Security headers of every page (issue 17): a Content-Security-Policy without inline script,
Referrer-Policy, Permissions-Policy, HSTS only in production; and no template runs inline script
(scripts are static files, their data comes through json_script)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import egov

TEMPLATES = sorted(Path(egov.__file__).parent.rglob("templates/**/*.html"))
# Templates rendered to PDF by WeasyPrint, never served to a browser: their <style> is the print layout.
PRINT_TEMPLATES = {"licence_pdf.html", "document.html", "_pdf_style.html"}


def _policy(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/services/", "/trust/verify", "/accounts/login/", "/api/v1/services/items"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    policy = _policy(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    features = dict(f.split("=", 1) for f in response["Permissions-Policy"].split(", "))
    assert features["camera"] == features["microphone"] == features["geolocation"] == "()"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response  # not outside production (and not over plain HTTP)


def test_hsts_is_on_in_production_only(tmp_path):
    script = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)"
    results = {}
    for name, extra in {
        "production": {
            "SECRET_KEY": "k" * 20 + "-production-only-secret-" + "9" * 10,
            "ALLOWED_HOSTS": "egov.example.cn",
            "DEBUG": "0",
            "DATABASE_URL": "postgres://egov@db.example.cn:5432/egov",
        },
        "demo": {},
    }.items():
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
        env.update(
            {"EGOV_ENV": name, "EGOV_VAR_DIR": str(tmp_path / name), "DJANGO_SETTINGS_MODULE": "egov.settings", **extra}
        )
        completed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, completed.stderr
        results[name] = int(completed.stdout.strip())
    assert results == {"production": 365 * 86400, "demo": 0}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("/egov/", 1)[1])
def test_no_template_runs_inline_script(template):
    text = template.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", text, flags=re.IGNORECASE), "an on…= event handler attribute"
    assert not re.search(r"javascript:", text, flags=re.IGNORECASE), "a javascript: URL"
    if template.name not in PRINT_TEMPLATES:
        assert "<style" not in text, "a <style> element (blocked by style-src 'self')"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_and_the_admin_work_under_the_policy(live_server, browser):
    """The pages whose scripts we did not write (Swagger UI of the API, Django's admin) run under the
    policy: the browser refuses nothing and the Swagger UI draws the operations."""
    context = browser.new_context()
    page = context.new_page()
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() > 10
    page.goto(live_server.url + "/admin/login/")
    assert page.locator("#id_username").is_visible()
    context.close()
    assert refused == []
