"""The command line as a user runs it (no broker): replay, explain, simulate + eval."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import orjson

from tests.factories import chat_user, firehose, hydra, resampler

ROOT = Path(__file__).parents[2]


def dg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "distillguard.streams.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_replay_writes_decisions_rejects_and_a_summary(tmp_path: Path) -> None:
    """Decisions and rejected lines go to their files; the summary line counts them; exit 0."""
    events = tmp_path / "events.jsonl"
    lines = [orjson.dumps(r) for r in sorted(firehose("fh", 60) + chat_user("u", 30), key=lambda r: r["ts"])]
    events.write_bytes(b"\n".join([*lines, b"{bad", b"[]"]) + b"\n")
    r = dg("replay", str(events), "-o", str(tmp_path / "d.jsonl"), "--dlq", str(tmp_path / "rej.jsonl"))
    assert r.returncode == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith("replay: events=90 rejected=2 decisions=")
    decisions = [orjson.loads(x) for x in (tmp_path / "d.jsonl").read_bytes().splitlines()]
    assert decisions
    assert {d["subject"] for d in decisions} == {"fh"}
    assert f"decisions={len(decisions)} " in last
    rejects = [orjson.loads(x) for x in (tmp_path / "rej.jsonl").read_bytes().splitlines()]
    assert [x["raw"] for x in rejects] == ["{bad", "[]"]


def test_replay_of_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    """Input that cannot be read at all: a message and a non-zero exit."""
    r = dg("replay", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "d.jsonl"))
    assert r.returncode == 2
    assert "cannot read" in r.stderr


def test_explain_prints_scores_and_decisions(tmp_path: Path) -> None:
    """explain shows the account's evaluations and the decisions with their reasons."""
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(orjson.dumps(r) for r in firehose("fh", 40)) + b"\n")
    r = dg("explain", "fh", "--events", str(events))
    assert r.returncode == 0, r.stderr
    assert "template_share" in r.stdout
    assert re.search(r"^(throttle|block) fh at ", r.stdout, re.M)


def test_explain_shows_a_campaign_with_its_members(tmp_path: Path) -> None:
    """A campaign named in decision reasons can be explained: members, ties, evidence."""
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(orjson.dumps(r) for r in hydra("hy", 30, 8)) + b"\n")
    det_reasons = dg("replay", str(events), "-o", str(tmp_path / "d.jsonl"))
    assert det_reasons.returncode == 0, det_reasons.stderr
    decisions = [orjson.loads(x) for x in (tmp_path / "d.jsonl").read_bytes().splitlines()]
    names = {m.group(1) for d in decisions for m in [re.match(r"campaign (c-[0-9a-f]+):", d["reasons"][0])] if m}
    assert len(names) == 1
    r = dg("explain", names.pop(), "--events", str(events))
    assert r.returncode == 0, r.stderr
    assert "linkage key fp:" in r.stdout
    assert "members active at the last evaluation" in r.stdout
    assert "hy-00" in r.stdout


def test_simulate_then_eval_writes_metrics_and_plots(tmp_path: Path) -> None:
    """A small simulated set evaluates into metrics.json (overall + scenarios) and three PNGs."""
    sim = tmp_path / "sim"
    r = dg("simulate", "--out", str(sim), "--hours", "0.5", "--scale", "0.1", "--seed", "5", "--quiet")
    assert r.returncode == 0, r.stderr
    labels = orjson.loads((sim / "labels.json").read_bytes())["accounts"]
    accounts = {orjson.loads(x)["account_id"] for x in (sim / "events.jsonl").read_bytes().splitlines()}
    assert accounts <= set(labels)
    assert b"_text" not in (sim / "events.jsonl").read_bytes()[:100_000]
    out = tmp_path / "eval"
    r = dg("eval", str(sim / "events.jsonl"), str(sim / "labels.json"), "--out", str(out))
    assert r.returncode == 0, r.stderr
    m = orjson.loads((out / "metrics.json").read_bytes())
    for key in ("recall", "harvest", "benign_accounts_actioned_pct", "benign_requests_rejected_pct"):
        assert key in m["overall"]
    assert "firehose" in m["scenarios"]
    assert {p.name for p in out.glob("*.png")} == {"detection_delay.png", "harvest_vs_collateral.png", "timeline.png"}


