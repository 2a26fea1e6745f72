"""``egov node``: run and enrol an exchange node.

- ``egov node keygen --dir DIR --host NAME``: a new P-256 key (``node.key``, mode 0600) and a CSR
  (``node.csr``) naming ``NAME``; run on the node.
- ``egov node enroll --org USCC --csr FILE --out DIR``: the platform CA issues the certificate
  (``node.pem``: it, then the issuing CA) and writes the root (``root.pem``); run on the platform.
- ``egov node serve [--config FILE] [--org USCC] [--port N] [--local-port M]``: serve the node of
  the configuration (``EGOV_NODE_CONFIG``): the peer listener on ``--port`` with mutual TLS (the
  client certificate must chain to the platform root), and, with ``--local-port``, the listener
  for the organization's own systems on loopback, plain HTTP; and the dispatcher (below).
- ``egov node dispatch [--config FILE]``: poll the change sources and deliver subscriptions
  (``exchange/dispatch.py``) until SIGTERM; ``serve`` starts it as its third child.

Bad input exits 2 with one line.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import ApplicationError
from egov.exchange.config import CONFIG_ENV, config_load


def _gunicorn(*, port: int, workers: int, threads: int, tls: tuple[Path, Path, Path] | None) -> list[str]:
    argv = [sys.executable, "-m", "gunicorn", "egov.exchange.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
            "--keep-alive", "30", "--timeout", "60", "--graceful-timeout", "10", "--no-control-socket"]
    if tls is not None:
        cert, key, root = tls
        # cert_reqs 2 = ssl.CERT_REQUIRED: no client certificate chaining to the root, no connection.
        argv += ["--certfile", str(cert), "--keyfile", str(key), "--ca-certs", str(root), "--cert-reqs", "2"]
    return argv


class Command(BaseCommand):
    help = "Run and enrol an exchange node (keygen, enroll, serve)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        keygen = sub.add_parser("keygen", help="make the node's key and certificate request")
        keygen.add_argument("--dir", required=True)
        keygen.add_argument("--host", required=True, help="the node's DNS name")
        enroll = sub.add_parser("enroll", help="issue the node's certificate from its request (platform CA)")
        enroll.add_argument("--org", required=True, help="the organization's unified social credit code")
        enroll.add_argument("--csr", required=True)
        enroll.add_argument("--out", required=True)
        serve = sub.add_parser("serve", help="serve the node")
        serve.add_argument("--config", default=os.environ.get(CONFIG_ENV, ""))
        serve.add_argument("--org", default="", help="refuse to start unless the configuration is this organization's")
        serve.add_argument("--port", type=int, required=True)
        serve.add_argument("--local-port", type=int, default=0)
        serve.add_argument("--workers", type=int, default=1)
        serve.add_argument("--threads", type=int, default=16,
                           help="threads per worker (enough for the log's group commit to gather messages)")
        dispatch = sub.add_parser("dispatch", help="deliver subscriptions (serve starts it)")
        dispatch.add_argument("--config", default=os.environ.get(CONFIG_ENV, ""))

    def handle(self, *args, step, **options):
        try:
            getattr(self, f"_{step}")(**options)
        except (ApplicationError, ImproperlyConfigured, OSError, ValueError) as exc:
            raise CommandError(getattr(exc, "message", str(exc)), returncode=2) from None

    def _keygen(self, *, dir, host, **_):
        folder = Path(dir)
        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        key_path = folder / "node.key"
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        csr = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
               .sign(key, hashes.SHA256()))
        (folder / "node.csr").write_bytes(csr.public_bytes(serialization.Encoding.PEM))
        self.stdout.write(f"{key_path} and {folder / 'node.csr'} written")

    def _enroll(self, *, org, csr, out, **_):
        from egov.orgs.models import Organization
        from egov.trust.actions import node_certificate_issue_for_csr
        from egov.trust.selectors import certificate_x509, issuing_authority, root_authority

        organization = Organization.objects.filter(uscc=org).first()
        if organization is None:
            raise ValueError(f"no organization with the code {org}")
        certificate = node_certificate_issue_for_csr(actor=None, organization=organization,
                                                     csr_pem=Path(csr).read_bytes())
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        pem = serialization.Encoding.PEM
        chain = [certificate_x509(certificate), certificate_x509(issuing_authority().certificate)]
        (folder / "node.pem").write_bytes(b"".join(c.public_bytes(pem) for c in chain))
        (folder / "root.pem").write_bytes(certificate_x509(root_authority().certificate).public_bytes(pem))
        self.stdout.write(f"node certificate {certificate.serial} for {certificate.common_name} written to {folder}")

    def _dispatch(self, *, config, **_):
        from egov.exchange.dispatch import dispatcher_main
        from egov.exchange.node import Node

        if not config:
            raise ValueError(f"name the node's configuration: --config FILE or {CONFIG_ENV}")
        # The listeners' timestamper threads timestamp this process's log rows too.
        dispatcher_main(Node(config_load(Path(config).resolve()), start_timestamper=False))

    def _serve(self, *, config, org, port, local_port, workers, threads, **_):
        if not config:
            raise ValueError(f"name the node's configuration: --config FILE or {CONFIG_ENV}")
        path = Path(config).resolve()
        settings = config_load(path)
        if org and org != settings.org:
            raise ValueError(f"{path} configures the node of {settings.org}, not {org}")
        env = {**os.environ, "EGOV_SITE": "node", CONFIG_ENV: str(path)}
        if settings.database_url:
            env["DATABASE_URL"] = settings.database_url
        children = [subprocess.Popen(_gunicorn(port=port, workers=workers, threads=threads,
                                               tls=(settings.cert_file, settings.key_file, settings.root_file)),
                                     env={**env, "EGOV_NODE_LISTENER": "peer"})]
        if local_port:
            children.append(subprocess.Popen(_gunicorn(port=local_port, workers=workers, threads=threads, tls=None),
                                             env={**env, "EGOV_NODE_LISTENER": "local"}))
        children.append(subprocess.Popen([sys.executable, "-m", "egov.cli", "node", "dispatch", "--config", str(path)],
                                         env={**env, "EGOV_NODE_LISTENER": "dispatch"}))
        self.stdout.write(f"exchange node of {settings.org}: peers on https://127.0.0.1:{port}/"
                          + (f", local systems on http://127.0.0.1:{local_port}/" if local_port else ""))
        self.stdout.flush()

        def stop(signum, frame):
            for child in children:
                child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        codes = [child.wait() for child in children]
        sys.exit(max(codes))
