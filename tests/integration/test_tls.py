"""TLS end to end on a broker of its own, with SASL_SSL (SCRAM) and SSL listeners whose
certificate comes from a CA made for the test (openssl, in a temporary folder).

The worker runs over SASL_SSL; ``distillguard simulate --kafka`` produces the events over SASL_SSL
and ``distillguard decisions`` reads the decisions back over SASL_SSL. The demo gateway, the check
service and the console each run over SSL and over SASL_SSL. A CA that did not sign the broker's
certificate makes every command that connects to Kafka exit at once, naming the CA file.

The broker's ports: ``TLS_TEST_KAFKA_PORT`` (default 9592) for plaintext, +1 for its controller,
+2 for SASL_SSL, +3 for SSL.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.admin import NewTopic

from distillguard.streams.settings import Secret, Settings
from distillguard.streams.tools.console_auth import hash_password
from tests.integration.conftest import ROOT, Worker, isolated_settings, worker_env
from tests.tls_certs import PKI, make_pki

pytestmark = pytest.mark.kafka

PORT = int(os.environ.get("TLS_TEST_KAFKA_PORT", "9592"))
USER, PASSWORD = "distillguard", "tls-s3cret-for-tests-only"
PROTOCOLS = ("SSL", "SASL_SSL")
TRAFFIC = ["--seed", "1", "--hours", "0.25", "--scale", "0.1"]
"""A quarter of an hour of the simulator's traffic (its harvesters and a hydra among chat users)."""


@dataclass(frozen=True)
class TLSBroker:
    """The broker's CA files and its TLS ports."""

    pki: PKI
    ports: dict[str, int]

    def settings(self, base: Settings, protocol: str, ca: Path | None = None) -> Settings:
        """``base`` over ``protocol`` to this broker, trusting ``ca`` (default: the broker's CA)."""
        sasl = {"sasl_username": USER, "sasl_password": Secret(PASSWORD)} if protocol == "SASL_SSL" else {}
        address = f"127.0.0.1:{self.ports[protocol]}"
        return replace(base, broker=address, security_protocol=protocol, ssl_cafile=str(ca or self.pki.ca), **sasl)


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSBroker]:
    """A broker started here from the project's jars (``broker/kafka.sh``) and stopped at the end."""
    folder = tmp_path_factory.mktemp("tls-broker")
    pki = make_pki(folder / "pki")
    env = {
        **os.environ,
        "KAFKA_PORT": str(PORT),
        "KAFKA_SASL_SSL_PORT": str(PORT + 2),
        "KAFKA_SSL_PORT": str(PORT + 3),
        "KAFKA_SSL_KEYSTORE": str(pki.keystore),
        "KAFKA_SSL_KEYSTORE_PASSWORD": pki.password,
        "KAFKA_SASL_USER": USER,
        "KAFKA_SASL_PASSWORD": PASSWORD,
        "KAFKA_STATE_DIR": str(folder / "state"),
        "KAFKA_HEAP": "384m",
    }
    script = str(ROOT / "broker" / "kafka.sh")
    subprocess.run(["bash", script, "up"], env=env, check=True, timeout=180)
    try:
        yield TLSBroker(pki, {"SASL_SSL": PORT + 2, "SSL": PORT + 3})
    finally:
        subprocess.run(["bash", script, "down"], env=env, check=False, timeout=60)


def cli(env: dict[str, str], *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``distillguard ARGV`` to its end, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "distillguard.streams.cli", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextmanager
def service(env: dict[str, str], log: Path, *argv: str) -> Iterator[subprocess.Popen[bytes]]:
    """``distillguard ARGV`` running in the background; stopped with SIGTERM on leaving."""
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "distillguard.streams.cli", *argv], cwd=ROOT, env=env, stdout=fh, stderr=fh
        )
        try:
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[int, bytes]:
    """Status and body of a GET (an error status is returned, not raised)."""
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_for(url: str, ready: Callable[[int, bytes], bool], proc: subprocess.Popen[bytes], log: Path) -> None:
    """Poll ``url`` until ``ready(status, body)``; fail with the log when the process exits or 30 s pass."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if ready(*http_get(url)):
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never ready:\n{log.read_text(errors='replace')[-3000:]}")


def read_topic(s: Settings, topic: str, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """Values of ``topic`` from its start, read over ``s``'s protocol, until ``done`` (or 60 s)."""
    c = KafkaConsumer(topic, **s.kafka_python_config(), group_id=None, auto_offset_reset="earliest")
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    try:
        while not done(out) and time.monotonic() < deadline:
            out += [orjson.loads(r.value) for batch in c.poll(timeout_ms=500).values() for r in batch]
    finally:
        c.close()
    return out


def blocked(decisions: list[dict[str, Any]]) -> list[str]:
    """Accounts with a block, in the order of their first one."""
    out = [d["subject"] for d in decisions if d["action"] == "block" and d["subject_type"] == "account"]
    return list(dict.fromkeys(out))


