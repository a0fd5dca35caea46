"""The contracts in contracts/ are the interface: events and every decision validate against the
JSON Schema files themselves (not the hand-written validator), and nothing reads outside the tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from distillguard.lab.traffic.randomized import build_random
from distillguard.lab.traffic.simulate import merged
from distillguard.models.detector import Detector
from distillguard.models.event import InvalidEvent, parse_event
from tests.factories import chat_user, event, firehose, hydra

ROOT = Path(__file__).parents[2]
CONTRACTS = ROOT / "contracts"


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((CONTRACTS / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


EVENTS = _validator("api_request_event.schema.json")
DECISIONS = _validator("throttle_decision.schema.json")


def _sample_events() -> list[dict[str, object]]:
    gens, _, _ = build_random(3, 0.3, 0.05)
    out = []
    for i, e in enumerate(merged(gens)):
        e.pop("_text", None)
        out.append(e)
        if i >= 3000:
            break
    return out


def test_schemas_carry_a_version() -> None:
    for name in ("api_request_event.schema.json", "throttle_decision.schema.json"):
        assert json.loads((CONTRACTS / name).read_text())["$id"].endswith("/v1")


def test_simulated_and_factory_events_follow_the_event_schema() -> None:
    for e in [event(), *firehose("fh", 5), *chat_user("u", 5), *_sample_events()]:
        errors = list(EVENTS.iter_errors(e))
        assert not errors, (e, errors[0].message)


@pytest.mark.parametrize("bad", [{"input_tokens": -1}, {"prompt_simhash": "XYZ"}, {"status": 99}])
def test_the_schema_and_the_decoder_agree_on_bad_events(bad: dict[str, object]) -> None:
    e = event(**bad)
    assert list(EVENTS.iter_errors(e))
    with pytest.raises(InvalidEvent):
        parse_event(e)


def test_every_decision_follows_the_decision_schema() -> None:
    det = Detector()
    records = sorted([*firehose("fh", 200), *hydra("hy", 25, 8), *chat_user("u", 30)], key=lambda r: r["ts"])
    decisions = [d.to_dict() for r in records for d in det.observe(parse_event(r))]
    assert {d["subject_type"] for d in decisions} == {"account"}
    assert {d["action"] for d in decisions} >= {"block"}
    for d in decisions:
        errors = list(DECISIONS.iter_errors(d))
        assert not errors, (d, errors[0].message)


def test_nothing_in_the_project_reaches_above_its_root() -> None:
    """Code, tests, the Makefile and CI resolve paths inside the project only (a user's clone has
    nothing beside it): no test climbs from tests/x/ past the project root."""
    files = [p for part in ("models", "lab", "streams", "tests") for p in ROOT.glob(f"{part}/**/*.py")]
    files += [ROOT / "Makefile", ROOT / "pyproject.toml", ROOT / ".ci" / "run"]
    for path in files:
        if path == Path(__file__):
            continue
        text = path.read_text()
        for climb in ("parents[3]", 'Path("..")', "os.pardir"):
            assert climb not in text, (path, climb)
