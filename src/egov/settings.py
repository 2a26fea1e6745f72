"""Django settings for egov, read from the environment.

Environment variables (all optional in the embedded demo):

- ``EGOV_ENV``: ``demo`` (default: SQLite under ``var/``, a generated secret key), ``production``
  (every secret must be given; DEBUG must be off) or ``test``.
- ``EGOV_SITE``: ``public`` | ``staff`` | ``all`` (default ``all``): which URLconf is served
  (外网受理、内网办理、外网公布; see ARCHITECTURE.md "Two sites").
- ``EGOV_VAR_DIR``: where the embedded database, generated secrets, uploads and the embedded broker
  live (default ``<repository>/var``).
- ``DATABASE_URL``: e.g. ``postgres://postgres@127.0.0.1:5432/egov`` (default SQLite in ``var/``).
- ``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma separated), ``DEBUG`` (``1``/``0``),
  ``CELERY_BROKER_URL`` (default: the SQLAlchemy transport on SQLite in ``var/``, no server needed).
- ``EGOV_CACHE_URL``: the cache every process shares (tracking answers, ``facilities.readcache``):
  ``redis://host:6379/1`` (several hosts: what production wants), ``file:///path`` (one machine),
  ``locmem://`` (one process only), ``dummy://`` (nothing cached). Default: a file cache under
  ``var/cache`` (the web workers and the worker of one machine share it), ``locmem://`` under
  ``EGOV_ENV=test``.

A production configuration that is unsafe raises ``ImproperlyConfigured`` with one line that says
why; ``egov`` prints that line and exits with status 2.
"""

import ipaddress
import os
import secrets
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# cryptography 51 deprecates DSA, and pyHanko 0.38 imports its key class when it is imported (no DSA
# key is ever used here: seals and nodes sign with RSA and ECDSA). Without this filter every command
# that loads pyHanko prints the warning on standard error, breaking its "one line" contract.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

EGOV_ENV = os.environ.get("EGOV_ENV", "demo")
if EGOV_ENV not in {"demo", "production", "test"}:
    raise ImproperlyConfigured(f"EGOV_ENV must be demo, production or test, not {EGOV_ENV!r}")
EGOV_SITE = os.environ.get("EGOV_SITE", "all")
if EGOV_SITE not in {"public", "staff", "all", "node"}:
    raise ImproperlyConfigured(f"EGOV_SITE must be public, staff, all or node, not {EGOV_SITE!r}")

VAR_DIR = Path(os.environ.get("EGOV_VAR_DIR", BASE_DIR / "var")).resolve()
PRODUCTION = EGOV_ENV == "production"

# Keys that were ever committed or printed are never acceptable in production.
INSECURE_SECRET_KEYS = {"", "change-me", "secret", "django-insecure", "insecure-test-key"}


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _demo_secret_key() -> str:
    """Return the demo's secret key, generated into ``var/secret_key`` by the first process to start."""
    from egov.core.keyfiles import key_file_once

    return key_file_once(VAR_DIR / "secret_key", lambda: secrets.token_urlsafe(50).encode()).decode().strip()


DEBUG = _bool("DEBUG", default=False)
if EGOV_ENV == "test":
    SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-test-key")
elif PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if DEBUG:
        raise ImproperlyConfigured("production refuses to start with DEBUG on: unset DEBUG")
    if (SECRET_KEY in INSECURE_SECRET_KEYS or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 32
            or len(set(SECRET_KEY)) < 10):
        raise ImproperlyConfigured(
            "production refuses to start without a strong SECRET_KEY "
            "(at least 32 characters, 10 of them different, not a default)"
        )
    if not os.environ.get("DATABASE_URL"):
        raise ImproperlyConfigured("production refuses to start without DATABASE_URL")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _demo_secret_key()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if PRODUCTION:
        raise ImproperlyConfigured("production refuses to start without ALLOWED_HOSTS")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "egov.accounts.apps.EgovAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    "egov.core",
    "egov.apps.EgovConfig",
    "egov.audit",
    "egov.orgs",
    "egov.accounts",
    "egov.facilities",
    "egov.trust",
    "egov.workflow",
    "egov.services",
    "egov.documents",
    "egov.exchange",
    "egov.registries",
    "egov.credit",
    "egov.portal",
    # Wagtail: the portal's editorial pages (egov.portal.pages); its admin is served on the staff site
    # only (/staff/cms/, egov.portal.urls_cms), the pages on the public site (egov.urls_public).
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.contrib.sitemaps",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "oauth2_provider",
    "egov.oidc",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "egov.core.middleware.RequestContextMiddleware",
    "egov.core.middleware.ReadOnlyDatabaseMiddleware",
    "egov.core.metrics.RequestMetricsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = {"public": "egov.urls_public", "staff": "egov.urls_staff", "all": "egov.urls_all",
                "node": "egov.exchange.urls_node"}[EGOV_SITE]  # node: one agency's exchange node (egov node serve)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov.core.context_processors.site",
                "egov.facilities.context_processors.notifications",
                "egov.credit.context_processors.credit_nav",  # which credit links the staff navigation shows
                "egov.services.context_processors.intake_nav",  # the intake queue's link, for operators only
            ],
        },
    },
]