# A wrong CA: every command that connects fails at once, naming it.

COMMANDS = {
    "worker": ["worker"],
    "producer": ["simulate", "--kafka", "--limit", "1", "--quiet"],
    "decisions": ["decisions", "--seconds", "1"],
    "gateway": ["gateway", "--port", "1"],
    "check service": ["enforcer", "serve", "--port", "1"],
    "console": ["console", "--port", "1"],
}


@pytest.mark.usefixtures("started")  # the worker starts and the events go in meanwhile
@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_wrong_ca_file_fails_at_once_naming_it(
    tls_broker: TLSBroker, tmp_path: Path, protocol: str, command: str
) -> None:
    s = tls_broker.settings(isolated_settings("127.0.0.1:1", "dg-tls"), protocol, ca=tls_broker.pki.other_ca)
    env = worker_env(s, tmp_path / "w", DISTILLGUARD_CONSOLE_USERS=str(tmp_path / "users"))
    t0 = time.monotonic()
    proc = cli(env, *COMMANDS[command], timeout=30)
    assert time.monotonic() - t0 < 10
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert proc.stderr == (
        f"distillguard: TLS: the certificate of broker {s.broker} does not verify with "
        f"DISTILLGUARD_SSL_CAFILE={str(tls_broker.pki.other_ca)!r}: "
        "certificate verify failed (self-signed certificate in certificate chain)\n"
    )


@pytest.mark.usefixtures("started")
def test_tls_settings_on_a_plaintext_listener_fail_at_once(tls_broker: TLSBroker, tmp_path: Path) -> None:
    s = replace(tls_broker.settings(Settings(), "SSL"), broker=f"127.0.0.1:{PORT}")
    proc = cli(worker_env(s, tmp_path / "w"), "decisions", "--seconds", "1", timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"distillguard: TLS: no TLS handshake with broker 127.0.0.1:{PORT} (")
    assert proc.stderr.endswith("): is it a TLS listener?\n")


# The pipeline over TLS.


@dataclass
class Started:
    """The worker over SASL_SSL and the producer tool, started and not yet waited for."""

    base: Settings
    worker: Worker
    producer: subprocess.Popen[str]
    labelled: subprocess.Popen[bytes]
    folder: Path


