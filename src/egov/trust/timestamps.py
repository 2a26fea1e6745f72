"""Timestamps of digests by the platform's TSA (RFC 3161), for records kept outside the database:
the audit log's anchors (issue 17) get a token over the chain head's SHA-256, and ``egov audit
verify`` checks it. The TSA is the one of ``responders`` (the same key and log of issued tokens).
"""

import asyncio
import secrets
from datetime import datetime

from asn1crypto import algos, cms, tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from egov.core.eventloop import outside_event_loop
from egov.trust.responders import crl_current, tsa_answer, tsa_material
from egov.trust.selectors import issuing_authority, root_authority


class TimestampInvalid(ValueError):
    """A token that is not ours, not over the digest given, or whose signature does not verify."""


def timestamp_digest(*, digest: bytes) -> bytes:
    """A timestamp token from the platform's TSA over a SHA-256 ``digest`` (32 bytes).

    The token's issue is logged (``TimestampToken``) like a token asked for over HTTP.

    Returns:
        The DER ``TimeStampToken`` (a CMS ``ContentInfo``, RFC 3161 §2.4.2), with the TSA's certificate.

    Raises:
        ValueError: ``digest`` is not 32 bytes, or the TSA refused (its status text).
        NotFound, ImproperlyConfigured: no CA or TSA certificate yet, or no CA passphrase
            (``responders.tsa_material``).
    """
    if len(digest) != 32:
        raise ValueError("a SHA-256 digest has 32 bytes")
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "hashed_message": digest,
            },
            "nonce": int.from_bytes(secrets.token_bytes(8), "big"),
            "cert_req": True,
        }
    )
    response_der, row = asyncio.run(tsa_answer(request.dump(), tsa_material()))
    response = tsp.TimeStampResp.load(response_der)
    if row is None:
        raise ValueError(f"the TSA refused: {response['status']['status_string'].native}")
    row.save(force_insert=True)
    return response["time_stamp_token"].dump()


def timestamp_token_check(*, token: bytes, digest: bytes) -> datetime:
    """Check that ``token`` (DER ``TimeStampToken``) stamps the SHA-256 ``digest`` and was signed by a
    TSA certificate of the platform's CA (the signature intact, the certificate chaining to our root).

    Returns:
        The token's time (``genTime``, aware, UTC).

    Raises:
        TimestampInvalid: with what is wrong, in English (for ``egov audit verify``'s one line).
    """
    try:
        content = cms.ContentInfo.load(token)
        signed = content["content"]
        info = signed["encap_content_info"]["content"].parsed
        imprint = info["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        stamped = imprint["hashed_message"].native
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise TimestampInvalid(f"not a timestamp token ({error})") from None
    if algorithm != "sha256" or stamped != digest:
        raise TimestampInvalid("the token stamps another digest")
    root, issuing = root_authority(), issuing_authority()
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(bytes(root.certificate.der))],
        other_certs=[asn1_x509.Certificate.load(bytes(issuing.certificate.der))],
        crls=[crl_current(authority=root), crl_current(authority=issuing)],
        allow_fetching=False,
        revocation_mode="hard-fail",
        retroactive_revinfo=True,
        moment=info["gen_time"].native,
    )
    try:
        status = outside_event_loop(asyncio.run, validate_tst_signed_data(signed, context, lambda _algorithm: digest))
    except (SignatureValidationError, ValueError) as error:
        raise TimestampInvalid(f"the token's signature does not verify ({error})") from None
    if not (status.get("intact") and status.get("valid") and status.get("trust_problem_indic") is None):
        raise TimestampInvalid("the token's signature does not verify or its signer is not our TSA")
    return info["gen_time"].native