WSGI_APPLICATION = "egov.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'egov.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A kept connection is checked before each request reuses it: after a database failover
        # the next request reconnects (to the new primary) instead of failing (issue 22).
        conn_health_checks=True,
    )
}
def _cache(url: str) -> dict:
    # A per-process cache (locmem) cannot be invalidated from another process: only for tests and
    # one-process tools; the default shares entries between the processes of one machine.
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("file://"):
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": url[len("file://"):],
                "OPTIONS": {"MAX_ENTRIES": 20_000}}
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": url[len("locmem://"):],
                "OPTIONS": {"MAX_ENTRIES": 20_000}}
    if url == "dummy://":  # nothing kept: every read goes to the database (to measure without the cache)
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"EGOV_CACHE_URL must begin redis://, rediss://, unix://, file://, locmem:// or be "
                               f"dummy://: {url}")


CACHES = {"default": _cache(os.environ.get("EGOV_CACHE_URL")
                            or ("locmem://" if EGOV_ENV == "test" else f"file://{VAR_DIR / 'cache'}"))}


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the worker read while the other writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "egov.accounts.backends.ModelBackend",  # Django's, the signed-in user read without compiling SQL
]
SESSION_ENGINE = "egov.accounts.sessions"  # Django's db sessions, the row read without compiling SQL
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if EGOV_ENV == "test":
    # Argon2 at full cost makes a test suite that creates hundreds of users crawl; the
    # production hasher is still exercised by tests/test_settings.py.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "egov.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "egov.accounts.passwords.PublishedPasswordValidator"},
    {"NAME": "egov.accounts.passwords.StrengthValidator", "OPTIONS": {"min_score": 3, "judged_from": 10}},
]
LOGIN_URL = "accounts:login"


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _networks(name: str) -> list:
    networks = []
    for part in os.environ.get(name, "").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ImproperlyConfigured(f"{name}: {part.strip()!r} is not an IP address or CIDR network") from None
    return networks