@pytest.fixture(scope="module")
def started(tls_broker: TLSBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    """``distillguard worker`` and ``distillguard simulate --kafka`` over SASL_SSL, and the same
    traffic written to a file for its labels; stopped at the end of the module."""
    folder = tmp_path_factory.mktemp("tls-pipeline")
    s = tls_broker.settings(isolated_settings("127.0.0.1:1", "dg-tls"), "SASL_SSL")
    admin = KafkaAdminClient(**s.kafka_python_config())
    admin.create_topics([NewTopic(s.topic_events, 4, 1)])
    admin.close()
    env = worker_env(s, folder / "worker")
    worker = Worker(env, folder / "worker.log").start()
    command = [sys.executable, "-m", "distillguard.streams.cli", "simulate", *TRAFFIC, "--quiet"]
    producer = subprocess.Popen(
        [*command, "--kafka", "--speed", "900"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    labelled = subprocess.Popen([*command, "--out", str(folder)], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        yield Started(s, worker, producer, labelled, folder)
    finally:
        for proc in (producer, labelled):
            proc.kill()
            proc.wait(10)
        worker.kill(signal.SIGTERM)


@dataclass
class Pipeline:
    """A worker over SASL_SSL that has acted on simulated traffic produced over SASL_SSL."""

    base: Settings
    worker: Worker
    decisions: list[dict[str, Any]]
    labels: dict[str, str]
    folder: Path


@pytest.fixture(scope="module")
def pipeline(started: Started) -> Pipeline:
    """The started pipeline once the producer is done and the worker has blocked 10 accounts."""
    _, err = started.producer.communicate(timeout=60)
    assert started.producer.returncode == 0, err
    assert started.labelled.wait(60) == 0
    s = started.base
    decisions = read_topic(s, s.topic_decisions, lambda ds: len(blocked(ds)) >= 10)
    accounts = orjson.loads((started.folder / "labels.json").read_bytes())["accounts"]
    labels = {k: v["label"] for k, v in accounts.items()}
    return Pipeline(s, started.worker, decisions, labels, started.folder)


def test_the_worker_acts_on_the_harvesters_over_sasl_ssl(pipeline: Pipeline) -> None:
    """Events in and decisions out over SASL_SSL; ``distillguard decisions`` reads them too; only
    the simulator's attackers are acted on; the SASL password never reaches the log."""
    ds, log = pipeline.decisions, pipeline.worker.log()
    assert len(blocked(ds)) >= 10, log[-3000:]
    acted = {d["subject"] for d in ds if d["subject_type"] == "account" and d["action"] != "allow"}
    assert {pipeline.labels[a] for a in acted} == {"attack"}
    shown = cli(worker_env(pipeline.base, pipeline.folder / "w"), "decisions", "--from-beginning", "--seconds", "2")
    assert shown.returncode == 0, shown.stderr
    lines = [ln.split() for ln in shown.stdout.splitlines() if ln.split()[:2] == ["block", "account"]]
    assert set(blocked(ds)) <= {ln[2] for ln in lines}
    assert PASSWORD not in log
    assert pipeline.worker.alive()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_demo_gateway_enforces_and_produces_over_tls(
    tls_broker: TLSBroker, pipeline: Pipeline, tmp_path: Path, protocol: str
) -> None:
    """The embedded enforcement client refuses a blocked account and serves another; the
    gateway's producer (aiokafka) writes both requests to the events topic."""
    s = tls_broker.settings(pipeline.base, protocol)
    port, log, account, honest = (
        free_port(),
        tmp_path / "gateway.log",
        blocked(pipeline.decisions)[-1],
        f"ok-{protocol}",
    )
    agent = f"tls-test-{protocol}"
    with service(worker_env(s, tmp_path / "w"), log, "gateway", "--port", str(port)) as proc:
        wait_for(f"http://127.0.0.1:{port}/healthz", lambda st, b: orjson.loads(b)["enforcement_ready"], proc, log)
        assert post_message(port, account, agent) == 429
        assert post_message(port, honest, agent) == 200

        def both(events: list[dict[str, Any]]) -> bool:
            return len([e for e in events if e["user_agent"] == agent]) >= 2

        events = [e for e in read_topic(s, s.topic_events, both) if e["user_agent"] == agent]
    assert sorted((e["account_id"], e["status"]) for e in events) == sorted([(account, 429), (honest, 200)])


def post_message(port: int, account: str, agent: str) -> int:
    """The status of one ``POST /v1/messages`` to the demo gateway as ``account``."""
    body = {"model": "m", "max_tokens": 256, "messages": [{"role": "user", "content": "hello there"}]}
    headers = {"x-api-key": f"{account}:k1", "X-Forwarded-For": "98.7.6.5", "User-Agent": agent}
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/messages", data=orjson.dumps(body), headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_check_service_reads_decisions_over_tls(
    tls_broker: TLSBroker, pipeline: Pipeline, tmp_path: Path, protocol: str
) -> None:
    s = tls_broker.settings(pipeline.base, protocol)
    port, log, account = free_port(), tmp_path / "check.log", blocked(pipeline.decisions)[-1]
    with service(worker_env(s, tmp_path / "w"), log, "enforcer", "serve", "--port", str(port)) as proc:
        wait_for(f"http://127.0.0.1:{port}/readyz", lambda st, b: st == 200, proc, log)
        url = f"http://127.0.0.1:{port}/v1/check?ip=98.7.6.5&account="
        status, body = http_get(url + account)
        assert status == 429
        assert f"block {account}" in orjson.loads(body)["reason"]
        assert http_get(url + f"ok-{protocol}")[0] == 200


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_console_reads_and_writes_over_tls(
    tls_broker: TLSBroker, pipeline: Pipeline, tmp_path: Path, protocol: str
) -> None:
    """An analyst releases a blocked account: the verdict goes out over TLS, the worker (over
    SASL_SSL) answers with an allow naming it, and the console's reader shows that allow."""
    s = tls_broker.settings(pipeline.base, protocol)
    account = blocked(pipeline.decisions)[PROTOCOLS.index(protocol)]
    (tmp_path / "users").write_text(f"ana:analyst:{hash_password('ana-password')}\n")
    env = worker_env(s, tmp_path / "w", DISTILLGUARD_CONSOLE_USERS=str(tmp_path / "users"))
    port, log = free_port(), tmp_path / "console.log"
    with service(env, log, "console", "--port", str(port)) as proc:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/livez", lambda st, b: st == 200, proc, log)
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        browser.open(f"{base}/login", data=form(name="ana", password="ana-password"), timeout=10).read()
        page = wait_for_page(browser, f"{base}/subject/account/{account}", 'class="action block"', proc, log)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf is not None
        fields = {"csrf": csrf.group(1), "subject_type": "account", "subject": account, "verdict": "release"}
        browser.open(f"{base}/verdict", data=form(**fields, hours="1", note="tls test"), timeout=20).read()
        page = wait_for_page(browser, f"{base}/subject/account/{account}", 'class="action allow"', proc, log)
    assert "Released</b> by ana" in page
    assert re.search(r"analyst release v-[0-9a-f]+: ana: tls test", page), page[-2000:]


def form(**fields: str) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def wait_for_page(
    browser: urllib.request.OpenerDirector, url: str, needle: str, proc: subprocess.Popen[bytes], log: Path
) -> str:
    """The page at ``url`` once it shows ``needle`` (within 30 s)."""
    page = ""
    deadline = time.monotonic() + 30
    while needle not in page and time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        page = http_get(url, browser)[1].decode()
        time.sleep(0.3)
    assert needle in page, page[-2000:]
    return page
