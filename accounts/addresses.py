"""Which address a request came from: the one place that reads REMOTE_ADDR and X-Forwarded-For.

The audit trail, the failed sign-in counts and the per-address sign-in throttle all use it.
X-Forwarded-For is read only as far as TRUSTED_PROXY_COUNT proxies of our own vouch for it: each
proxy appends the address it was connected from, so with N proxies the entry N from the right was
written by the outermost one, and anything left of it was written by the client and is ignored.

The standard library's `ipaddress` does the parsing. django-ipware was considered: by default it
also believes headers any client can send (X-Real-IP, Client-IP, ...), counts proxies differently
(REMOTE_ADDR not included) and is in the middle of a rewrite; these few lines are easier to check.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

# Failed sign-ins from one IPv6 subscriber are counted together: a /64 is what one home or office
# line is usually given, and an attacker holding one can use any address inside it.
IPV6_THROTTLE_PREFIX = 64


def parse_ip(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a header entry, or None if it is not one. Accepts a port after it
    (`1.2.3.4:5678`, `[2001:db8::1]:443`), as some proxies write; drops an IPv6 zone and unwraps
    an IPv4 address written as IPv6, so that the database's address column takes the value."""
    if not value:
        return None
    text = value.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address, as far as the trusted proxies vouch for it. Never fails: a
    malformed or missing header gives the nearest address that is well formed."""
    if request is None:
        return None
    meta = request.META
    nearest = parse_ip(meta.get("REMOTE_ADDR"))
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return nearest
    forwarded = [entry for entry in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if entry.strip()]
    # Walk from our side outwards over the entries our proxies wrote; stop at one that is not an
    # address (a proxy never writes one, so something is wrong and nothing further left can count).
    client = nearest
    for entry in reversed(forwarded[-trusted:]):
        address = parse_ip(entry)
        if address is None:
            break
        client = address
    return client


def client_ip(request) -> str | None:
    """The client's address as text, for the audit trail and the failure counts."""
    address = client_address(request)
    return str(address) if address is not None else None


def throttle_key(request) -> str:
    """What the sign-in throttle counts failures by: the IPv4 address, or the IPv6 /64."""
    return network_key(client_address(request))


def network_key(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> str:
    if address is None:
        # No usable address at all (a misconfigured socket): such requests share one count.
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_THROTTLE_PREFIX), strict=False))
    return str(address)
