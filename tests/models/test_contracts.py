"""The contracts in contracts/ are the interface: events and every decision validate against the
JSON Schema files themselves (not the hand-written validator), and nothing reads outside the tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from distillguard.lab.traffic.randomized import build_random
from distillguard.lab.traffic.simulate import merged
from distillguard.models.decision import REASON_CODES, SCHEMA_VERSION, SUBJECT_TYPES, Decision
from distillguard.models.detector import Detector
from distillguard.models.event import OPTIONAL_FIELDS, InvalidEvent, parse_event
from distillguard.streams.gateway.enforcement import Enforcer
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
    """Events are at version 1, decisions at version 2 (the schema and the writer agree)."""
    assert json.loads((CONTRACTS / "api_request_event.schema.json").read_text())["$id"].endswith("/v1")
    assert json.loads((CONTRACTS / "throttle_decision.schema.json").read_text())["$id"].endswith(f"/v{SCHEMA_VERSION}")


def test_the_optional_fields_are_the_schemas_optional_fields() -> None:
    """``OPTIONAL_FIELDS`` (what ``distillguard eval --without`` may leave out) is the schema's
    properties less its required ones, and an event without all of them still decodes."""
    schema = json.loads((CONTRACTS / "api_request_event.schema.json").read_text())
    assert set(schema["properties"]) - set(schema["required"]) == OPTIONAL_FIELDS
    bare = {k: v for k, v in event().items() if k not in OPTIONAL_FIELDS}
    assert not list(EVENTS.iter_errors(bare))
    assert parse_event(bare).temperature is None


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
        assert d["schema_version"] == 2
        assert d["expires_at"] == d["ts"] + d["ttl_s"]
        assert d["scope"] == "all"
        assert d["enforce"] is True
        assert d["reason_codes"]
        assert "other" not in d["reason_codes"], d["reasons"]  # every reason the detector writes has a code
    assert any("harvest_signature" in d["reason_codes"] for d in decisions)


V1_DECISION = {
    "decision_id": "d1",
    "ts": 1_800_000_000.0,
    "subject_type": "account",
    "subject": "a1",
    "action": "block",
    "limit_rpm": None,
    "ttl_s": 600,
    "score": 0.93,
    "reasons": ["harvest_signature 0.91 (answer shape x novel sweep x shallow turns)"],
    "trigger_event_id": "e1",
    "trigger_event_ts": 1_800_000_000.0,
    "model_version": "dg-4",
}


def test_version_2_only_adds_optional_fields() -> None:
    """The required fields are still version 1's, so a v1 reader reads a v2 decision and a v1
    decision is a valid v2 decision."""
    schema = json.loads((CONTRACTS / "throttle_decision.schema.json").read_text())
    assert schema["required"] == [
        "decision_id", "ts", "subject_type", "subject", "action", "ttl_s", "score", "reasons",
        "trigger_event_id", "trigger_event_ts",
    ]  # fmt: skip
    assert schema["additionalProperties"] is True
    assert not list(DECISIONS.iter_errors(V1_DECISION))
    v2 = Decision(1.0, "account", "a1", "block", 60, 0.9, ("harvest_signature 0.9",), "e1", 1.0).to_dict()
    assert set(V1_DECISION) <= set(v2)


@pytest.mark.parametrize("subject_type", SUBJECT_TYPES)
@pytest.mark.parametrize(("scope", "enforce"), [("all", True), ("opus", False)])
def test_v2_decisions_of_every_subject_type_scope_and_mode_validate(
    subject_type: str, scope: str, enforce: bool
) -> None:
    """api_key, org and campaign subjects, a model-family scope and shadow decisions are valid v2."""
    d = Decision(
        1.0,
        subject_type,
        "s1",
        "throttle",
        60,
        0.8,
        ("template_share 0.80",),
        "e1",
        1.0,
        6,
        scope=scope,
        enforce=enforce,
    ).to_dict()
    errors = list(DECISIONS.iter_errors(d))
    assert not errors, (d, errors[0].message)
    assert (d["scope"], d["enforce"], d["reason_codes"], d["expires_at"]) == (scope, enforce, ["template_sweep"], 61.0)


@pytest.mark.parametrize(
    "bad",
    [{"subject_type": "user"}, {"reason_codes": ["made_up"]}, {"enforce": "no"}, {"expires_at": "soon"}, {"scope": ""}],
)
def test_the_decision_schema_rejects_bad_v2_fields(bad: dict[str, object]) -> None:
    assert list(DECISIONS.iter_errors({**V1_DECISION, **bad}))


def test_the_reason_code_vocabulary_is_the_schemas() -> None:
    """Every code the writer can produce is in the schema's enum, and the enum has no extra."""
    schema = json.loads((CONTRACTS / "throttle_decision.schema.json").read_text())
    enum = set(schema["properties"]["reason_codes"]["items"]["enum"])
    assert enum == {*REASON_CODES.values(), "released", "other"}


def test_decision_id_is_unchanged_by_the_v2_fields() -> None:
    """Scope and shadow mode do not enter the id: the same change of state keeps its id."""
    a = Decision(1.0, "account", "a1", "block", 60, 0.9, ("x",), "e9", 1.0)
    b = Decision(1.0, "account", "a1", "block", 60, 0.9, ("x",), "e9", 1.0, scope="opus", enforce=False)
    assert a.decision_id == b.decision_id == "1c75ac7fdd0d37ff2b20af1a"


def test_a_v1_decision_is_still_enforced() -> None:
    """A v1 decision (no expires_at, reason_codes, scope or enforce) blocks until ts + ttl_s, for every model."""
    e = Enforcer()
    e.apply(V1_DECISION, V1_DECISION["ts"])  # type: ignore[arg-type]
    v = e.verdict("a1", "203.0.113.0/24", 1_800_000_100.0, model="any-model")
    assert (v.allowed, v.action, v.decision_id, v.expires_at, v.retry_after_s) == (
        False,
        "block",
        "d1",
        1_800_000_600.0,
        500.0,
    )
    assert e.verdict("a1", "203.0.113.0/24", 1_800_000_600.0).allowed


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
