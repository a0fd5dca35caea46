"""A TLS handshake with the bootstrap brokers before any Kafka client starts.

Kafka clients treat a certificate they cannot verify like a broker that is down: kafka-python
gives up after 30 s with "Unable to bootstrap", and the worker's and the gateways' readers retry
for ever. A wrong ``DISTILLGUARD_SSL_CAFILE`` (or a TLS setting pointed at a plaintext listener)
is found here instead, in one handshake, and named.
"""

from __future__ import annotations

import socket
import ssl

from distillguard.streams.settings import PREFIX, Settings


class BrokerTLSError(RuntimeError):
    """A broker's TLS cannot be verified with the settings' CA certificates (one line)."""


def bootstrap_addresses(broker: str) -> list[tuple[str, int]]:
    """``(host, port)`` of each bootstrap server (an IPv6 host in brackets; port 9092 if none);
    an entry whose port is not a number is left out (for the clients to report).

    >>> bootstrap_addresses("b1:9096, [::1]:9093,b2,b3:x")
    [('b1', 9096), ('::1', 9093), ('b2', 9092)]
    """
    out = []
    for item in (b.strip() for b in broker.split(",")):
        host, sep, port = item.rpartition(":")
        if not sep or host.endswith(":") or (host.startswith("[") != host.endswith("]")):
            host, port = item, "9092"
        if item and port.isdigit():
            out.append((host.strip("[]"), int(port)))
    return out


def check_broker_tls(settings: Settings, timeout_s: float = 5.0) -> None:
    """Raise :class:`BrokerTLSError` when a reachable bootstrap broker does not complete a verified
    TLS handshake; nothing without TLS. A broker that cannot be reached is left to the clients,
    which wait for it as for any broker that is down."""
    ctx = settings.ssl_context()
    if ctx is None:
        return
    trust = f"{PREFIX}SSL_CAFILE={settings.ssl_cafile!r}" if settings.ssl_cafile else "the system's CA certificates"
    for host, port in bootstrap_addresses(settings.broker):
        _handshake(ctx, host, port, timeout_s, trust)


def _handshake(ctx: ssl.SSLContext, host: str, port: int, timeout_s: float, trust: str) -> None:
    try:
        sock = socket.create_connection((host, port), timeout=timeout_s)
    except OSError:
        return
    where = f"broker {host}:{port}"
    try:
        with ctx.wrap_socket(sock, server_hostname=host):
            return
    except ssl.SSLCertVerificationError as err:
        raise BrokerTLSError(
            f"the certificate of {where} does not verify with {trust}: certificate verify failed ({err.verify_message})"
        ) from None
    except ssl.SSLError as err:
        raise BrokerTLSError(f"no TLS handshake with {where} ({err.reason}): is it a TLS listener?") from None
    except OSError:
        return  # reset or timed out mid-handshake: left to the clients, as for a broker that is down
    finally:
        sock.close()
