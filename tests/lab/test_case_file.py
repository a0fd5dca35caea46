"""``distillguard case``: the case file on a campaign, an account and an IP cluster (no broker)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from distillguard.lab.case_file import build_case, subject_type
from distillguard.lab.evaluation import evaluate
from distillguard.models.decision import MODEL_VERSION
from distillguard.streams.cli import main
from tests.factories import chat_user, firehose, hydra

HYDRA = hydra("hy", 30, 8)
HONEST = [*chat_user("u1", 30), *chat_user("u2", 30, ip="98.10.21.4")]


def _lines(records: list[dict[str, Any]]) -> list[bytes]:
    return [orjson.dumps(r) for r in sorted(records, key=lambda r: r["ts"])]


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("case") / "events.jsonl"
    path.write_bytes(b"\n".join(_lines([*HYDRA, *HONEST])) + b"\n")
    return path


@pytest.fixture(scope="module")
def campaign(events: Path) -> str:
    """The campaign id the detector names in its decisions on the hydra."""
    res = evaluate(events.read_bytes().splitlines())
    ids = {m.group(1) for d in res.decisions for m in [re.match(r"campaign (c-[0-9a-f]+):", d["reasons"][0])] if m}
    assert len(ids) == 1, ids
    return ids.pop()


def _no_prompt_text(text: str, records: list[dict[str, Any]]) -> None:
    """No prompt, nor any SimHash of one, in an output."""
    assert "step by step" not in text.lower()
    assert "concept" not in text
    for r in records:
        assert r["prompt_simhash"] not in text
        assert str(int(r["prompt_simhash"], 16)) not in text


def _keys(x: Any) -> set[str]:
    if isinstance(x, dict):
        return set(x) | {k for v in x.values() for k in _keys(v)}
    if isinstance(x, list):
        return {k for v in x for k in _keys(v)}
    return set()


def test_subject_types() -> None:
    assert subject_type("c-8ae5f2") == "campaign"
    assert subject_type("34.91.0.0/24") == "ip_cluster"
    assert subject_type("hy-003") == "account"
    assert subject_type("c-account-with-dashes") == "account"


def test_campaign_case_from_the_command(events: Path, campaign: str, tmp_path: Path) -> None:
    """Members are the hydra; before + after = every request; decisions in time order; verdicts kept."""
    verdicts = tmp_path / "verdicts.jsonl"
    rows = [
        {"verdict_id": "v-000000000001", "ts": 1772410000.0, "analyst": "ann", "subject_type": "account",
         "subject": "hy-003", "verdict": "confirm", "expires_at": 1772500000.0, "note": "matches <the> sweep"},
        {"verdict_id": "v-000000000002", "ts": 1772410001.0, "analyst": "ann", "subject_type": "account",
         "subject": "u1", "verdict": "release", "expires_at": 1772500000.0},
    ]  # fmt: skip
    verdicts.write_bytes(b"\n".join(orjson.dumps(v) for v in rows) + b"\nnot json\n")
    out = tmp_path / "case"
    assert main(["case", campaign, "--events", str(events), "--out", str(out), "--verdicts", str(verdicts)]) == 0
    case = orjson.loads((out / "case.json").read_bytes())
    html = (out / "case.html").read_text()

    hydra_accounts = sorted({r["account_id"] for r in HYDRA})
    assert case["subject_type"] == "campaign"
    assert case["members"] == hydra_accounts
    assert case["linked_not_acted_on"] == []
    assert case["linkage_key"]
    t = case["totals"]
    assert t["accounts"] == t["accounts_acted_on"] == 30
    assert t["requests"] == len(HYDRA) == 240
    assert t["requests_before_action"] + t["requests_after_action"] == 240
    assert t["served_before_action"] + t["served_after_action"] + t["refused"] == 240
    assert t["output_tokens"] == sum(r["output_tokens"] for r in HYDRA)
    assert (
        t["output_tokens_served_before_action"] + t["output_tokens_served_after_action"] + t["output_tokens_refused"]
        == t["output_tokens"]
    )
    assert t["refused"] > t["served_after_action"]
    assert t["api_keys"] == 30
    assert sorted(case["ip_clusters"]) == ["34.91.0.0/24", "34.91.1.0/24", "34.91.2.0/24"]
    # The timeline holds every request of the members, no others.
    assert round(sum(p["served"] + p["refused"] for p in case["timeline"])) == 240

    decisions = case["decisions"]
    assert len(decisions) >= 30
    assert [d["ts"] for d in decisions] == sorted(d["ts"] for d in decisions)
    assert all(d["reasons"] for d in decisions)
    assert {d["subject"] for d in decisions if d["subject_type"] == "account"} == set(hydra_accounts)
    assert t["first_action_ts"] == min(d["ts"] for d in decisions if d["action"] != "allow")

    assert case["model_version"] == MODEL_VERSION
    assert MODEL_VERSION in html
    assert [v["verdict_id"] for v in case["verdicts"]] == ["v-000000000001"]
    assert "matches &lt;the&gt; sweep" in html
    sig = case["signals"]
    assert sig["evaluations"] > 0
    by = {r["signal"]: r for r in sig["rows"]}
    assert by["harvesting_share"]["value"] >= 0.6
    assert by["score"]["population_size"] >= 1

    # Self-contained: no external source or link; the plot is inline.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<script" not in html.lower()
    assert "data:image/png;base64," in html
    for text in (html, (out / "case.json").read_text()):
        _no_prompt_text(text, HYDRA)
    assert not {k for k in _keys(case) if "prompt" in k} - {"distinct_prompts"}


def test_account_case(events: Path) -> None:
    """An account's case: its own requests, its decisions and clusters', its signals."""
    case = build_case(events.read_bytes().splitlines(), "hy-003")
    assert case["subject_type"] == "account"
    assert case["members"] == ["hy-003"]
    [row] = case["accounts"]
    assert row["requests"] == 8
    assert row["requests_before_action"] + row["requests_after_action"] == 8
    assert row["served_before_action"] + row["served_after_action"] + row["refused"] == 8
    assert row["api_keys"] == [{"value": "key-hy-3", "requests": 8}]
    assert row["first_action_ts"] is not None
    assert {d["subject"] for d in case["decisions"]} <= {"hy-003", *case["ip_clusters"]}
    assert case["decisions"][0]["action"] == "block"


def test_lone_harvester_signals_against_the_population(tmp_path: Path) -> None:
    """A harvesting script's evidence: its features against the honest accounts evaluated beside it."""
    records = [*firehose("fh", 80), *HONEST]
    labels = {"fh": {"label": "attack", "scenario": "firehose"}}
    case = build_case(_lines(records), "fh", labels=labels)
    [row] = case["accounts"]
    assert row["label"] == labels["fh"]
    assert row["requests"] == 80
    assert row["served_before_action"] == row["requests_before_action"] > 0
    by = {r["signal"]: r for r in case["signals"]["rows"]}
    assert set(by) >= {"score", "template_share", "answer_ratio", "output_input_ratio"}
    assert by["score"]["value_at_first_action"] is not None
    assert by["answer_ratio"]["population_size"] == 2  # the two chat users
    assert by["answer_ratio"]["value"] > by["answer_ratio"]["population_median"]
    assert by["answer_ratio"]["population_percentile"] == 100.0


def test_cluster_case(events: Path) -> None:
    """An IP cluster's case: the accounts seen in it and their requests from it."""
    case = build_case(events.read_bytes().splitlines(), "34.91.0.0/24")
    assert case["subject_type"] == "ip_cluster"
    expected = sorted({r["account_id"] for r in HYDRA if r["ip"].startswith("34.91.0.")})
    assert case["members"] == expected
    assert case["totals"]["requests"] == sum(r["ip"].startswith("34.91.0.") for r in HYDRA)
    assert case["signals"]["rows"] == []


def test_unknown_subject_fails_clearly(events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["case", "nobody", "--events", str(events), "--out", str(tmp_path / "x")]) == 1
    assert "no request of 'nobody'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert main(["case", "nobody", "--events", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "x")]) == 2
