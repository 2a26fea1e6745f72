"""The platform's CMS signer makes pyHanko's CMS: the same structure and attributes, byte for byte
but for the signature value, at a fraction of the CPU (issue 18 item 4)."""

import asyncio
import hashlib
from datetime import UTC, datetime

from asn1crypto import cms, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509 import load_der_x509_certificate
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov.trust.cms_signer import PlatformSigner
from egov.trust.selectors import certificate_private_key

DIGEST = hashlib.sha256(b"the bytes named by /ByteRange").digest()


def _signers(seal, ca):
    certificate = asn1_x509.Certificate.load(bytes(seal.certificate.der))
    key = certificate_private_key(seal.certificate)
    pkcs8 = asn1_keys.PrivateKeyInfo.load(key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()))
    chain = SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(bytes(ca.issuing.certificate.der)),
                                               asn1_x509.Certificate.load(bytes(ca.root.certificate.der))])
    return [cls(signing_cert=certificate, signing_key=pkcs8, cert_registry=chain) for cls in (SimpleSigner,
                                                                                            PlatformSigner)]


def _without_signature(content: cms.ContentInfo) -> bytes:
    """The DER of ``content`` with its (randomised: ECDSA) signature value blanked; everything else is
    copied as encoded (no re-encoding that would sort or normalise it)."""
    copy = cms.ContentInfo.load(content.dump())
    copy["content"]["signer_infos"][0]["signature"] = b""
    blanked = copy.dump()
    assert len(blanked) < len(content.dump())
    return blanked


def _signature_verifies(content: cms.ContentInfo, certificate_der: bytes) -> bool:
    """RFC 5652 §5.4: the signature is over the DER of the signed attributes (as a SET OF)."""
    signer_info = content["content"]["signer_infos"][0]
    public_key = load_der_x509_certificate(certificate_der).public_key()
    try:
        public_key.verify(signer_info["signature"].native, signer_info["signed_attrs"].untag().dump(),
                          ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def test_a_pades_signature_is_pyhankos_but_for_the_signature_value(seal, ca):
    theirs, ours = (asyncio.run(signer.async_sign(DIGEST, "sha256", use_pades=True)) for signer in _signers(seal, ca))
    assert _without_signature(ours) == _without_signature(theirs)
    attributes = {a["type"].native: a["values"] for a in ours["content"]["signer_infos"][0]["signed_attrs"]}
    # PAdES (ETSI EN 319 142-1 §5.2): content type, message digest, signing-certificate-v2; no signing time.
    assert set(attributes) == {"content_type", "message_digest", "signing_certificate_v2"}
    assert attributes["message_digest"][0].native == DIGEST
    # RFC 5035 §3: ESSCertIDv2 carries the SHA-256 of the signer's certificate (the default hash is omitted).
    [cert_id] = attributes["signing_certificate_v2"][0]["certs"]
    assert cert_id["cert_hash"].native == hashlib.sha256(bytes(seal.certificate.der)).digest()
    assert cert_id["issuer_serial"]["serial_number"].native == int(seal.certificate.serial, 16)
    assert _signature_verifies(ours, bytes(seal.certificate.der))


def test_a_second_signature_reuses_the_attribute_and_stays_correct(seal, ca):
    """The kept signing-certificate-v2 value goes into the next signature unchanged, over another digest."""
    _theirs, ours = _signers(seal, ca)
    first = asyncio.run(ours.async_sign(DIGEST, "sha256", use_pades=True))
    other = hashlib.sha256(b"another document").digest()
    second = asyncio.run(ours.async_sign(other, "sha256", use_pades=True))
    attributes = {a["type"].native: a for a in second["content"]["signer_infos"][0]["signed_attrs"]}
    assert attributes["message_digest"]["values"][0].native == other
    assert (attributes["signing_certificate_v2"].dump()
            == {a["type"].native: a for a in first["content"]["signer_infos"][0]["signed_attrs"]}
            ["signing_certificate_v2"].dump())
    assert _signature_verifies(second, bytes(seal.certificate.der))


def test_a_timestamp_token_is_pyhankos_but_for_the_signature_value(seal, ca):
    """The TSA's path (RFC 3161 §2.4.2: SignedData over a TSTInfo), with the same signing time for both."""
    info = tsp.TSTInfo({
        "version": "v1", "policy": "1.3.6.1.4.1.99999.1", "serial_number": 7,
        "gen_time": datetime(2026, 12, 6, tzinfo=UTC),
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": DIGEST},
    })
    encap = cms.EncapsulatedContentInfo({"content_type": "tst_info", "content": cms.ParsableOctetString(info.dump())})
    when = PdfCMSSignedAttributes(signing_time=datetime(2026, 12, 6, 4, 30, tzinfo=UTC))
    theirs, ours = (asyncio.run(signer.async_sign_general_data(encap, "sha256", detached=False,
                                                               signed_attr_settings=when))
                    for signer in _signers(seal, ca))
    assert _without_signature(ours) == _without_signature(theirs)
    types = {a["type"].native for a in ours["content"]["signer_infos"][0]["signed_attrs"]}
    assert {"content_type", "message_digest", "signing_certificate_v2", "signing_time"} <= types
    assert _signature_verifies(ours, bytes(seal.certificate.der))
