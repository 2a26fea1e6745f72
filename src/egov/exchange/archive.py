"""Archives of the message log: files an operator exports and a third party checks offline.

An archive is one JSON document (UTF-8)::

    {"format": "egov-exchange-archive/1", "node": USCC, "number": n, "prev_sha256": hex,
     "rows": [{<the hashed values of egov.exchange.log>, "hash": hex, "body": base64 or null}],
     "batches": [{"first_seq", "last_seq", "imprint": hex, "token": base64 DER TimeStampToken}]}

It holds whole timestamp batches. ``archive_verify`` proves, with nothing but the file and the
platform root certificate: every row's hash (SHA-256 of its canonical JSON), the chain between
rows, that every row is under a batch whose RFC 3161 token is intact, signed by a TSA
certificate of the root and about the hash of the batch's last row, and that every envelope's
JWS signature verifies with its ``x5c`` leading to the root at its signing time and signs the
row's body (requests and responses; refusals keep what arrived as it arrived).

A row logged without its body (an extract page: ``egov.exchange.log``, "bodies") has ``"body":
null`` and, among its hashed values, ``body_sha256`` and ``body_size``: its hash is checked over
those, and its envelope must sign that digest. The proof covers what was sent (digest, size,
envelope), not the page's content, which the provider can read again from its source.
"""

import asyncio
import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from django.db import transaction
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from egov.core.canonical import canonical_json
from egov.core.errors import ApplicationError, ValidationFailed
from egov.core.eventloop import outside_event_loop
from egov.exchange.envelope import body_digest, envelope_parse
from egov.exchange.log import GENESIS_HASH, row_values, values_hash
from egov.exchange.models import ArchiveFile, LoggedMessage, TimestampBatch

FORMAT = "egov-exchange-archive/1"
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024


@transaction.atomic
def archive_export(*, node_code: str, folder: Path, max_rows: int = 100_000) -> ArchiveFile | None:
    """Write the next archive file into ``folder``: the oldest timestamped batches not archived
    yet, whole, as many as fit in ``max_rows`` (at least one). None when there is nothing to archive.

    The file is named ``exchange-<node>-<number>.json``; its row is recorded (``ArchiveFile``).
    """
    last = ArchiveFile.objects.order_by("-number").first()
    after = last.last_seq if last else 0
    batches, rows = [], 0
    for batch in TimestampBatch.objects.filter(first_seq__gt=after).order_by("first_seq"):
        size = batch.last_seq - batch.first_seq + 1
        if batches and rows + size > max_rows:
            break
        batches.append(batch)
        rows += size
    if not batches:
        return None
    first_seq, last_seq = batches[0].first_seq, batches[-1].last_seq
    document = {
        "format": FORMAT, "node": node_code, "number": (last.number + 1) if last else 1,
        "prev_sha256": last.sha256 if last else GENESIS_HASH,
        "rows": [{**row_values(row), "hash": row.hash,
                  "body": None if row.body is None else base64.b64encode(bytes(row.body)).decode()}
                 for row in LoggedMessage.objects.filter(seq__gte=first_seq, seq__lte=last_seq).order_by("seq")],
        "batches": [{"first_seq": b.first_seq, "last_seq": b.last_seq, "imprint": b.imprint,
                     "token": base64.b64encode(bytes(b.token)).decode()} for b in batches],
    }
    data = canonical_json(document)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"exchange-{node_code}-{document['number']:06d}.json"
    (folder / name).write_bytes(data)
    return ArchiveFile.objects.create(number=document["number"], first_seq=first_seq, last_seq=last_seq,
                                      sha256=hashlib.sha256(data).hexdigest(), prev_sha256=document["prev_sha256"],
                                      name=name)


@dataclass
class ArchiveReport:
    """What ``archive_verify`` found: ``valid`` when ``problems`` is empty."""

    sha256: str
    node: str
    number: int
    rows: int
    batches: int
    problems: list[str] = field(default_factory=list)
    message: dict | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {"valid": self.valid, "sha256": self.sha256, "node": self.node, "number": self.number,
                "rows": self.rows, "batches": self.batches, "problems": self.problems, "message": self.message}


def archive_read(path: Path) -> tuple[dict, bytes]:
    """Read an archive file. Raises ``ValidationFailed`` (``field == "file"``) when it cannot be:
    missing, too large, not JSON, not our format."""
    try:
        if path.stat().st_size > MAX_ARCHIVE_BYTES:
            raise ValidationFailed("the archive is larger than 512 MB", extra={"field": "file", "rule": "size"})
        data = path.read_bytes()
        document = json.loads(data)
    except (OSError, ValueError) as exc:
        raise ValidationFailed(f"cannot read the archive: {exc}", extra={"field": "file", "rule": "unreadable"}) \
            from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValidationFailed("not an exchange archive", extra={"field": "file", "rule": "format"})
    return document, data


