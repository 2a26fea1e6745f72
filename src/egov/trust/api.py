"""Public trust API: verify a signed PDF (``POST /api/v1/trust/verify``)."""

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from egov.core.errors import ValidationFailed
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
    timestamp: dict | None
    signing_time: str
    coverage: str
    changed_after_signing: bool
    ltv: bool
    problems: list[str]
    message: str


class VerificationOut(Schema):
    valid: bool
    sha256: str
    code: str
    message: str
    signatures: list[SignatureOut]


class ErrorOut(Schema):
    message: str
    extra: dict


@router.post("/verify", response={200: VerificationOut, 400: ErrorOut, 404: ErrorOut}, auth=None)
def verify(request, file: UploadedFile | None = File(None), code: str | None = Form(None)):  # noqa: B008
    """Verify a signed PDF (multipart field ``file``) or the document with verification ``code``.

    200 with one entry per signature (messages in the request's language, Chinese by default);
    ``valid`` is true only when every signature is. 400 for a missing, malformed or encrypted
    file (``extra.rule``); 404 for an unknown code.
    """
    if file is not None:
        return pdf_verify(pdf=file.read()).as_json()
    if code:
        return pdf_verify_code(code=code).as_json()
    raise ValidationFailed(_("Send a PDF file or a verification code."), extra={"field": "file", "rule": "required"})
