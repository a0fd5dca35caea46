"""The running worker's probes and metrics over real HTTP: ``/livez`` answers at once,
``/readyz`` turns 200 once the events topic's partitions are assigned and recovery is done,
``/metrics/`` is valid Prometheus text with process metrics, and the web server binds to
``DISTILLGUARD_WEB_HOST``."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import firehose
from tests.integration.conftest import Topics, Worker, produce

pytestmark = pytest.mark.kafka


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except OSError:
        return 0, b""


def _wait_for(url: str, status: int, worker: Worker, timeout: float = 90) -> tuple[int, bytes]:
    deadline = time.monotonic() + timeout
    got: tuple[int, bytes] = (0, b"")
    while time.monotonic() < deadline:
        got = _get(url)
        if got[0] == status:
            return got
        assert worker.alive(), f"worker exited:\n{worker.log()[-3000:]}"
        time.sleep(0.5)
    raise AssertionError(f"{url} answered {got} for {timeout} s; worker log:\n{worker.log()[-3000:]}")


def _listening_hosts(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on ``port`` (Linux ``/proc/net/tcp``)."""
    out = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        addr, p = local.split(":")
        if int(p, 16) == port and state == "0A":
            out.add(socket.inet_ntoa(bytes.fromhex(addr)[::-1]))
    return out


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_probes_and_metrics_of_a_running_worker(
    broker: str, topics: Topics, tmp_path: Path, host: str, request: Any
) -> None:
    port = _free_port()
    env = topics.env | {
        "DISTILLGUARD_WEB_ENABLED": "true",
        "DISTILLGUARD_WEB_PORT": str(port),
        "DISTILLGUARD_WEB_HOST": host,
    }
    worker = Worker(env, tmp_path / "worker.log")
    request.addfinalizer(worker.kill)
    produce(broker, topics.events, [(b"fh", orjson.dumps(e)) for e in firehose("fh", 30, t0=time.time() - 600)])
    worker.start()
    base = f"http://127.0.0.1:{port}"

    status, body = _wait_for(f"{base}/livez", 200, worker)
    assert orjson.loads(body) == {"live": True}
    status, body = _wait_for(f"{base}/readyz", 200, worker)
    ready = orjson.loads(body)
    assert ready["ready"] is True
    assert all(ready["checks"].values())
    assert ready["partitions"] == [0, 1, 2, 3]  # the only worker in its group
    assert _listening_hosts(port) == {host}

    deadline = time.monotonic() + 60
    samples: dict[str, float] = {}
    while time.monotonic() < deadline and samples.get("distillguard_events_total") != 30:
        status, raw = _get(f"{base}/metrics/")
        assert status == 200
        samples = {
            s.name + "".join(f",{k}={v}" for k, v in sorted(s.labels.items())): s.value
            for fam in text_string_to_metric_families(raw.decode())
            for s in fam.samples
        }
        time.sleep(0.5)
    assert samples["distillguard_events_total"] == 30
    assert samples["process_resident_memory_bytes"] > 0
    assert samples["process_open_fds"] > 0
    assert "python_info" in {k.split(",")[0] for k in samples}
    lags = {k: v for k, v in samples.items() if k.startswith("distillguard_partition_lag_records,")}
    assert lags, "no per-partition lag"
    assert all(v == 0 for v in lags.values())