def archive_verify(*, path: Path, root: x509.Certificate, message_id: str = "") -> ArchiveReport:
    """Check an archive offline against the platform ``root`` (see the module's text).

    Args:
        message_id: when given, the report's ``message`` shows that message's rows (the proof
            asked for); a message not in the file is a problem.

    Raises:
        ValidationFailed: the file cannot be read (``archive_read``).
    """
    document, data = archive_read(path)
    try:
        rows, batches = list(document["rows"]), list(document["batches"])
        report = ArchiveReport(sha256=hashlib.sha256(data).hexdigest(), node=str(document["node"]),
                               number=int(document["number"]), rows=len(rows), batches=len(batches))
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed("not an exchange archive", extra={"field": "file", "rule": "format"}) from None
    hashes = _check_rows(rows, report)
    _check_batches(batches, hashes, root, report)
    verifier_store = Store([root])
    for row in rows:
        # A refusal keeps what arrived, which may be exactly what failed (a body another than the
        # one signed, a forged envelope): its envelope proves nothing and is not checked.
        if row.get("envelope") and row.get("kind") in ("request", "response"):
            _check_envelope(row, verifier_store, report)
    if message_id:
        found = [{k: r.get(k) for k in ("seq", "logged_at", "direction", "kind", "message_id", "in_reply_to",
                                          "peer_code", "service", "status", "hash")}
                 for r in rows if message_id in (r.get("message_id"), r.get("in_reply_to"))]
        report.message = {"id": message_id, "rows": found}
        if not found:
            report.problems.append(f"message {message_id} is not in this archive")
    return report


def _check_rows(rows: list[dict], report: ArchiveReport) -> dict[int, str]:
    hashes: dict[int, str] = {}
    previous: dict | None = None
    for row in rows:
        try:
            values = {k: row[k] for k in ("seq", "logged_at", "direction", "kind", "message_id", "in_reply_to",
                                          "peer_code", "service", "status", "envelope", "prev_hash")}
            if row["body"] is None:  # logged without its body: the digest and size are the evidence
                values["body_sha256"], values["body_size"] = row["body_sha256"], row["body_size"]
                if not isinstance(values["body_size"], int) or not isinstance(values["body_sha256"], str):
                    raise TypeError
            else:
                body = base64.b64decode(row["body"], validate=True)
                values["body_sha256"] = hashlib.sha256(body).hexdigest()
        except (KeyError, TypeError, ValueError):
            report.problems.append(f"row {row.get('seq')}: incomplete")
            continue
        if values["body_sha256"] != row.get("body_sha256"):
            report.problems.append(f"row {values['seq']}: the body is not the one logged")
        if values_hash(values) != row.get("hash"):
            report.problems.append(f"row {values['seq']}: its hash does not match its content")
        if previous is not None and (values["seq"] != previous["seq"] + 1 or values["prev_hash"] != previous["hash"]):
            report.problems.append(f"row {values['seq']}: does not follow row {previous['seq']}")
        hashes[values["seq"]] = row.get("hash")
        previous = row
    return hashes


def _check_batches(batches: list[dict], hashes: dict[int, str], root: x509.Certificate,
                   report: ArchiveReport) -> None:
    covered: set[int] = set()
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))],
                                allow_fetching=False, revocation_mode="soft-fail")
    for batch in batches:
        first, last = batch.get("first_seq"), batch.get("last_seq")
        if hashes.get(last) != batch.get("imprint"):
            report.problems.append(f"batch {first}–{last}: not about the hash of row {last}")
            continue
        try:
            token = cms.ContentInfo.load(base64.b64decode(batch["token"], validate=True))
            imprint = bytes.fromhex(batch["imprint"])
            status = outside_event_loop(asyncio.run, validate_tst_signed_data(
                token["content"], context, lambda _algorithm, imprint=imprint: imprint))
        except Exception as exc:  # any failure to parse or validate the token makes it unproven
            report.problems.append(f"batch {first}–{last}: the timestamp does not verify ({type(exc).__name__})")
            continue
        if not (status.get("intact") and status.get("valid") and status.get("trust_problem_indic") is None):
            report.problems.append(f"batch {first}–{last}: the timestamp is not intact, valid and trusted")
            continue
        covered.update(range(first, last + 1))
    for seq in hashes:
        if seq not in covered:
            report.problems.append(f"row {seq}: no verified timestamp covers it")


def _check_envelope(row: dict, store: Store, report: ArchiveReport) -> None:
    from joserfc import jws
    from joserfc.errors import JoseError
    from joserfc.jwk import ECKey

    from egov.exchange.envelope import REGISTRY

    try:
        envelope = envelope_parse(row["envelope"])
        jws.deserialize_compact(envelope.token, ECKey.import_key(envelope.chain[0].public_key()), registry=REGISTRY)
        at = datetime.fromtimestamp(envelope.claims["iat"], UTC)
        PolicyBuilder().store(store).time(at).build_client_verifier().verify(envelope.chain[0],
                                                                             list(envelope.chain[1:]))
    except (ApplicationError, JoseError, VerificationError, ValueError) as exc:
        report.problems.append(f"row {row.get('seq')}: the envelope does not verify ({type(exc).__name__})")
        return
    digest = row.get("body_sha256") if row.get("body") is None else body_digest(base64.b64decode(row["body"]))
    if envelope.claims["digest"] != digest:
        report.problems.append(f"row {row.get('seq')}: the envelope signs another body")

