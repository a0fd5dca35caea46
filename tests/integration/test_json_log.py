"""In JSON mode the worker's output is all JSON: Faust's, mode's and aiokafka's own log lines
come out as structlog renders distillguard's, with their logger's name; no banner, no spinner."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tests.factories import firehose
from tests.integration.conftest import ROOT, Topics, consume_until, produce

pytestmark = pytest.mark.kafka


@pytest.mark.parametrize("loglevel", ["info", "warn"])  # warn, the default, is when Faust shows a spinner
def test_every_line_of_a_json_worker_log_is_one_json_object(
    broker: str, topics: Topics, tmp_path: Path, loglevel: str
) -> None:
    produce(broker, topics.events, [(b"fh", orjson.dumps(e)) for e in firehose("fh", 40, t0=time.time() - 600)])
    log = tmp_path / "worker.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "distillguard.streams.cli", "worker", f"--loglevel={loglevel}"],
            cwd=ROOT,
            env=topics.env,  # DISTILLGUARD_LOG_FORMAT=json
            stdout=fh,
            stderr=fh,
        )
        try:
            assert consume_until(broker, topics.decisions, lambda rs: len(rs) >= 1, 90), log.read_text()[-3000:]
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    lines = [line for line in log.read_bytes().splitlines() if line.strip()]
    objects = []
    for line in lines:
        try:
            objects.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line[:300]!r}")
    assert all(isinstance(o, dict) and {"event", "level", "timestamp"} <= o.keys() for o in objects)
    libraries = {o["logger"].split(".")[0] for o in objects if "logger" in o}
    if loglevel == "info":
        assert {"faust", "aiokafka", "kafka"} <= libraries, f"library log lines missing: {libraries}"
    assert any(o["event"] == "decision" for o in objects)
