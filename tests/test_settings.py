"""Settings from the environment: unsafe production settings refuse to start with one line."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

STRONG_KEY = "k" * 20 + "-production-only-secret-" + "9" * 10
PRODUCTION = {"EGOV_ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "egov.example.cn",
              "DATABASE_URL": "postgres://egov@db.example.cn:5432/egov", "DEBUG": "0"}


def egov(args: list[str], env_changes: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``egov`` with the configuration in ``env_changes`` only (none inherited from this process)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
                                                             "EGOV_ENV", "EGOV_SITE"}}
    env.update({"EGOV_VAR_DIR": str(tmp_path), **env_changes})
    return subprocess.run([sys.executable, "-m", "egov.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_safe_production_settings_start(tmp_path):
    completed = egov(["check"], PRODUCTION, tmp_path)
    assert completed.returncode == 0, completed.stderr


@pytest.mark.parametrize(("changes", "drop", "why"), [
    ({"DEBUG": "1"}, (), "DEBUG"),
    ({}, ("SECRET_KEY",), "SECRET_KEY"),
    ({"SECRET_KEY": "change-me"}, (), "SECRET_KEY"),
    ({"SECRET_KEY": "django-insecure-" + "x" * 40}, (), "SECRET_KEY"),
    ({"SECRET_KEY": "short-but-not-default"}, (), "SECRET_KEY"),
    ({"SECRET_KEY": "k" * 47}, (), "SECRET_KEY"),  # long, but one character (found by a tester)
    ({}, ("ALLOWED_HOSTS",), "ALLOWED_HOSTS"),
    ({"ALLOWED_HOSTS": " , "}, (), "ALLOWED_HOSTS"),
    ({}, ("DATABASE_URL",), "DATABASE_URL"),
])
def test_unsafe_production_settings_refuse_with_one_line(tmp_path, changes, drop, why):
    env = {k: v for k, v in PRODUCTION.items() if k not in drop} | changes
    completed = egov(["check"], env, tmp_path)
    assert completed.returncode == 2
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("egov: production refuses to start") and why in lines[0]
    assert completed.stdout == ""


def test_unknown_site_refuses_to_start(tmp_path):
    completed = egov(["check"], {"EGOV_ENV": "demo", "EGOV_SITE": "intranet"}, tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip() == "egov: EGOV_SITE must be public, staff, all or node, not 'intranet'"


@pytest.mark.parametrize(("changes", "line"), [
    ({"EGOV_TRUSTED_PROXIES": "10.0.0.0/8, proxy.example"},
     "egov: EGOV_TRUSTED_PROXIES: 'proxy.example' is not an IP address or CIDR network"),
    ({"EGOV_SIGNIN_MAX_WAIT": "15m"}, "egov: EGOV_SIGNIN_MAX_WAIT must be a whole number, not '15m'"),
])
def test_bad_throttling_settings_refuse_to_start_with_one_line(tmp_path, changes, line):
    completed = egov(["check"], {"EGOV_ENV": "demo", **changes}, tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip() == line


def test_argon2_is_the_password_hasher_outside_tests(tmp_path):
    script = ("import django; django.setup(); from django.conf import settings; "
              "from django.contrib.auth.hashers import make_password; "
              "print(settings.PASSWORD_HASHERS[0]); print(make_password('correct-horse-2026').split('$')[0])")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update({"EGOV_ENV": "demo", "EGOV_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "egov.settings"})
    completed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "argon2"]
    # The demo's generated secret key stays private to its owner.
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_demo_refuses_a_taken_port_with_one_line(tmp_path):
    """Found by a tester: with the port taken, the demo printed its sign-ins and "press Ctrl-C", then
    failed seconds later with only "serve stopped unexpectedly"."""
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = egov(["demo", "--port", str(port)], {"EGOV_ENV": "demo"}, tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        f"CommandError: 127.0.0.1:{port} is in use (Address already in use): stop what serves it or choose another "
        "port (egov demo --port N, make demo PORT=N)"]
    assert "press Ctrl-C" not in completed.stdout


def test_the_demo_links_to_its_own_address(tmp_path):
    """Found by a tester: with ``make demo PORT=8031`` the staff search linked to port 8000."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "EGOV_PUBLIC_URL"}}
    env.update({"EGOV_ENV": "demo", "EGOV_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "egov.settings"})
    completed = subprocess.run([sys.executable, "-m", "egov.cli", "demo", "--prepare-only", "--port", "8031"],
                               env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "public address in links, certificates and QR codes: http://127.0.0.1:8031" in completed.stdout


def test_an_unknown_cache_url_refuses_to_start_and_the_default_is_shared_by_processes(tmp_path):
    completed = egov(["check"], {"EGOV_ENV": "demo", "EGOV_CACHE_URL": "memcached://127.0.0.1:11211"}, tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.strip() == ("egov: EGOV_CACHE_URL must begin redis://, rediss://, unix://, file://, "
                                        "locmem:// or be dummy://: memcached://127.0.0.1:11211")
    # The demo's default: a file cache under var/ that every process of the machine reads.
    code = ("from django.conf import settings; import django; django.setup(); "
            "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])")
    env = {k: v for k, v in os.environ.items() if k not in {"EGOV_ENV", "EGOV_CACHE_URL", "DATABASE_URL"}}
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                           env={**env, "EGOV_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "egov.settings"})
    assert shown.stdout.split() == ["django.core.cache.backends.filebased.FileBasedCache", str(tmp_path / "cache")]
