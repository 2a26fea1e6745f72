"""A node's configuration file (``exchange/config.py``): flags are TOML booleans, bad values are one
clear line (tester9: ``log_extract_bodies = "false"`` was read as true)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from egov.exchange.config import config_load

BASE = """org = "11320200MB0000000X"
host = "node.example"
key_file = "k.pem"
cert_file = "c.pem"
root_file = "r.pem"
platform_url = "https://platform.example/"
"""


def _load(tmp_path, extra: str):
    path = tmp_path / "node.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    return config_load(path)


def test_flags_are_booleans_and_default_to_false(tmp_path):
    config = _load(tmp_path, "")
    assert (config.log_extract_bodies, config.plain_baseline) == (False, False)
    assert _load(tmp_path, "log_extract_bodies = true\n").log_extract_bodies is True
    assert config.platform_url == "https://platform.example"


@pytest.mark.parametrize("line", ['log_extract_bodies = "false"', "plain_baseline = 1", 'max_attempts = "many"'])
def test_a_value_of_the_wrong_type_is_refused_in_one_line(tmp_path, line):
    with pytest.raises(ImproperlyConfigured) as refused:
        _load(tmp_path, line + "\n")
    message = str(refused.value)
    assert message.startswith("node configuration ") and "\n" not in message
    assert line.split(" =")[0] in message or "invalid literal" in message
