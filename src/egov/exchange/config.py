"""An exchange node's settings: one TOML file named by ``EGOV_NODE_CONFIG`` (``egov node serve``).

Keys (paths relative to the file's folder; times in seconds, sizes in bytes)::

    org = "12320200…"              # the organization's unified social credit code (GB 32100-2015)
    host = "finance.node.egov"     # the DNS name in the node certificate
    key_file = "node.key"          # PEM private key (P-256), made by `egov node keygen`
    cert_file = "node.pem"         # PEM: the node certificate, then the issuing CA (`egov node enroll`)
    root_file = "root.pem"         # PEM: the platform root CA, the only trust anchor
    platform_url = "http://127.0.0.1:8000"   # where /trust/ocsp and /trust/tsa answer
    database_url = "postgres://…"  # the node's own database (DATABASE_URL in the environment wins)
    max_message_bytes = 1048576    # larger request bodies are refused with 413
    time_window = 300              # an envelope's iat may differ from our clock by this much
    ocsp_fresh = 300               # an OCSP answer is used this long (and never past its nextUpdate)
    ocsp_timeout = 5               # seconds to wait for the OCSP responder before answering 503
    grant_cache_seconds = 5        # a consumer's granted 信息项 are looked up again after this long (0: every
                                   # message); a grant's expiry still counts to the second
    tsa_interval = 5               # the log is timestamped this often …
    tsa_batch_size = 5000          # … at most this many rows under one token
    tsa_grace = 600                # rows may wait this long for a timestamp; then the node refuses
    plain_baseline = false         # bench/exchange.py only: also serve the same lookup unsigned, unlogged
    subscription_interval = 1      # the dispatcher (``egov node dispatch``) looks for due deliveries this often
    backoff_base = 1               # a failed delivery is tried again after base·2^(n-1) seconds …
    backoff_cap = 300              # … at most this long, times a random factor in [0.5, 1]
    max_attempts = 50              # an event tried this many times is a dead letter …
    max_age = 259200               # … and so is one produced this long ago and still not delivered
    delivery_batch = 100           # events per delivery message at most
    traffic_interval = 10          # the requests served are written to the traffic rollup this often (seconds)
    traffic_report_interval = 30   # … and reported to the platform this often (seconds; traffic_report.py)
    log_extract_bodies = false     # true: log extract pages with their bodies too (by default a page is logged
                                   # by its envelope, SHA-256 and size: ``log.py``, "bodies")
    [peers.<USCC>]                 # the nodes this node calls
    url = "https://127.0.0.1:9101"
    host = "population.node.egov"
    [services.<name>]              # what this node provides
    resource = "<resource code>"   # the catalog entry whose grants govern it
    csv = "people.csv"             # records (UTF-8 CSV with a header row), or …
    source = "population"          # … a named record source (``sources.py``: population, legal_entity, licence),
                                   # or "adapter:<code>": the ResourceSource of that code in the node's database
                                   # (a PostgreSQL/MySQL table, CSV/XLSX file or HTTP API; ``adapters.py``),
                                   # which also serves paged extracts ({"extract": {"after", "limit"}})
    key = "id_number"              # the column (or the query's key) a lookup matches
    [pollers.<name>]               # a change source the dispatcher reads every subscription_interval
    resource = "<resource code>"   # whose changes they are
    source = "<change source>"     # a name registered with ``sources.change_source_register``
"""

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

CONFIG_ENV = "EGOV_NODE_CONFIG"


@dataclass(frozen=True)
class Peer:
    code: str
    url: str
    host: str


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    resource: str
    csv: Path | None
    key: str
    source: str = ""


@dataclass(frozen=True)
class PollerSpec:
    name: str
    resource: str
    source: str


