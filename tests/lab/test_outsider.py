"""The outsider generator (lab/outsider): contract SimHash, deterministic per seed, valid and labelled events."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

from distillguard.lab.outsider.simhash import simhash

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "contracts" / "api_request_event.schema.json"
VECTORS_PATH = ROOT / "contracts" / "simhash_vectors.json"
HOURS = "0.5"


def _run(seed: int, out: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "distillguard.lab.outsider",
            "--seed",
            str(seed),
            "--hours",
            HOURS,
            "--out",
            str(out),
            "--quiet",
        ],
        check=True,
        cwd=out.parent,
        timeout=120,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("outsider")
    out = {"a": base / "a", "b": base / "b", "c": base / "c"}
    _run(7, out["a"])
    _run(7, out["b"])
    _run(8, out["c"])
    return out


def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def test_simhash_vectors() -> None:
    for v in json.loads(VECTORS_PATH.read_text()):
        assert simhash(v["text"]) == v["simhash"], v["text"]


def test_same_seed_identical_files(runs: dict[str, Path]) -> None:
    for name in ("events.jsonl", "labels.json", "meta.json"):
        assert filecmp.cmp(runs["a"] / name, runs["b"] / name, shallow=False), name
    assert not filecmp.cmp(runs["a"] / "events.jsonl", runs["c"] / "events.jsonl", shallow=False)


_TYPES = {"string": str, "number": (int, float), "integer": int, "boolean": bool, "null": type(None)}


def _check_value(name: str, spec: dict, value: object) -> None:
    types = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
    ok = False
    for t in types:
        if t in ("integer", "number") and isinstance(value, bool):
            continue
        if isinstance(value, _TYPES[t]):
            ok = True
    assert ok, (name, value)
    if value is None:
        return
    if "minimum" in spec:
        assert value >= spec["minimum"], (name, value)
    if "maximum" in spec:
        assert value <= spec["maximum"], (name, value)
    if isinstance(value, str):
        assert len(value) >= spec.get("minLength", 0), (name, value)
        assert len(value) <= spec.get("maxLength", 10**9), (name, value)
        if "pattern" in spec:
            import re

            assert re.fullmatch(spec["pattern"], value), (name, value)


@pytest.mark.parametrize("run", ["a", "c"])
def test_events_valid_and_sorted(runs: dict[str, Path], run: str) -> None:
    schema = _schema()
    props = schema["properties"]
    required = schema["required"]
    ids = set()
    last = -1.0
    accounts = set()
    n = 0
    with open(runs[run] / "events.jsonl", encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            n += 1
            for k in required:
                assert k in ev, k
            for k, spec in props.items():
                assert k in ev, k  # optional fields are always present (null where unknown)
                _check_value(k, spec, ev[k])
            assert ev["ts"] >= last
            last = ev["ts"]
            assert ev["event_id"] not in ids
            ids.add(ev["event_id"])
            accounts.add(ev["account_id"])
            if ev["status"] != 200:
                assert ev["output_tokens"] == 0
            assert ev["endpoint"] in ("/v1/messages", "/v1/chat/completions")
            assert 2026 <= 1970 + ev["ts"] / 31_557_600 < 2027.01
    assert n > 1000
    labels = json.loads((runs[run] / "labels.json").read_text())["accounts"]
    assert set(labels) == accounts
    meta = json.loads((runs[run] / "meta.json").read_text())
    assert meta["events"] == n
    assert meta["accounts"] == len(accounts)


@pytest.mark.parametrize("run", ["a", "c"])
def test_labels(runs: dict[str, Path], run: str) -> None:
    labels = json.loads((runs[run] / "labels.json").read_text())["accounts"]
    atk, ben = set(), set()
    for d in labels.values():
        assert d["label"] in ("attack", "benign")
        if d["label"] == "attack":
            assert d["scenario"].startswith("atk_")
            assert d["campaign"]
            atk.add(d["scenario"])
        else:
            assert not d["scenario"].startswith("atk_")
            assert d["campaign"] is None
            ben.add(d["scenario"])
    assert len(atk) >= 2
    assert len(ben) >= 2


def test_every_population_generates(tmp_path: Path) -> None:
    import random

    from distillguard.lab.outsider.attack import ATTACKS
    from distillguard.lab.outsider.core import World
    from distillguard.lab.outsider.honest import HONEST

    world = World(3, 1.0, 1_780_000_000.0)
    for name, spec in HONEST.items():
        spec[0](world, random.Random(name), 4, 60)
    for name, spec in ATTACKS.items():
        spec[0](world, random.Random(name), 4, 80, f"cmp_{name}")
    meta = world.write(tmp_path, {})
    assert set(meta["scenarios"]) == set(HONEST) | set(ATTACKS)
    for name, d in meta["scenarios"].items():
        assert d["events"] > 0, name
