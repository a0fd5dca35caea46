"""IP clusters: the /24 of an IPv4 address and the /48 of an IPv6 address (configurable)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache


class InvalidIP(ValueError):
    """The string is not an IPv4 or IPv6 address."""


@lru_cache(maxsize=65536)
def ip_cluster(ip: str, v4_prefix: int = 24, v6_prefix: int = 48) -> str:
    """Return the CIDR cluster that ``ip`` belongs to.

    Examples
    --------
    >>> ip_cluster("203.0.113.77")
    '203.0.113.0/24'
    >>> ip_cluster("2001:db8:abcd:12::1")
    '2001:db8:abcd::/48'
    """
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        raise InvalidIP(f"not an IP address: {ip[:64]!r}") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    prefix = v4_prefix if addr.version == 4 else v6_prefix
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def ip_host(ip: str) -> str:
    """The host behind an address: an IPv4 address itself, an IPv6 one's /64 (its first four
    groups, written out). A /64 is one link, and a host picks new interface ids inside it as it
    likes (temporary addresses, RFC 8981): counted whole, one laptop would look like a rotating
    pool. Only IPv6 is parsed (and cached): most addresses pass through unchanged.

    >>> ip_host("203.0.113.77"), ip_host("2001:db8:1:2:aaaa::1") == ip_host("2001:db8:1:2:bbbb::7")
    ('203.0.113.77', True)
    >>> ip_host("2001:db8:1:3::1") == ip_host("2001:db8:1:2::1"), ip_host("::ffff:1.2.3.4")
    (False, '1.2.3.4')
    """
    return ip if ":" not in ip else _v6_host(ip)


@lru_cache(maxsize=65536)
def _v6_host(ip: str) -> str:
    try:
        addr = ipaddress.IPv6Address(ip)
    except ValueError:
        return ip
    mapped = addr.ipv4_mapped
    return str(mapped) if mapped is not None else addr.exploded[:19]
