"""A throwaway certificate authority for the TLS tests, made with ``openssl`` at test time."""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
BROKER_EXTENSIONS = """\
subjectAltName=IP:127.0.0.1,DNS:localhost
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
"""


@dataclass(frozen=True)
class PKI:
    """The files a TLS test needs; all in one temporary folder."""

    ca: Path
    """The CA certificate that signed the broker's certificate (``DISTILLGUARD_SSL_CAFILE``)."""
    other_ca: Path
    """A CA certificate that signed nothing the broker presents (a wrong ``SSL_CAFILE``)."""
    keystore: Path
    """The broker's PKCS12 keystore: its key and certificate chain for 127.0.0.1."""
    password: str
    """The keystore's password."""
    cert: Path
    """The broker's certificate (PEM), for a TLS server in a test."""
    key: Path
    """The broker's private key (PEM, unencrypted)."""


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=30)


def _make_ca(folder: Path, name: str) -> None:
    _openssl(
        folder,
        "req", "-x509", *EC_KEY, "-days", "2", "-subj", f"/CN={name}",
        "-keyout", f"{name}.key", "-out", f"{name}.pem",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip


def _make_broker_cert(folder: Path, ca: str) -> None:
    (folder / "broker.ext").write_text(BROKER_EXTENSIONS)
    _openssl(folder, "req", *EC_KEY, "-subj", "/CN=127.0.0.1", "-keyout", "broker.key", "-out", "broker.csr")
    _openssl(
        folder,
        "x509", "-req", "-in", "broker.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
        "-set_serial", str(secrets.randbits(63)), "-days", "2", "-extfile", "broker.ext", "-out", "broker.pem",
    )  # fmt: skip


def make_pki(folder: Path) -> PKI:
    """A CA, a broker certificate for 127.0.0.1 signed by it in a PKCS12 keystore, and a second,
    unrelated CA, written to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    _make_ca(folder, "test-ca")
    _make_ca(folder, "other-ca")
    _make_broker_cert(folder, "test-ca")
    password = secrets.token_hex(12)
    _openssl(
        folder,
        "pkcs12", "-export", "-in", "broker.pem", "-inkey", "broker.key", "-certfile", "test-ca.pem",
        "-name", "kafka", "-out", "broker.p12", "-passout", f"pass:{password}",
    )  # fmt: skip
    return PKI(
        folder / "test-ca.pem",
        folder / "other-ca.pem",
        folder / "broker.p12",
        password,
        folder / "broker.pem",
        folder / "broker.key",
    )
