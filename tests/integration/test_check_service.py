"""``distillguard enforcer serve`` on the real broker: rebuilt from the compacted decisions topic,
following it live, shared by concurrent callers, and failing open or closed without a broker."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from distillguard.models.decision import Decision
from tests.factories import firehose
from tests.integration.conftest import (
    ROOT,
    Topics,
    Worker,
    consume_until,
    isolated_settings,
    produce,
    values,
    worker_env,
)

pytestmark = pytest.mark.kafka


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def decision(subject: str, action: str, limit: int | None = None, ttl: int = 3600, **kw: Any) -> dict[str, Any]:
    return Decision(
        time.time(),
        kw.pop("subject_type", "account"),
        subject,
        action,
        ttl,
        0.9,
        ("template_share 0.8",),
        f"e-{subject}-{action}",
        0.0,
        limit,
        **kw,
    ).to_dict()


def send_decisions(broker: str, topic: str, decisions: list[dict[str, Any]]) -> None:
    produce(broker, topic, [(str(d["subject"]).encode(), orjson.dumps(d)) for d in decisions])


def create_compacted(broker: str, topic: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=broker)
    admin.create_topics([NewTopic(topic, 2, 1, topic_configs={"cleanup.policy": "compact"})])
    admin.close()


@dataclass
class Service:
    """A running ``distillguard enforcer serve`` subprocess."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def check(self, **q: str) -> tuple[int, dict[str, str], bytes]:
        return get(f"{self.url}/v1/check?" + "&".join(f"{k}={v}" for k, v in q.items()))

    def wait_ready(self, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                status, _, body = get(f"{self.url}/readyz")
                if status == 200:
                    return dict(orjson.loads(body))
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"not ready in {timeout} s:\n{self.log.read_text()[-3000:]}")

    def wait_listening(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if get(f"{self.url}/livez")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(self.log.read_text()[-3000:])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def start_service(env: dict[str, str], log: Path, *args: str) -> Service:
    port = free_port()
    fh = log.open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "distillguard.streams.cli", "enforcer", "serve", "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=fh,
        stderr=subprocess.STDOUT,
    )
    return Service(proc, port, log)


@pytest.fixture
def service_env(broker: str, tmp_path: Path) -> dict[str, str]:
    s = isolated_settings(broker, "dg-check")
    create_compacted(broker, s.topic_decisions)
    return worker_env(s, tmp_path / "unused")


@pytest.fixture
def services() -> Iterator[list[Service]]:
    started: list[Service] = []
    yield started
    for s in started:
        s.stop()


def test_rebuilds_from_the_topic_then_follows_it_live(
    broker: str, service_env: dict[str, str], services: list[Service], tmp_path: Path
) -> None:
    """Decisions written before the start are in force once /readyz says so; a block, a lift and
    a v1 decision written afterwards take effect within seconds."""
    topic = service_env["DISTILLGUARD_TOPIC_DECISIONS"]
    v1 = {
        k: v
        for k, v in decision("old-v1", "block").items()
        if k
        in {
            "decision_id",
            "ts",
            "subject_type",
            "subject",
            "action",
            "limit_rpm",
            "ttl_s",
            "score",
            "reasons",
            "trigger_event_id",
            "trigger_event_ts",
        }
    }
    send_decisions(
        broker,
        topic,
        [
            decision("a1", "block"),
            decision("lifted", "block"),
            decision("lifted", "allow"),
            decision("k9", "block", subject_type="api_key"),
            v1,
        ],
    )
    svc = start_service(service_env, tmp_path / "check.log")
    services.append(svc)
    ready = svc.wait_ready()
    assert ready["decisions_applied"] == 5
    assert ready["rules_in_force"] == 3
    status, headers, body = svc.check(account="a1", ip="198.51.100.7")
    assert status == 429
    assert headers["X-Distillguard-Action"] == "block"
    assert orjson.loads(body)["reason_codes"] == ["template_sweep"]
    assert svc.check(account="old-v1")[0] == 429
    assert svc.check(account="lifted")[0] == 200
    assert svc.check(account="x", api_key="k9")[0] == 429
    assert svc.check(account="honest", ip="198.51.100.8")[0] == 200

    send_decisions(broker, topic, [decision("a2", "block"), decision("a1", "allow")])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (svc.check(account="a2")[0], svc.check(account="a1")[0]) != (429, 200):
        time.sleep(0.2)
    assert (svc.check(account="a2")[0], svc.check(account="a1")[0]) == (429, 200)


