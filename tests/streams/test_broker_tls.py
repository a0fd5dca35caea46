"""TLS without a broker: the CA file is checked when the settings are read, every Kafka client gets
one SSL context, and the handshake check before a command starts names a CA that does not verify
the broker. The CA is made with openssl at test time; the "broker" is a TLS server in the test."""

from __future__ import annotations

import dataclasses
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import faust
import pytest

from distillguard.streams.broker_tls import BrokerTLSError, check_broker_tls
from distillguard.streams.cli import build_parser, main, uses_kafka
from distillguard.streams.settings import Secret, Settings, SettingsError
from distillguard.streams.worker.app import _credentials
from tests.tls_certs import PKI, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _serve(listener: socket.socket, ctx: ssl.SSLContext | None, accepted: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        accepted.append(1)
        conn.settimeout(5)
        with conn:
            try:
                if ctx is None:  # a plaintext service: reads the ClientHello, answers in clear text
                    conn.recv(4096)
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
                else:
                    ctx.wrap_socket(conn, server_side=True).close()
            except OSError:
                pass  # the client gave up the handshake


@contextmanager
def server(pki: PKI, tls: bool = True) -> Iterator[tuple[str, list[int]]]:
    """A server on 127.0.0.1 with the broker's certificate (or none: ``tls=False``); yields its
    ``host:port`` and a list that grows by one per connection."""
    ctx = None
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pki.cert, pki.key)
    accepted: list[int] = []
    stop = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.1)
        thread = threading.Thread(target=_serve, args=(listener, ctx, accepted, stop), daemon=True)
        thread.start()
        try:
            yield f"127.0.0.1:{listener.getsockname()[1]}", accepted
        finally:
            stop.set()
            thread.join(5)


def tls(broker: str, ca: Path | str, protocol: str = "SSL") -> Settings:
    return dataclasses.replace(
        Settings(), broker=broker, security_protocol=protocol, ssl_cafile=str(ca), sasl_password=Secret("pw")
    )


def handshake(ctx: ssl.SSLContext, broker: str) -> None:
    host, port = broker.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock, ctx.wrap_socket(sock, server_hostname=host):
        pass


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("missing", "cannot be read as a CA file (No such file or directory)"),
        ("folder", "cannot be read as a CA file (Is a directory)"),
        ("key", "holds no PEM CA certificate (NO_CERTIFICATE_OR_CRL_FOUND)"),
        ("empty", "holds no PEM CA certificate (NO_CERTIFICATE_OR_CRL_FOUND)"),
    ],
)
def test_a_ca_file_that_cannot_be_used_is_a_settings_error(pki: PKI, tmp_path: Path, case: str, fragment: str) -> None:
    (tmp_path / "empty.pem").write_text("")
    path = {"missing": tmp_path / "nope.pem", "folder": tmp_path, "key": pki.key, "empty": tmp_path / "empty.pem"}[case]
    for protocol in ("SSL", "SASL_SSL"):
        with pytest.raises(SettingsError) as err:
            tls("127.0.0.1:9093", path, protocol)
        assert str(err.value) == f"DISTILLGUARD_SSL_CAFILE={str(path)!r} {fragment}"
    for protocol in ("PLAINTEXT", "SASL_PLAINTEXT"):  # not read without TLS
        assert tls("127.0.0.1:9093", path, protocol).ssl_context() is None


