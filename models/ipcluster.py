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
