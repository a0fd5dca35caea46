"""IP clustering: IPv4 /24, IPv6 /48, invalid input."""

from __future__ import annotations

import pytest

from distillguard.models.ipcluster import InvalidIP, ip_cluster


@pytest.mark.parametrize(
    ("ip", "cluster"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("10.0.0.1", "10.0.0.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("2001:DB8::1", "2001:db8::/48"),
    ],
)
def test_clusters(ip: str, cluster: str) -> None:
    """IPv4 maps to its /24, IPv6 to its /48, IPv4-mapped IPv6 to the IPv4 /24."""
    assert ip_cluster(ip) == cluster


def test_prefixes_are_configurable() -> None:
    """Other prefix lengths are honoured."""
    assert ip_cluster("203.0.113.77", 16, 48) == "203.0.0.0/16"
    assert ip_cluster("2001:db8:abcd:12::1", 24, 32) == "2001:db8::/32"


@pytest.mark.parametrize("ip", ["", "1.2.3", "256.1.1.1", "a.b.c.d", "1.2.3.4/24", "::g", " 1.2.3.4"])
def test_invalid(ip: str) -> None:
    """Anything that is not one address is refused."""
    with pytest.raises(InvalidIP):
        ip_cluster(ip)