def test_the_command_names_a_missing_ca_file_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DISTILLGUARD_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("DISTILLGUARD_SSL_CAFILE", str(tmp_path / "ca.pem"))
    assert main(["decisions", "--seconds", "0"]) == 2
    assert capsys.readouterr().err == (
        f"distillguard: bad settings: DISTILLGUARD_SSL_CAFILE={str(tmp_path / 'ca.pem')!r} "
        "cannot be read as a CA file (No such file or directory)\n"
    )


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
def test_every_client_verifies_the_broker_with_the_ca_file(pki: PKI, protocol: str) -> None:
    """kafka-python, aiokafka and Faust get a context that trusts the CA file and no other."""
    with server(pki) as (broker, _):
        right, wrong = tls(broker, pki.ca, protocol), tls(broker, pki.other_ca, protocol)
        creds = _credentials(right)
        if protocol == "SASL_SSL":
            assert isinstance(creds, faust.SASLCredentials)
            assert creds.protocol == faust.types.auth.AuthProtocol.SASL_SSL
            faust_ctx = creds.ssl_context
        else:
            faust_ctx = creds
        contexts = [right.kafka_python_config()["ssl_context"], right.aiokafka_config()["ssl_context"], faust_ctx]
        for ctx in contexts:
            handshake(ctx, broker)
        with pytest.raises(ssl.SSLCertVerificationError):
            handshake(wrong.kafka_python_config()["ssl_context"], broker)
    assert right.aiokafka_config()["security_protocol"] == protocol
    assert ("sasl_plain_password" in right.aiokafka_config()) == protocol.startswith("SASL")
    assert "ssl_cafile" not in right.kafka_python_config()
    assert "ssl_context" not in tls(broker, pki.ca, "SASL_PLAINTEXT").aiokafka_config()


def test_the_handshake_check_passes_a_broker_the_ca_signed(pki: PKI) -> None:
    with server(pki) as (broker, accepted):
        check_broker_tls(tls(broker, pki.ca))
        check_broker_tls(tls(broker, pki.ca, "SASL_SSL"))
        assert len(accepted) == 2
        check_broker_tls(dataclasses.replace(Settings(), broker=broker))  # PLAINTEXT: no handshake
        assert len(accepted) == 2


def test_the_handshake_check_names_a_ca_that_does_not_verify_the_broker(pki: PKI) -> None:
    with server(pki) as (broker, _), pytest.raises(BrokerTLSError) as err:
        check_broker_tls(tls(f"127.0.0.1:1,{broker}", pki.other_ca))  # port 1: unreachable, skipped
    assert str(err.value) == (
        f"the certificate of broker {broker} does not verify with DISTILLGUARD_SSL_CAFILE={str(pki.other_ca)!r}: "
        "certificate verify failed (unable to get local issuer certificate)"  # the server sends no chain
    )


def test_the_handshake_check_names_a_listener_without_tls(pki: PKI) -> None:
    with server(pki, tls=False) as (broker, _), pytest.raises(BrokerTLSError) as err:
        check_broker_tls(tls(broker, pki.ca))
    assert str(err.value).startswith(f"no TLS handshake with broker {broker} (")
    assert str(err.value).endswith("): is it a TLS listener?")


def test_a_broker_that_cannot_be_reached_is_left_to_the_clients(pki: PKI) -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    check_broker_tls(tls(f"127.0.0.1:{port}", pki.other_ca))  # closed port: no error, no wait


def test_the_command_exits_1_naming_the_ca_before_any_client_starts(
    pki: PKI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with server(pki) as (broker, _):
        monkeypatch.setenv("DISTILLGUARD_BROKER", broker)
        monkeypatch.setenv("DISTILLGUARD_SECURITY_PROTOCOL", "SSL")
        monkeypatch.setenv("DISTILLGUARD_SSL_CAFILE", str(pki.other_ca))
        assert main(["decisions", "--seconds", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"distillguard: TLS: the certificate of broker {broker} does not verify with ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "kafka"),
    [
        (["worker"], True),
        (["gateway"], True),
        (["enforcer", "serve"], True),
        (["console"], True),
        (["decisions"], True),
        (["simulate", "--kafka"], True),
        (["simulate", "--out", "x"], False),
        (["console", "hash-password", "--name", "n"], False),
        (["replay", "e.jsonl", "-o", "d.jsonl"], False),
        (["eval", "e.jsonl", "l.json"], False),
    ],
)
def test_the_commands_that_connect_to_kafka_check_tls_first(argv: list[str], kafka: bool) -> None:
    assert uses_kafka(build_parser().parse_args(argv)) is kafka
