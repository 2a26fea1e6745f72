"""Writes of official documents (公文), grouped by sub-domain and re-exported here:

- ``drafting``: 拟稿 — a new draft, its changes while editable, its attachments;
- ``outgoing``: the steps after drafting (核稿 … 用印, 退回, 作废) through ``facilities.transitions``;
- ``imports``: registering documents issued before the platform (``egov documents import``);
- ``publication``: 主动公开 on the public site.

Receiving, 会签 and 核发 (``flow``), received documents (``incoming``), supervision and meetings have
their own modules. Inside the package a module imports another by its own name
(``actions.outgoing``), never this ``__init__``.
"""

from egov.documents.actions.drafting import (
    attachment_add,
    attachment_max_bytes,
    attachment_remove,
    document_draft,
    document_update,
)
from egov.documents.actions.imports import document_import, document_import_once
from egov.documents.actions.outgoing import (
    document_number_allocate,
    document_number_assign,
    document_print,
    document_receive,
    document_seal,
    document_sign_off,
    document_transition,
)
from egov.documents.actions.publication import document_publish, document_unpublish, publication_on_issue

__all__ = [
    "attachment_add", "attachment_max_bytes", "attachment_remove", "document_draft", "document_import",
    "document_import_once", "document_number_allocate", "document_number_assign", "document_print",
    "document_publish", "document_receive", "document_seal", "document_sign_off", "document_transition",
    "document_unpublish", "document_update", "publication_on_issue",
]
