"""The address of the client that sent a request, read through the trusted proxies only.

Every place that needs the client's address (the audit log's request context, sign-in throttling,
registration limits) calls ``client_address``; nothing else reads ``REMOTE_ADDR`` or
``X-Forwarded-For``.
"""

import ipaddress

from django.conf import settings


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443", as some proxies write IPv6
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request) -> str:
    """The client's IP address as text ("" when there is none, as in tests without a peer).

    The peer (``REMOTE_ADDR``) is the client unless it is one of ``settings.EGOV_TRUSTED_PROXIES``
    (a list of ``ipaddress`` networks, from the ``EGOV_TRUSTED_PROXIES`` environment variable: CIDRs,
    comma separated; none by default). Only then is ``X-Forwarded-For`` read, from the right (the
    entry the nearest proxy appended) to the left, skipping the entries that are trusted proxies
    too: the first untrusted entry is the client. Entries left of it were written by the client or
    its own proxies and can be forged, so they are never used (MDN "X-Forwarded-For": selecting an
    IP address; RFC 7239 section 8.3). A malformed entry ends the walk at the proxy that passed it on.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    networks = getattr(settings, "EGOV_TRUSTED_PROXIES", [])
    if not networks or not _trusted(peer, networks):
        return str(peer)
    client = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        hop = _address(entry)
        if hop is None:
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return str(client)
