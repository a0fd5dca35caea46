"""A minimal :class:`distillguard.streams.worker.batching.BatchingApp` for tests: logs every delivered record.

Environment: ``PROBE_TOPIC``, ``PROBE_APP``, ``PROBE_OUT`` (a file: one ``partition offset``
line per delivered record, ``FAIL`` when the handler raises), ``PROBE_FAIL_FIRST`` (raise on
the first batch). Run as ``python -m tests.integration.batch_probe``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from distillguard.streams.worker.batching import BatchingApp

app = BatchingApp(
    os.environ["PROBE_APP"],
    broker=f"kafka://{os.environ.get('DISTILLGUARD_BROKER', '127.0.0.1:9092')}",
    store="memory://",
    datadir=os.path.join(os.path.dirname(os.environ["PROBE_OUT"]), "probe-data"),
    web_enabled=False,
    autodiscover=False,
    consumer_auto_offset_reset="earliest",
    broker_commit_interval=0.5,
)
topic = app.topic(os.environ["PROBE_TOPIC"], value_serializer="raw", key_serializer="raw")
state = {"fail": os.environ.get("PROBE_FAIL_FIRST") == "1"}


@app.batch_agent(topic)
async def probe(messages: list[Any]) -> None:
    """Record the batch, or fail once when asked to."""
    with open(os.environ["PROBE_OUT"], "a") as fh:
        if state["fail"]:
            state["fail"] = False
            fh.write("FAIL\n")
            raise RuntimeError("injected failure")
        fh.writelines(f"{m.partition} {m.offset}\n" for m in messages)


if __name__ == "__main__":
    sys.argv = [sys.argv[0], "worker", "-l", "warn", "--without-web"]
    app.main()
