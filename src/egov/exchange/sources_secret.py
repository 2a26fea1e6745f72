"""The connection details of resource sources (``models.ResourceSource.connection``), encrypted.

Fernet (AES-128-CBC with HMAC-SHA256, ``cryptography``) under the key ``EGOV_SOURCE_KEY``; when it is
unset (the demo, tests) under ``<EGOV_VAR_DIR>/source-key``, generated on first use (mode 0600) and
shared by every process with that folder, like the demo's other keys. The details are never logged,
audited or shown back: pages show ``connection_hint`` (``hint``), which leaves out passwords, query
strings and header values.
"""

import json
import os
from functools import cache
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from egov.core.keyfiles import key_file_once


@cache
def _fernet() -> Fernet:
    key = settings.EGOV_SOURCE_KEY
    if not key:
        key = key_file_once(settings.VAR_DIR / "source-key", Fernet.generate_key).decode().strip()
    try:
        return Fernet(key)
    except ValueError:
        raise ImproperlyConfigured("EGOV_SOURCE_KEY is not a Fernet key (URL-safe base64 of 32 bytes)") from None


def secret_seal(details: dict) -> str:
    """``details`` (JSON) encrypted: the text stored in ``ResourceSource.connection``."""
    return _fernet().encrypt(json.dumps(details, ensure_ascii=False).encode()).decode()


def secret_open(token: str) -> dict:
    """The details sealed in ``token``.

    Raises:
        ImproperlyConfigured: ``token`` was sealed under another key (EGOV_SOURCE_KEY changed).
    """
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise ImproperlyConfigured("a resource source's connection details were sealed under another "
                                   "EGOV_SOURCE_KEY") from None


def hint(details: dict) -> str:
    """What may be shown of ``details``: an address without password, query or fragment
    (``postgresql://reader:***@db.example:5432/people``), a file's name, header names only."""
    if "path" in details:
        return os.path.basename(str(details["path"]))
    parts = urlsplit(str(details.get("url", "")))
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}{':***' if parts.password else ''}@{netloc}"
    shown = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    headers = sorted(details.get("headers") or {})
    return (shown + (f" (headers: {', '.join(headers)})" if headers else ""))[:300]
