"""The independent (blind) generator: contract SimHash, deterministic per seed, valid and labelled events."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from distillguard.lab.independent import gen
from distillguard.lab.independent.simhash import simhash

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
HOURS = 0.25

Run = tuple[list[dict[str, Any]], dict[str, Any]]

# JSON-schema type name -> Python types (bool is excluded from the numeric types explicitly below)
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _canonical(events: list[dict[str, Any]], labels: dict[str, Any]) -> tuple[bytes, bytes]:
    """The bytes the CLI writes for events.jsonl and labels.json."""
    ev = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events)
    lab = json.dumps({"accounts": labels}, indent=0)
    return ev.encode(), lab.encode()


def _type_ok(value: Any, spec: str | list[str]) -> bool:
    names = [spec] if isinstance(spec, str) else spec
    for name in names:
        if isinstance(value, bool) and name in ("integer", "number"):
            continue
        if isinstance(value, JSON_TYPES[name]):
            return True
    return False


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One short run through the package entry point, as the README-style command runs it."""
    out = tmp_path_factory.mktemp("independent")
    subprocess.run(
        [sys.executable, "-m", "distillguard.lab.independent", "--seed", "1", "--hours", str(HOURS), "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=out,
        timeout=60,
    )
    return out


@pytest.fixture(scope="module")
def seed1(cli_run: Path) -> Run:
    events = [json.loads(line) for line in (cli_run / "events.jsonl").read_text().splitlines()]
    labels = json.loads((cli_run / "labels.json").read_text())["accounts"]
    return events, labels


def test_simhash_matches_contract_vectors() -> None:
    vectors = json.loads((CONTRACTS / "simhash_vectors.json").read_text())
    assert vectors
    for v in vectors:
        assert simhash(v["text"]) == v["simhash"], v["text"]


def test_cli_writes_all_outputs(cli_run: Path) -> None:
    for name in ("events.jsonl", "labels.json", "meta.json"):
        assert (cli_run / name).stat().st_size > 0
    meta = json.loads((cli_run / "meta.json").read_text())
    assert meta["seed"] == 1
    assert meta["hours"] == HOURS


def test_same_seed_same_output(cli_run: Path) -> None:
    """A second run of the same seed (in process this time) gives byte-identical events and labels."""
    events, labels, _ = gen.generate(1, HOURS, verbose=False)
    ev, lab = _canonical(events, labels)
    assert ev == (cli_run / "events.jsonl").read_bytes()
    assert lab == (cli_run / "labels.json").read_bytes()


def test_different_seeds_differ(seed1: Run) -> None:
    events2, labels2, _ = gen.generate(2, HOURS, verbose=False)
    assert _canonical(events2, labels2) != _canonical(*seed1)
    assert {e["account_id"] for e in events2} != {e["account_id"] for e in seed1[0]}


def test_events_follow_the_contract(seed1: Run) -> None:
    events, _ = seed1
    schema = json.loads((CONTRACTS / "api_request_event.schema.json").read_text())
    required: list[str] = schema["required"]
    props: dict[str, Any] = schema["properties"]
    assert events
    for e in events:
        for field in required:
            assert field in e, (field, e)
            assert _type_ok(e[field], props[field]["type"]), (field, e[field])
        assert e["output_tokens"] <= e["max_tokens"], e
        assert len(e["prompt_simhash"]) == 16
        int(e["prompt_simhash"], 16)


def test_events_sorted_and_ids_unique(seed1: Run) -> None:
    events, _ = seed1
    ts = [e["ts"] for e in events]
    assert ts == sorted(ts)
    ids = [e["event_id"] for e in events]
    assert len(set(ids)) == len(ids)


def test_labels_cover_exactly_the_accounts(seed1: Run) -> None:
    events, labels = seed1
    assert set(labels) == {e["account_id"] for e in events}
    kinds = {rec["label"] for rec in labels.values()}
    assert kinds <= {"attack", "benign"}
    assert "attack" in kinds
    assert "benign" in kinds


def test_simulate_writes_the_independent_variant_and_refuses_to_stream_it(tmp_path: Path) -> None:
    """``distillguard simulate --variant independent`` writes the generator's files (what
    ``make eval-independent`` caches and scores); it has no live mode."""
    from distillguard.streams.tools import simulate_cli

    out = tmp_path / "ind"
    assert (
        simulate_cli.main(["--variant", "independent", "--seed", "3", "--hours", "0.1", "--out", str(out), "--quiet"])
        == 0
    )
    labels = json.loads((out / "labels.json").read_text())["accounts"]
    accounts = {json.loads(line)["account_id"] for line in (out / "events.jsonl").read_text().splitlines()}
    assert accounts
    assert accounts == set(labels)
    assert simulate_cli.main(["--variant", "independent", "--seed", "3", "--kafka"]) == 2
    assert simulate_cli.main(["--variant", "independent", "--out", str(out), "--scale", "2"]) == 2