# The proxies (load balancers) in front of the web processes, as CIDRs: only a request from one of
# them has its X-Forwarded-For read for the client's address (egov.core.clients.client_address).
EGOV_TRUSTED_PROXIES = _networks("EGOV_TRUSTED_PROXIES")
# /metrics (staff site only, egov.monitoring): answered to a client address in these networks
# (CIDRs, comma separated; default loopback: the Prometheus of the one-machine layout) or to a
# request carrying "Authorization: Bearer <EGOV_METRICS_TOKEN>" (at least 32 characters; empty: no
# token is accepted). Anyone else gets 403 (docs/operations.md, "Monitoring").
EGOV_METRICS_ALLOWED_NETWORKS = _networks("EGOV_METRICS_ALLOWED_NETWORKS") or [
    ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
EGOV_METRICS_TOKEN = os.environ.get("EGOV_METRICS_TOKEN", "")
if EGOV_METRICS_TOKEN and len(EGOV_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("EGOV_METRICS_TOKEN: at least 32 characters (or leave it empty)")
# Sign-in throttling (egov.accounts.throttling; docs/security.md "Sign-in and registration"): no
# lockout, growing waits per (account, address) and per address, a detector for password spraying.
# Calendar days a failed intake record keeps its files' bytes after its last attempt (services.intake_sweep).
EGOV_INTAKE_FAILED_FILES_DAYS = _int("EGOV_INTAKE_FAILED_FILES_DAYS", 30)
EGOV_SIGNIN_FREE_FAILURES_PAIR = _int("EGOV_SIGNIN_FREE_FAILURES_PAIR", 3)
EGOV_SIGNIN_FREE_FAILURES_ADDRESS = _int("EGOV_SIGNIN_FREE_FAILURES_ADDRESS", 10)
EGOV_SIGNIN_BASE_WAIT = _int("EGOV_SIGNIN_BASE_WAIT", 2)  # seconds, doubled with each further failure
EGOV_SIGNIN_MAX_WAIT = _int("EGOV_SIGNIN_MAX_WAIT", 900)  # seconds
EGOV_SIGNIN_WINDOW = _int("EGOV_SIGNIN_WINDOW", 3600)  # seconds of failures that count
EGOV_SIGNIN_SPRAY_WINDOW = _int("EGOV_SIGNIN_SPRAY_WINDOW", 900)  # seconds
EGOV_SIGNIN_SPRAY_ACCOUNTS = _int("EGOV_SIGNIN_SPRAY_ACCOUNTS", 20)  # distinct accounts failed in the window
EGOV_SIGNIN_SPRAY_FAILURES = _int("EGOV_SIGNIN_SPRAY_FAILURES", 300)  # failed sign-ins overall in the window
# Registration (egov.accounts.actions): accounts opened per client address per hour, and overall per minute.
EGOV_REGISTRATIONS_PER_ADDRESS_HOUR = _int("EGOV_REGISTRATIONS_PER_ADDRESS_HOUR", 5)
EGOV_REGISTRATIONS_PER_MINUTE = _int("EGOV_REGISTRATIONS_PER_MINUTE", 30)
# Letters to the mayor (egov.portal.actions_letters; docs/letters.md): the answer period and the
# reminder before it, in working days; letters one account may write per hour and per day (0: no limit).
EGOV_LETTER_ANSWER_DAYS = _int("EGOV_LETTER_ANSWER_DAYS", 5)
EGOV_LETTER_REMIND_DAYS = _int("EGOV_LETTER_REMIND_DAYS", 1)
EGOV_LETTERS_PER_ACCOUNT_HOUR = _int("EGOV_LETTERS_PER_ACCOUNT_HOUR", 3)
EGOV_LETTERS_PER_ACCOUNT_DAY = _int("EGOV_LETTERS_PER_ACCOUNT_DAY", 10)

OTP_TOTP_ISSUER = "egov"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    # The demo serves static files from the apps (WHITENOISE_USE_FINDERS); production runs collectstatic.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
# Largest material file an applicant may upload (bytes); a catalogue material may set less.
EGOV_MATERIAL_MAX_BYTES = int(os.environ.get("EGOV_MATERIAL_MAX_BYTES", str(20 * 1024 * 1024)))
# A JSON request carries its files in base64 (4/3 of their size): room for a few materials at their
# limit; larger requests get a 413 in the API's error shape (egov.api).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("EGOV_MAX_REQUEST_BYTES", str(64 * 1024 * 1024)))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Security headers of every response (docs/architecture.md "Security headers"). No page runs inline
# script: scripts are static files, data for them comes in <script type="application/json">
# (json_script), which the policy does not execute. Style attributes stay allowed (the design
# system's components and the charts set them), <style> elements do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],  # data: the seal preview on a document's sign-off page
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],  # a case's material preview: a PDF of this site in a frame
        "frame-ancestors": ["'self'"],  # with X-Frame-Options DENY except the previews (sameorigin)
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
    },
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
PERMISSIONS_POLICY = {feature: [] for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb", "xr-spatial-tracking")}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS only where the site is served over HTTPS (production); a year, as the HSTS preload list asks.
    SECURE_HSTS_SECONDS = int(os.environ.get("EGOV_HSTS_SECONDS", str(365 * 86400)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("EGOV_HSTS_INCLUDE_SUBDOMAINS", default=False)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or f"egovsqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
# kombu's own SQLAlchemy transport never gives back a task whose worker was killed: egov's does
# (egov.core.broker, a visibility timeout as Redis has).
if CELERY_BROKER_URL.startswith("sqla+"):
    CELERY_BROKER_URL = "egovsqla+" + CELERY_BROKER_URL.removeprefix("sqla+")
# A task is acknowledged after it ran, not when a worker takes it, and one whose worker process died
# (SIGKILL, out of memory) goes back to the queue: every task must be idempotent (docs/operations.md,
# "Background work"). Each worker process reserves one task at a time, so a killed one holds no others.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds a task taken and not acknowledged stays hidden from other workers on the brokers without
# acknowledgements of their own (Redis, the embedded one); then it is delivered again. Keep it above
# the longest task. AMQP (RabbitMQ) gives an unacknowledged task back when the connection drops.
EGOV_TASK_VISIBILITY_TIMEOUT = float(os.environ.get("EGOV_TASK_VISIBILITY_TIMEOUT") or 3600)
if not CELERY_BROKER_URL.startswith(("amqp", "pyamqp")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": EGOV_TASK_VISIBILITY_TIMEOUT}
# The queue tasks go to and workers read (one RabbitMQ or Redis shared by several deployments).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("EGOV_TASK_QUEUE") or "celery"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", default=EGOV_ENV == "test")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The heads of the audit chain, copied outside the database (egov.audit.actions.audit_anchor_write).
EGOV_AUDIT_ANCHOR_FILE = os.environ.get("EGOV_AUDIT_ANCHOR_FILE") or str(VAR_DIR / "audit-anchors.jsonl")
# Backups (egov.ops, docs/operations.md "Backups and the off-site copy"): pgBackRest's configuration
# file and stanza, how to run it (e.g. "runuser -u postgres -- pgbackrest" when egov runs as root),
# the OS user owning the clusters a restore drill starts (pg_ctl runs as them), PostgreSQL's
# programs, and the file where each run's outcome per repository is kept for /metrics.
EGOV_PGBACKREST_CONFIG = os.environ.get("EGOV_PGBACKREST_CONFIG") or "/etc/pgbackrest/pgbackrest.conf"
EGOV_PGBACKREST_STANZA = os.environ.get("EGOV_PGBACKREST_STANZA") or "egov"
EGOV_PGBACKREST_COMMAND = os.environ.get("EGOV_PGBACKREST_COMMAND") or "pgbackrest"
EGOV_PG_USER = os.environ.get("EGOV_PG_USER", "")
EGOV_PG_BINDIR = os.environ.get("EGOV_PG_BINDIR") or "/usr/lib/postgresql/15/bin"
EGOV_BACKUP_STATE_FILE = os.environ.get("EGOV_BACKUP_STATE_FILE") or str(VAR_DIR / "backup-state.json")
# Seconds between anchors while the chain's head moves (Celery beat; also the least time between two
# anchors written after a commit by one web process). Deleting the newest events is caught once
# they are anchored: at most this long after they were written (docs/operations.md, "Audit").
EGOV_AUDIT_ANCHOR_INTERVAL = float(os.environ.get("EGOV_AUDIT_ANCHOR_INTERVAL") or 60)
# Anchor after the commit of the log's first event and then, in each web process, after a commit at
# most every EGOV_AUDIT_ANCHOR_INTERVAL, so that the tail is anchored even before a worker runs.
# Off in the test suite (anchors there go to a file of each test that asks for them).
EGOV_AUDIT_ANCHOR_ON_COMMIT = _bool("EGOV_AUDIT_ANCHOR_ON_COMMIT", default=EGOV_ENV != "test")
CELERY_BEAT_SCHEDULE = {
    # Wagtail's scheduled publishing and unpublishing (go-live and expiry times), no cron (issue 21)
    "portal-pages-publish-scheduled": {"task": "portal.pages_publish_scheduled", "schedule": 60.0},
    "audit-anchor": {"task": "audit.anchor", "schedule": EGOV_AUDIT_ANCHOR_INTERVAL},
    "accounts-attempts-prune": {"task": "accounts.attempts_prune", "schedule": 3600.0},  # hourly
    "workflow-mark-overdue": {"task": "workflow.mark_overdue", "schedule": 3600.0},  # hourly
    "trust-warn-expiring": {"task": "trust.warn_expiring", "schedule": 86400.0},  # daily
    "services-mark-overdue": {"task": "services.mark_overdue", "schedule": 3600.0},  # hourly
    "services-intake-sweep": {"task": "services.intake_sweep", "schedule": 86400.0},  # daily: failed intake's files
    "facilities-incoming-sweep": {"task": "facilities.incoming_sweep", "schedule": 86400.0},  # daily
    "documents-send-reminders": {"task": "documents.send_reminders", "schedule": 86400.0},  # daily 催办
    "documents-supervision-reminders": {"task": "documents.send_supervision_reminders", "schedule": 86400.0},
    "portal-disclosure-requests": {"task": "portal.disclosure_requests_daily", "schedule": 86400.0},  # daily
    "portal-letters": {"task": "portal.letters_daily", "schedule": 86400.0},  # daily: overdue, reminders
    "exchange-sharing-daily": {"task": "exchange.sharing_daily", "schedule": 86400.0},  # daily: expiry, reminders
    "credit-daily": {"task": "credit.daily", "schedule": 86400.0},  # daily: publish after objections, expire
    # subscriptions the platform delivers in process (docs/exchange.md, "Subscriptions")
    "exchange-subscriptions-deliver": {"task": "exchange.subscriptions_deliver", "schedule": 10.0},
}

if os.environ.get("LOG_FORMAT", "json") not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT: json or plain, not {os.environ['LOG_FORMAT']!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # LOG_FORMAT=json: one JSON object a line with the request id (egov.core.logs.JsonFormatter), for
    # the log collector; the default in production. plain: for a person at a terminal.
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "json": {"()": "egov.core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": os.environ.get("LOG_FORMAT") or ("json" if PRODUCTION else "plain")}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # pyHanko warns on every in-process B-LT signing that fetching is off: by design here (egov.trust.signing).
    "loggers": {"spiff": {"level": "WARNING"},
                "pyhanko.sign.signers.pdf_signer": {"level": "ERROR"},
                # WeasyPrint logs each rendering step at INFO (licences, egov.services.actions.licensing).
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"},
                # Wagtail runs its search-index and reference-index updates as django-tasks, one line each.
                "django_tasks": {"level": "WARNING"}},
}

# Wagtail (egov.portal.pages): the CMS on the staff site, signed in through the staff sign-in.
WAGTAIL_SITE_NAME = "egov"
WAGTAILADMIN_BASE_URL = os.environ.get("EGOV_STAFF_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "staff_accounts:login"
WAGTAIL_I18N_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAILDOCS_EXTENSIONS = ["pdf", "ofd", "docx", "xlsx"]
# Seconds a rendered public page is kept in the shared cache; publishing drops it at once.
EGOV_PAGE_CACHE_SECONDS = int(os.environ.get("EGOV_PAGE_CACHE_SECONDS", "600"))

# Largest attachment of an official document, in MB (egov.documents).
EGOV_DOCUMENT_ATTACHMENT_MAX_MB = int(os.environ.get("EGOV_DOCUMENT_ATTACHMENT_MAX_MB", "20"))
# Supervision items (督查督办) are reminded from this many working days before their deadline.
EGOV_SUPERVISION_REMIND_DAYS = int(os.environ.get("EGOV_SUPERVISION_REMIND_DAYS", "3"))
# Sharing requests (共享申请, egov.exchange.actions.requests), in working days on the platform's calendar:
# the provider decides on 有条件共享 items within DECISION_DAYS and is reminded REMIND_DAYS before;
# the consumer is told EXPIRY_NOTICE_DAYS before a grant expires. A grant runs GRANT_MONTHS unless the
# provider chooses another expiry date.
EGOV_SHARING_DECISION_DAYS = int(os.environ.get("EGOV_SHARING_DECISION_DAYS", "10"))
# The key of the digests "who read my data" finds a person's reads by (audit.actions.subject_key):
# not the identifiers themselves. Changing it hides the reads recorded before.
EGOV_SUBJECT_KEY = os.environ.get("EGOV_SUBJECT_KEY", "") or f"egov.audit.subject:{SECRET_KEY}"
# Working days an organization has to answer a person's question about a read of their data (issue 20).
EGOV_READ_INQUIRY_DAYS = int(os.environ.get("EGOV_READ_INQUIRY_DAYS", "5"))
EGOV_SHARING_REMIND_DAYS = int(os.environ.get("EGOV_SHARING_REMIND_DAYS", "3"))
EGOV_SHARING_EXPIRY_NOTICE_DAYS = int(os.environ.get("EGOV_SHARING_EXPIRY_NOTICE_DAYS", "10"))
EGOV_SHARING_GRANT_MONTHS = int(os.environ.get("EGOV_SHARING_GRANT_MONTHS", "12"))
# Subscriptions delivered by the platform (a node reads the same from its TOML file; seconds):
# a failed delivery is tried again after BASE·2^(n-1) s, at most CAP s (times a random factor in
# [0.5, 1]); an event tried MAX_ATTEMPTS times or MAX_AGE s old is a dead letter; BATCH events a message.
EGOV_SUBSCRIPTION_BACKOFF_BASE = float(os.environ.get("EGOV_SUBSCRIPTION_BACKOFF_BASE", "1"))
EGOV_SUBSCRIPTION_BACKOFF_CAP = float(os.environ.get("EGOV_SUBSCRIPTION_BACKOFF_CAP", "300"))
EGOV_SUBSCRIPTION_MAX_ATTEMPTS = int(os.environ.get("EGOV_SUBSCRIPTION_MAX_ATTEMPTS", "50"))
EGOV_SUBSCRIPTION_MAX_AGE = float(os.environ.get("EGOV_SUBSCRIPTION_MAX_AGE", "259200"))
EGOV_SUBSCRIPTION_BATCH = int(os.environ.get("EGOV_SUBSCRIPTION_BATCH", "100"))
# The longest a provider may grant at once (docs/exchange.md: a grant serves a duty and is reviewed).
EGOV_SHARING_GRANT_MAX_MONTHS = int(os.environ.get("EGOV_SHARING_GRANT_MAX_MONTHS", "36"))
# Resource sources (异源, egov.exchange.sources_secret): the Fernet key (URL-safe base64 of 32 bytes,
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`) that
# encrypts their connection details. Unset: <EGOV_VAR_DIR>/source-key, generated on first use (demo).
EGOV_SOURCE_KEY = os.environ.get("EGOV_SOURCE_KEY", "").strip()
# CSV and XLSX sources are read only from under this folder: whoever sets a source must not make the
# process read its own keys or any other file it can open.
EGOV_SOURCE_FILES_DIR = Path(os.environ.get("EGOV_SOURCE_FILES_DIR") or VAR_DIR / "source-files").resolve()
# Joint credit (egov.credit): working days a subject has to object after the notice of a proposed listing.
EGOV_CREDIT_OBJECTION_DAYS = int(os.environ.get("EGOV_CREDIT_OBJECTION_DAYS", "5"))
# The credit office (信用办) whose seal credit reports and batch checks carry, by its unified social credit code;
# empty: the first organization where someone holds the credit officer's role (egov.credit.reports).
# The demo city's is 无锡市发展和改革委员会.
EGOV_CREDIT_OFFICE = os.environ.get("EGOV_CREDIT_OFFICE", "")
# A credit report's default period, in years back from today; the most subjects of one batch check.
EGOV_CREDIT_REPORT_YEARS = int(os.environ.get("EGOV_CREDIT_REPORT_YEARS", "3"))
EGOV_CREDIT_BATCH_MAX = int(os.environ.get("EGOV_CREDIT_BATCH_MAX", "500"))

EGOV_SITE_NAME = os.environ.get("EGOV_SITE_NAME") or _("e-Government Service Platform")
# The header and footer of both sites (templates/base.html): the city's name, its emblem (an image URL,
# e.g. under /static/; none by default), the citizens' hotline and contacts.
EGOV_CITY_NAME = os.environ.get("EGOV_CITY_NAME") or _("Wuxi")
EGOV_EMBLEM_URL = os.environ.get("EGOV_EMBLEM_URL", "")
EGOV_HOTLINE = os.environ.get("EGOV_HOTLINE", "12345")
EGOV_HOTLINE_NAME = os.environ.get("EGOV_HOTLINE_NAME") or _("Government service hotline")
EGOV_CONTACT_EMAIL = os.environ.get("EGOV_CONTACT_EMAIL", "")
EGOV_CONTACT_ADDRESS = os.environ.get("EGOV_CONTACT_ADDRESS", "")

# Trust (egov.trust): the public address printed in certificates (CRL, OCSP, CA issuer URLs) and
# QR codes; the CA's name; the TSA policy (an OID under 2.25, ITU-T X.667, needs no registration).
# The CA passphrase is read from EGOV_CA_PASSPHRASE when a key is used (egov.trust.keys).
EGOV_PUBLIC_URL = os.environ.get("EGOV_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The portal's page of a published document (portal:disclosure_detail), for the apps below the portal
# that link to it (documents' search for staff); tests/test_sites.py checks it against the URLconf.
EGOV_PUBLISHED_DOCUMENT_PATH = "/disclosure/{pk}/"
# "Who read my data" (exchange_reads:mine; issue 20), linked from the account page (accounts sits below
# registries); tests/test_sites.py checks it against the URLconf.
EGOV_DATA_USE_PATH = "/accounts/me/data-reads/"
# Real-name verification (实名认证, issue 17): the USCC of the organization that runs the accounts; when
# set, registration asks the population and legal-entity registers through the exchange as that
# organization (its grants govern the answer), else in process. See docs/accounts.md.
EGOV_REAL_NAME_CONSUMER = os.environ.get("EGOV_REAL_NAME_CONSUMER", "")
# The provincial identity provider (OpenID Connect) that verifies real names (accounts.oidc); not
# offered without an issuer.
EGOV_OIDC_ISSUER = os.environ.get("EGOV_OIDC_ISSUER", "")
EGOV_OIDC_CLIENT_ID = os.environ.get("EGOV_OIDC_CLIENT_ID", "")
EGOV_OIDC_CLIENT_SECRET = os.environ.get("EGOV_OIDC_CLIENT_SECRET", "")
EGOV_OIDC_ID_CLAIM = os.environ.get("EGOV_OIDC_ID_CLAIM", "id_number")
EGOV_OIDC_NAME_CLAIM = os.environ.get("EGOV_OIDC_NAME_CLAIM", "name")
# "Systems you sign in to" (oidc_account:systems), linked from the account page (accounts sits below
# oidc); tests/test_sites.py checks it against the URLconf.
EGOV_SIGNIN_SYSTEMS_PATH = "/accounts/me/systems/"
EGOV_CA_NAME = os.environ.get("EGOV_CA_NAME", "egov 政务CA")
EGOV_TSA_POLICY_OID = os.environ.get("EGOV_TSA_POLICY_OID", "2.25.285411794484358224890877180322523579696")


def _oidc_signing_key() -> str:
    """The PEM of the RSA key that signs ID tokens (RS256) of the OpenID Connect provider (egov.oidc).

    ``EGOV_OIDC_SIGNING_KEY`` (the PEM itself, e.g. from a secret store; required when several web
    servers share one issuer), else ``<EGOV_VAR_DIR>/oidc-signing-key.pem``, generated (RSA 3072,
    mode 0600) on first start and kept. Never committed.
    """
    pem = os.environ.get("EGOV_OIDC_SIGNING_KEY", "").strip()
    if pem:
        return pem
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from egov.core.keyfiles import key_file_once

    def make() -> bytes:
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    return key_file_once(VAR_DIR / "oidc-signing-key.pem", make).decode()


# One sign-in for the city (统一身份认证): egov is an OpenID Connect provider for agencies' own systems
# (django-oauth-toolkit; egov.oidc, docs/security.md "One sign-in (OpenID Connect)"). Authorization
# code flow with PKCE only; clients are registered with `egov oidc client add`.
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _oidc_signing_key(),
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "egov.oidc.validators.EgovValidator",
    "REQUEST_APPROVAL_PROMPT": "force",  # remembered consent is egov.oidc's (Consent), not token lookup
    "SCOPES": {
        "openid": _("Sign you in (an identifier for you that only this system sees)"),
        "profile": _("Your name and the kind of your account"),
        "identity": _("Your resident ID number or unified social credit code, and whether it is verified"),
        "staff": _("Your organizations and roles (staff)"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["https", "http"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "ID_TOKEN_EXPIRE_SECONDS": 600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "OIDC_ISS_ENDPOINT": os.environ.get("EGOV_OIDC_PROVIDER_ISSUER", ""),
}
# egov.oidc's models point to the client model through this (django-oauth-toolkit's swappable setting).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# 政务服务站 kiosks (portal.views_display): after this many seconds without a touch or key the
# kiosk's session ends (signed out, back to the kiosk's home); a countdown shows for the last
# EGOV_KIOSK_WARN_SECONDS of them.
EGOV_KIOSK_IDLE_SECONDS = int(os.environ.get("EGOV_KIOSK_IDLE_SECONDS", "120"))
EGOV_KIOSK_WARN_SECONDS = int(os.environ.get("EGOV_KIOSK_WARN_SECONDS", "30"))
