"""The gateway's enforcement client: current decisions from Kafka, verdicts from memory.

Drop it into any synchronous gateway process::

    client = EnforcementClient(Settings.from_env()).start()
    v = client.check(account_id, ip)      # microseconds, no I/O
    if not v.allowed: respond 429 with Retry-After: v.retry_after_s

A background thread reads ``throttle-decisions`` from the beginning (the topic is compacted by
subject, so this rebuilds the current state quickly), then follows it. When the thread has not
heard from the broker for ``stale_after_s`` the client fails open by default (every request is
allowed, and a loud log line says so every 30 s); ``fail_open=False`` refuses instead.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import orjson
import structlog
from kafka import KafkaConsumer, TopicPartition

from distillguard.models.ipcluster import InvalidIP, ip_cluster
from distillguard.streams.gateway.enforcement import ALLOWED, Enforcer, Verdict
from distillguard.streams.settings import Settings

log = structlog.get_logger("distillguard.enforcer")


class EnforcementClient:
    """Keeps the current decision per subject and answers :meth:`check` from memory."""

    def __init__(self, settings: Settings, *, fail_open: bool = True, stale_after_s: float = 60.0) -> None:
        self.settings = settings
        self.fail_open = fail_open
        self.stale_after_s = stale_after_s
        self.enforcer = Enforcer()
        self.lock = threading.Lock()
        self.last_contact = 0.0
        self.ready = threading.Event()
        self.applied = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_warning = 0.0

    # --- the hot path -------------------------------------------------------------------
    def check(
        self,
        account_id: str,
        ip: str,
        now: float | None = None,
        *,
        api_key: str = "",
        org: str = "",
        campaign: str = "",
        model: str = "",
    ) -> Verdict:
        """The verdict for one request: the account's decision and its IP cluster's, and those of
        its API key, organisation and campaign when given (a scoped decision only for its
        ``model`` family)."""
        now = time.time() if now is None else now
        if self.is_stale(now):
            return self._stale(now)
        try:
            cluster = ip_cluster(ip, self.settings.detector.v4_prefix, self.settings.detector.v6_prefix)
        except InvalidIP:
            cluster = ""
        with self.lock:
            return self.enforcer.verdict(
                account_id, cluster, now, api_key=api_key, org=org, campaign=campaign, model=model
            )

    def is_stale(self, now: float | None = None) -> bool:
        """Whether the broker has not been heard from for ``stale_after_s``."""
        return (time.time() if now is None else now) - self.last_contact > self.stale_after_s

    def _stale(self, now: float) -> Verdict:
        if now - self._last_warning > 30.0:
            self._last_warning = now
            log.error(
                "decisions are stale: broker unreachable or topic silent",
                fail_open=self.fail_open,
                seconds_since_contact=round(now - self.last_contact, 1),
            )
        if self.fail_open:
            return ALLOWED
        return Verdict(False, 30.0, "enforcement state is stale: failing closed", "fail_closed", "", ("stale",))

    def apply(self, decision: dict[str, Any], now: float | None = None) -> None:
        """Put one decision (a contract dict) in force."""
        with self.lock:
            self.enforcer.apply(decision, time.time() if now is None else now)
        self.applied += 1

    # --- the background reader ----------------------------------------------------------
    def start(self, wait_s: float = 30.0) -> EnforcementClient:
        """Start the reader thread; wait up to ``wait_s`` until past decisions are applied."""
        self._thread = threading.Thread(target=self._run, name="decisions-reader", daemon=True)
        self._thread.start()
        self.ready.wait(wait_s)
        return self

    def stop(self) -> None:
        """Stop the reader thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except Exception:
                log.exception("decisions reader failed; reconnecting in 2 s")
                time.sleep(2.0)

    def _follow(self) -> None:
        s = self.settings
        consumer = KafkaConsumer(
            **s.kafka_python_config(),
            enable_auto_commit=False,
            group_id=None,
            reconnect_backoff_max_ms=2000,
            request_timeout_ms=15000,
        )
        try:
            parts: set[int] | None = None
            while not parts and not self._stop.is_set():
                parts = consumer.partitions_for_topic(s.topic_decisions)
                if not parts:
                    self.last_contact = time.time()  # the broker answered: the topic is just absent
                    self.ready.set()
                    time.sleep(1.0)
            if not parts:
                return
            tps = [TopicPartition(s.topic_decisions, p) for p in sorted(parts)]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            end = consumer.end_offsets(tps)
            self.last_contact = time.time()
            next_probe = self.last_contact + 5.0
            while not self._stop.is_set():
                batches = consumer.poll(timeout_ms=500, max_records=5000)
                now = time.time()
                if batches:
                    self.last_contact = now
                elif now >= next_probe:
                    consumer.end_offsets(tps)  # raises when the broker cannot be reached
                    self.last_contact = now
                    next_probe = now + 5.0
                for records in batches.values():
                    for r in records:
                        try:
                            self.apply(orjson.loads(r.value))
                        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                            log.warning("unreadable decision skipped", partition=r.partition, offset=r.offset)
                if not self.ready.is_set() and all(consumer.position(tp) >= end[tp] for tp in tps):
                    log.info("enforcement state rebuilt", decisions=self.applied)
                    self.ready.set()
        finally:
            consumer.close()