def test_simulate_the_outsider_variant_writes_files_only(tmp_path: Path) -> None:
    """``--variant outsider`` runs the third generator into --out (events covered by labels);
    it draws its own sizes, so --scale is refused."""
    sim = tmp_path / "sim"
    r = dg("simulate", "--variant", "outsider", "--seed", "3", "--hours", "0.2", "--out", str(sim), "--quiet")
    assert r.returncode == 0, r.stderr
    labels = orjson.loads((sim / "labels.json").read_bytes())["accounts"]
    accounts = {orjson.loads(x)["account_id"] for x in (sim / "events.jsonl").read_bytes().splitlines()}
    assert accounts == set(labels)
    r = dg("simulate", "--variant", "outsider", "--seed", "3", "--scale", "0.5", "--out", str(tmp_path / "x"))
    assert r.returncode == 2
    assert "no --scale" in r.stderr


def _rerun_at_temperature_zero(tmp_path: Path) -> tuple[Path, Path]:
    """A harness asking thirty questions seven times each at temperature 0 (the same answer
    again: no harvest), labelled as an attack so that recall shows whether it was acted on."""
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(orjson.dumps(r) for r in resampler("harness", 0.0)) + b"\n")
    labels = tmp_path / "labels.json"
    labels.write_bytes(orjson.dumps({"accounts": {"harness": {"label": "attack", "scenario": "rerun"}}}))
    return events, labels


def test_eval_without_a_field_judges_the_events_as_a_gateway_that_does_not_log_it(tmp_path: Path) -> None:
    """``--without temperature``: the same re-runs with no temperature logged are samples at the
    API's default, and are acted on; with it they are the same answer again, and are not."""
    events, labels = _rerun_at_temperature_zero(tmp_path)
    recall = {}
    for name, extra in (("with", ()), ("without", ("--without", "temperature,asn"))):
        out = tmp_path / name
        r = dg("eval", str(events), str(labels), "--out", str(out), "--no-plots", *extra)
        assert r.returncode == 0, r.stderr
        recall[name] = orjson.loads((out / "metrics.json").read_bytes())["overall"]["recall"]
    assert recall == {"with": 0.0, "without": 1.0}


def test_eval_with_the_attackers_at_a_temperature_sets_it_on_their_requests_only(tmp_path: Path) -> None:
    """``--attack-temperature 1``: the labelled attacker's re-runs at temperature 0 become samples
    (new answers), and it is acted on; its honest neighbour, at temperature 0 as generated, is
    still not acted on."""
    events = tmp_path / "events.jsonl"
    records = resampler("harness", 0.0) + [
        {
            **r,
            "account_id": "neighbour",
            "event_id": f"n-{i}",
            "ip": "34.90.2.9",
            "prompt_simhash": f"{~int(r['prompt_simhash'], 16) & (2**64 - 1):016x}",
        }
        for i, r in enumerate(resampler("neighbour", 0.0))  # its own questions, re-run alike
    ]
    events.write_bytes(b"\n".join(orjson.dumps(r) for r in sorted(records, key=lambda r: r["ts"])) + b"\n")
    labels = tmp_path / "labels.json"
    labels.write_bytes(
        orjson.dumps(
            {
                "accounts": {
                    "harness": {"label": "attack", "scenario": "rerun"},
                    "neighbour": {"label": "benign", "scenario": "rerun"},
                }
            }
        )
    )
    out = tmp_path / "o"
    r = dg("eval", str(events), str(labels), "--out", str(out), "--no-plots", "--attack-temperature", "1")
    assert r.returncode == 0, r.stderr
    overall = orjson.loads((out / "metrics.json").read_bytes())["overall"]
    assert overall["recall"] == 1.0
    assert overall["benign_accounts_actioned_pct"] == 0.0
    r = dg("eval", str(events), str(labels), "--out", str(out), "--no-plots", "--attack-temperature", "-1")
    assert r.returncode == 2
    assert "--attack-temperature must be a finite number >= 0" in r.stderr


def test_eval_refuses_to_leave_out_a_required_field(tmp_path: Path) -> None:
    events, labels = _rerun_at_temperature_zero(tmp_path)
    r = dg("eval", str(events), str(labels), "--out", str(tmp_path / "o"), "--without", "account_id")
    assert r.returncode == 2
    assert "not an optional field of the event contract: account_id" in r.stderr
