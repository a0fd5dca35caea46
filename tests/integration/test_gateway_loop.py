"""The whole loop on the real broker: HTTP gateway -> api-requests -> worker -> decisions ->
the gateway's enforcement client -> 429 with Retry-After, while honest traffic is served."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest

from tests.factories import TEMPLATE
from tests.integration.conftest import ROOT, Topics, Worker

pytestmark = pytest.mark.kafka


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(port: int, account: str, text: str, out_tokens: int, ip: str) -> tuple[int, dict[str, str]]:
    body = {
        "model": "m",
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": text}],
        "metadata": {"simulated_output_tokens": out_tokens},
    }
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/messages",
        data=orjson.dumps(body),
        method="POST",
        headers={"x-api-key": f"{account}:k1", "X-Forwarded-For": ip, "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers)


def test_gateway_refuses_a_campaign_and_serves_honest_users(topics: Topics, worker: Worker, tmp_path: Path) -> None:
    """A templated long-answer script gets 429 + Retry-After within seconds; an honest user never does."""
    worker.start()
    port = _free_port()
    log = (tmp_path / "gateway.log").open("wb")
    gw = subprocess.Popen(
        [sys.executable, "-m", "distillguard.streams.cli", "gateway", "--port", str(port)],
        cwd=ROOT,
        env=topics.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(8.0)  # the worker joins its group
        rng = random.Random(3)
        words = [f"w{i}" for i in range(2000)]
        honest: list[int] = []
        first_429 = None
        i = 0
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and first_429 is None:
            status, headers = _post(port, "fh", TEMPLATE.format(f"concept{i}", f"field{i % 7}"), 1500, "34.90.1.5")
            if status == 429:
                first_429 = (i, headers)
            if i % 5 == 0:
                text = " ".join(rng.choice(words) for _ in range(15))
                honest.append(_post(port, "honest", text, 250, "98.7.6.5")[0])
            i += 1
            time.sleep(0.05)
        assert first_429 is not None, (worker.log()[-2000:], (tmp_path / "gateway.log").read_text()[-2000:])
        assert int(first_429[1]["Retry-After"]) >= 1
        assert set(honest) == {200}
        stats = orjson.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=5).read())
        assert stats["refused"] >= 1
        assert stats["decisions_applied"] >= 1
    finally:
        gw.terminate()
        gw.wait(20)
