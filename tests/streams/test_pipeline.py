"""The worker's wiring without a broker: what build_app declares, and the agent shapes it uses."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import orjson

from distillguard.streams.settings import Settings
from distillguard.streams.worker.agents import each_batch, each_fetch, sender
from distillguard.streams.worker.pipeline import build_app
from distillguard.streams.worker.stages import Outbox


def _message(offset: int, partition: int = 0) -> Any:
    return SimpleNamespace(value=b"v%d" % offset, topic="t", partition=partition, offset=offset)


def test_build_app_declares_every_stage_on_its_topic() -> None:
    s = replace(Settings(), app_id="dg-x", topic_events="req-x")
    app = build_app(s)
    assert set(app.batch_handlers) == {"req-x", "dg-x-campaign-verdicts"}
    channels = {name: agent.channel.get_topic_name() for name, agent in app.agents.items()}
    assert channels == {
        "detect_clusters": "dg-x-cluster-observations",
        "detect_campaigns": "dg-x-campaign-observations",
    }
    assert set(app.tables) == {"account-state", "campaign-state", "cluster-state"}
    assert set(app.web.views) == {"/dg/stats/", "/dg/subjects/{subject}/", "/metrics/", "/livez", "/readyz"}


def test_each_build_is_its_own_app() -> None:
    """Nothing is shared through module state: two settings, two independent apps."""
    a = build_app(replace(Settings(), app_id="dg-a", topic_events="req-a"))
    b = build_app(replace(Settings(), app_id="dg-b", topic_events="req-b"))
    assert a is not b
    assert set(a.batch_handlers) == {"req-a", "dg-a-campaign-verdicts"}
    assert set(b.batch_handlers) == {"req-b", "dg-b-campaign-verdicts"}


def test_a_fetch_goes_through_the_stage_in_slices() -> None:
    seen: list[list[Any]] = []
    sent: list[Outbox] = []

    def stage(records: list[Any]) -> Outbox:
        seen.append(records)
        return Outbox()

    async def send(out: Outbox) -> None:
        sent.append(out)

    messages = [_message(i) for i in range(5)]
    asyncio.run(each_fetch(stage, send, slice_max=2)(messages))
    assert [[r[3] for r in batch] for batch in seen] == [[0, 1], [2, 3], [4]]
    assert seen[0][0] == (b"v0", "t", 0, 0)
    assert len(sent) == 3
    seen.clear()
    asyncio.run(each_fetch(stage, send)(messages))
    assert [len(batch) for batch in seen] == [5]


def test_a_stream_agent_takes_batches_of_the_configured_size() -> None:
    asked: list[tuple[int, float]] = []
    seen: list[list[Any]] = []

    class Stream:
        def take_events(self, n: int, within: float) -> Any:
            asked.append((n, within))

            async def gen() -> Any:
                yield [SimpleNamespace(message=_message(0)), SimpleNamespace(message=_message(1))]
                yield [SimpleNamespace(message=_message(2))]

            return gen()

    def stage(records: list[Any]) -> Outbox:
        seen.append(records)
        return Outbox()

    async def send(out: Outbox) -> None:
        return None

    asyncio.run(each_batch(stage, send, 2000, 0.02)(Stream()))
    assert asked == [(2000, 0.02)]
    assert [[r[3] for r in batch] for batch in seen] == [[0, 1], [2]]


class FakeTopic:
    """Records sends; fails the first ``fail`` of them."""

    def __init__(self, log: list[tuple[str, dict[str, Any]]], name: str, fail: int = 0) -> None:
        self.log, self.name, self.fail = log, name, fail

    async def send(self, **kwargs: Any) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("broker away")
        self.log.append((self.name, kwargs))


def test_the_sender_routes_each_output_to_its_topic_and_retries_the_output() -> None:
    log: list[tuple[str, dict[str, Any]]] = []
    names = ("cluster_observations", "campaign_observations", "verdicts", "decisions", "dlq")
    topics = SimpleNamespace(**{n: FakeTopic(log, n) for n in names})
    topics.decisions.fail = 1  # the first attempt fails after the observations went out
    out = Outbox(
        decisions=[(b"a1", b"d")],
        dlq=[(None, b"bad")],
        observations={1: [["o"]]},
        campaign_observations={2: [["c"]]},
        verdicts=[(b"a2", b"v")],
    )
    asyncio.run(sender(topics)(out))
    once = [
        ("cluster_observations", {"value": b'[["o"]]', "partition": 1, "force": True}),
        ("campaign_observations", {"value": b'[["c"]]', "partition": 2, "force": True}),
        ("verdicts", {"key": b"a2", "value": b"v", "force": True}),
    ]
    rest = [
        ("decisions", {"key": b"a1", "value": b"d", "force": True}),
        ("dlq", {"value": b"bad", "force": True}),
    ]
    assert log == once + once + rest  # at-least-once: the whole output again, never lost


def test_a_record_that_can_never_be_sent_is_dead_lettered_not_retried() -> None:
    """Too large for the broker: the record goes to the DLQ with its destination, the rest of
    the output goes out, and the batch is done (a retry loop would stall the partition)."""
    from aiokafka.errors import MessageSizeTooLargeError

    log: list[tuple[str, dict[str, Any]]] = []
    names = ("cluster_observations", "campaign_observations", "verdicts", "decisions", "dlq")
    topics = SimpleNamespace(**{n: FakeTopic(log, n) for n in names})

    async def refuse_big(**kwargs: Any) -> None:
        if len(kwargs["value"]) > 1000:
            raise MessageSizeTooLargeError("The message is 1383845 bytes")
        log.append(("cluster_observations", kwargs))

    topics.cluster_observations.send = refuse_big
    out = Outbox(decisions=[(b"a1", b"d")], observations={1: [["x" * 2000]], 2: [["small"]]})
    counted: Counter[str] = Counter()
    asyncio.run(asyncio.wait_for(sender(topics, counted)(out), 5))
    assert counted == {"unsendable_output": 1}  # in distillguard_dlq_total{reason="unsendable_output"}
    sent = [(name, kw.get("value")) for name, kw in log]
    assert ("cluster_observations", b'[["small"]]') in sent
    assert ("decisions", b"d") in sent
    dlq = [orjson.loads(kw["value"]) for name, kw in log if name == "dlq"]
    assert len(dlq) == 1
    assert dlq[0]["topic"] == "cluster_observations"
    assert "MessageSizeTooLarge" in dlq[0]["error"]
    assert dlq[0]["partition"] == 1