@dataclass(frozen=True)
class NodeConfig:
    org: str
    host: str
    key_file: Path
    cert_file: Path
    root_file: Path
    platform_url: str
    database_url: str = ""
    max_message_bytes: int = 1024 * 1024
    time_window: int = 300
    ocsp_fresh: int = 300
    ocsp_timeout: float = 5.0
    grant_cache_seconds: float = 5.0
    tsa_interval: float = 5.0
    tsa_batch_size: int = 5000
    tsa_grace: int = 600
    plain_baseline: bool = False
    subscription_interval: float = 1.0
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    max_attempts: int = 50
    max_age: float = 259200.0
    traffic_interval: float = 10.0
    traffic_report_interval: float = 30.0
    delivery_batch: int = 100
    log_extract_bodies: bool = False
    pollers: dict[str, "PollerSpec"] = field(default_factory=dict)
    peers: dict[str, Peer] = field(default_factory=dict)
    services: dict[str, ServiceSpec] = field(default_factory=dict)


def config_load(path: str | Path) -> NodeConfig:
    """Read and check a node's TOML file.

    Raises:
        ImproperlyConfigured: the file is missing, not TOML, or lacks a required key (one line).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ImproperlyConfigured(f"node configuration {path}: {exc}") from None
    base = path.parent
    try:
        peers = {code: Peer(code=code, url=p["url"].rstrip("/"), host=p["host"])
                 for code, p in data.get("peers", {}).items()}
        services = {name: ServiceSpec(name=name, resource=s["resource"], key=s["key"], source=s.get("source", ""),
                                      csv=None if "source" in s else base / s["csv"])
                    for name, s in data.get("services", {}).items()}
        pollers = {name: PollerSpec(name=name, resource=p["resource"], source=p["source"])
                   for name, p in data.get("pollers", {}).items()}
        return NodeConfig(
            org=data["org"], host=data["host"], key_file=base / data["key_file"], cert_file=base / data["cert_file"],
            root_file=base / data["root_file"], platform_url=data["platform_url"].rstrip("/"),
            database_url=data.get("database_url", ""),
            max_message_bytes=int(data.get("max_message_bytes", 1024 * 1024)),
            time_window=int(data.get("time_window", 300)), ocsp_fresh=int(data.get("ocsp_fresh", 300)),
            ocsp_timeout=float(data.get("ocsp_timeout", 5)),
            grant_cache_seconds=float(data.get("grant_cache_seconds", 5)),
            tsa_interval=float(data.get("tsa_interval", 5)), tsa_batch_size=int(data.get("tsa_batch_size", 5000)),
            tsa_grace=int(data.get("tsa_grace", 600)), plain_baseline=_flag(data, "plain_baseline"),
            subscription_interval=float(data.get("subscription_interval", 1)),
            backoff_base=float(data.get("backoff_base", 1)), backoff_cap=float(data.get("backoff_cap", 300)),
            max_attempts=int(data.get("max_attempts", 50)), max_age=float(data.get("max_age", 259200)),
            delivery_batch=int(data.get("delivery_batch", 100)), pollers=pollers,
            traffic_interval=float(data.get("traffic_interval", 10)),
            traffic_report_interval=float(data.get("traffic_report_interval", 30)),
            log_extract_bodies=_flag(data, "log_extract_bodies"),
            peers=peers, services=services,
        )
    except KeyError as exc:
        raise ImproperlyConfigured(f"node configuration {path}: missing key {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"node configuration {path}: {exc}") from None


def _flag(data: dict, key: str) -> bool:
    """``data[key]`` as a TOML boolean (``true``/``false``), False when absent. Raises ``ValueError``
    for anything else: a quoted ``"false"`` is a non-empty string, which ``bool`` would read as true."""
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false (a TOML boolean, unquoted), not {value!r}")
    return value


@cache
def node_config() -> NodeConfig:
    """This process's node configuration (from ``EGOV_NODE_CONFIG``), read once."""
    path = os.environ.get(CONFIG_ENV)
    if not path:
        raise ImproperlyConfigured(f"{CONFIG_ENV} is not set: this process is not an exchange node")
    return config_load(path)
