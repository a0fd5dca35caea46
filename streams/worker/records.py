"""Wire records: dead letters and encoded decisions."""

from __future__ import annotations

import time
from typing import Any

import orjson

from distillguard.models.decision import Decision

RAW_LIMIT = 65_536
"""Bytes of a rejected record copied into its dead letter; longer ones are cut and flagged."""


def dead_letter(error: str, raw: bytes | None, topic: str, partition: int, offset: int) -> bytes:
    """Encode a DLQ record per the contract: ``{error, raw, topic, partition, offset, ts}``."""
    raw = raw or b""
    rec: dict[str, Any] = {
        "error": error,
        "raw": raw[:RAW_LIMIT].decode("utf-8", "backslashreplace"),
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "ts": time.time(),
    }
    if len(raw) > RAW_LIMIT:
        rec["raw_truncated"] = True
        rec["raw_bytes"] = len(raw)
    return orjson.dumps(rec)


def encode_decision(d: Decision, live: bool) -> bytes:
    """Encode a decision; in the live worker ``ts`` is the wall clock of the decision (and
    ``expires_at`` follows it)."""
    body = d.to_dict()
    if live:
        body["ts"] = time.time()
        body["expires_at"] = body["ts"] + d.ttl_s
    return orjson.dumps(body)
