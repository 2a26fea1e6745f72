"""The client's address (egov.core.clients.client_address): X-Forwarded-For only from trusted proxies."""

import ipaddress

from django.test import RequestFactory

from egov.core.clients import client_address

PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8:ffff::/48")]


def address(settings, remote, forwarded=None, proxies=PROXIES):
    settings.EGOV_TRUSTED_PROXIES = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_the_peer_is_the_client_and_the_header_is_ignored(settings):
    assert address(settings, "203.0.113.7", "198.51.100.1", proxies=[]) == "203.0.113.7"


def test_an_untrusted_peer_cannot_choose_its_address(settings):
    assert address(settings, "203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_is_read(settings):
    assert address(settings, "10.1.2.3", "198.51.100.1") == "198.51.100.1"


def test_the_walk_goes_from_the_right_past_trusted_hops_only(settings):
    # The client wrote "192.0.2.66" itself; our two proxies appended the real client and the first proxy.
    assert address(settings, "10.1.2.3", "192.0.2.66, 198.51.100.1, 10.9.9.9") == "198.51.100.1"


def test_all_hops_trusted_gives_the_leftmost(settings):
    assert address(settings, "10.1.2.3", "10.4.4.4, 10.9.9.9") == "10.4.4.4"


def test_a_malformed_entry_stops_at_the_proxy_that_passed_it(settings):
    assert address(settings, "10.1.2.3", "198.51.100.1, not-an-address") == "10.1.2.3"


def test_ports_and_ipv6_are_read(settings):
    assert address(settings, "10.1.2.3", "198.51.100.1:51234") == "198.51.100.1"
    assert address(settings, "2001:db8:ffff::1", "[2001:db8::7]:443") == "2001:db8::7"


def test_a_trusted_proxy_without_the_header_is_the_client(settings):
    assert address(settings, "10.1.2.3") == "10.1.2.3"


def test_no_peer_is_no_address(settings):
    assert address(settings, "") == ""