def test_one_throttle_for_two_gateway_replicas(
    broker: str, service_env: dict[str, str], services: list[Service], tmp_path: Path
) -> None:
    """limit_rpm=20 and two replicas calling the service over HTTP for 3 s from their own
    threads: 20 (the burst) + 1 (3 s of refill) admitted in all, not 20 each."""
    send_decisions(broker, service_env["DISTILLGUARD_TOPIC_DECISIONS"], [decision("t1", "throttle", limit=20)])
    svc = start_service(service_env, tmp_path / "check.log")
    services.append(svc)
    svc.wait_ready()
    counts: list[list[int]] = [[0, 0], [0, 0]]
    stop = time.monotonic() + 3.0

    def replica(i: int) -> None:
        while time.monotonic() < stop:
            status = svc.check(account="t1", ip="198.51.100.7")[0]
            counts[i][0 if status == 200 else 1] += 1

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    admitted = counts[0][0] + counts[1][0]
    assert 20 <= admitted <= 22, counts
    assert counts[0][1] > 0
    assert counts[1][1] > 0


def test_shadow_decision_is_admitted_and_counted(
    broker: str, service_env: dict[str, str], services: list[Service], tmp_path: Path
) -> None:
    """A decision sent in shadow mode refuses nothing; the service says what it would have done."""
    send_decisions(broker, service_env["DISTILLGUARD_TOPIC_DECISIONS"], [decision("s1", "block", enforce=False)])
    svc = start_service(service_env, tmp_path / "check.log")
    services.append(svc)
    svc.wait_ready()
    results = [svc.check(account="s1") for _ in range(3)]
    assert [r[0] for r in results] == [200, 200, 200]
    assert {r[1]["X-Distillguard-Shadow"] for r in results} == {"block"}
    metrics = get(f"{svc.url}/metrics")[2].decode()
    assert 'distillguard_check_shadow_refusals_total{action="block"} 3.0' in metrics


@pytest.mark.parametrize("fail_closed", [False, True])
def test_without_a_broker_it_fails_open_or_closed_as_set(
    service_env: dict[str, str], services: list[Service], tmp_path: Path, fail_closed: bool
) -> None:
    """Broker unreachable: never ready; every check is admitted (default) or refused with
    --fail-closed, and the metrics and the log say which."""
    env = service_env | {"DISTILLGUARD_BROKER": f"127.0.0.1:{free_port()}"}
    svc = start_service(env, tmp_path / "check.log", "--stale-after", "1", *(["--fail-closed"] if fail_closed else []))
    services.append(svc)
    svc.wait_listening()
    time.sleep(1.2)
    assert get(f"{svc.url}/readyz")[0] == 503
    status, headers, _ = svc.check(account="anyone", ip="198.51.100.7")
    metrics = get(f"{svc.url}/metrics")[2].decode()
    assert "distillguard_check_state_stale 1.0" in metrics
    if fail_closed:
        assert status == 429
        assert headers["X-Distillguard-Action"] == "fail_closed"
        assert 'distillguard_check_stale_total{policy="fail_closed"} 1.0' in metrics
    else:
        assert status == 200
        assert 'distillguard_check_stale_total{policy="fail_open"} 1.0' in metrics
    svc.stop()
    log = svc.log.read_text()
    assert ("fail-closed" if fail_closed else "fail-open") in log


def test_a_shadow_mode_worker_is_counted_not_enforced(
    broker: str, topics: Topics, services: list[Service], tmp_path: Path
) -> None:
    """The whole loop in shadow mode: the worker (DISTILLGUARD_MODE=shadow) sends its throttle
    and block of a harvester with enforce=false, and the check service serves the harvester,
    saying it would have blocked it."""
    worker = Worker(topics.env | {"DISTILLGUARD_MODE": "shadow"}, tmp_path / "worker.log")
    try:
        produce(broker, topics.events, [(b"fh", orjson.dumps(r)) for r in firehose("fh", 150, t0=time.time() - 7200)])
        worker.start()
        decisions = values(
            consume_until(
                broker,
                topics.decisions,
                lambda rs: any(orjson.loads(r.value)["action"] == "block" for r in rs),
                90,
                worker,
            )
        )
        assert [d["action"] for d in decisions][-1] == "block", worker.log()[-3000:]
        assert {d["enforce"] for d in decisions} == {False}
        svc = start_service(topics.env, tmp_path / "check.log")
        services.append(svc)
        svc.wait_ready()
        status, headers, _ = svc.check(account="fh", ip="34.90.1.5")
        assert status == 200
        assert headers["X-Distillguard-Shadow"] == "block"
        assert headers["X-Distillguard-Decision-Id"] == decisions[-1]["decision_id"]
    finally:
        worker.kill(signal.SIGTERM)
