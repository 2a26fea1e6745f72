"""Public trust API: verify a signed PDF (``POST /api/v1/trust/verify``)."""

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from egov.core.apischema import ErrorOut
from egov.core.errors import ValidationFailed
from egov.trust.pdf import pdf_size_check
from egov.trust.verification import pdf_verify, pdf_verify_code

router = Router(tags=["trust"])


class SignatureOut(Schema):
    field: str
    valid: bool
    intact: bool
    signature_valid: bool
    signer: str
    organization: str
    certificate: dict
    seal: dict | None
    chain: list[str]
    chain_to_root: bool
    revocation: dict
    current_status: dict
    timestamp: dict | None
    signing_time: str
    coverage: str
    modification_level: str
    later_additions: str
    changed_after_signing: bool
    ltv: bool
    problems: list[str]
    notices: list[str]
    message: str


class VerificationOut(Schema):
    valid: bool
    status: str
    sha256: str
    code: str
    registered: dict | None
    notices: list[str]
    message: str
    signatures: list[SignatureOut]



@router.post("/verify", response={200: VerificationOut, 400: ErrorOut, 404: ErrorOut}, auth=None)
def verify(request, file: UploadedFile | None = File(None), code: str | None = Form(None),  # noqa: B008
           revision: int | None = Form(None)):  # noqa: B008
    """Verify a signed PDF (multipart field ``file``) or the document with verification ``code``
    (optionally one ``revision`` of it, the latest by default).

    200 with one entry per signature (messages in the request's language, Chinese by default);
    ``valid`` is true only when every signature is; ``status`` is valid, invalid, unsigned or
    damaged; ``registered`` says which registered version of which code the file is. 400 for a
    missing, empty, oversized (checked before reading), malformed or encrypted file
    (``extra.rule``); 404 for an unknown code or revision.
    """
    if file is not None:
        pdf_size_check(size=file.size)
        return pdf_verify(pdf=file.read()).as_json()
    if code:
        return pdf_verify_code(code=code, revision=revision).as_json()
    raise ValidationFailed(_("Send a PDF file or a verification code."), extra={"field": "file", "rule": "required"})
