"""eval-seeds: the seed-list parser and the aggregation arithmetic, on hand-made metrics (no simulation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from distillguard.streams.cli import build_parser
from distillguard.streams.tools.eval_seeds import (
    STAMP,
    _cached,
    aggregate,
    check,
    generator_digest,
    one_line,
    parse_seeds,
    sim_dir,
    summary_markdown,
)


def block(recall: float | None, harvest: float | None, acc: float, req: float, *, benign: int = 100) -> dict[str, Any]:
    return {
        "recall": recall,
        "harvest": harvest,
        "benign_accounts_actioned_pct": acc,
        "benign_requests_rejected_pct": req,
        "attack_accounts": 0 if recall is None else 10,
        "benign_accounts": benign,
        "events": 1000,
    }


def static(h10: float, r10: float) -> dict[str, dict[str, float]]:
    return {
        "static 10 rpm/account": {"harvest": h10, "benign_requests_rejected_pct": r10},
        "static 1200 rpm/ip_cluster": {"harvest": 1.0, "benign_requests_rejected_pct": 0.0},
    }


# Three seeds. "mimicry" is absent from seed 2; "chat" is honest only (recall and harvest None);
# "hydra" has no honest accounts (its honest measures are vacuous and skipped).
PER_SEED: dict[int, dict[str, Any]] = {
    1: {
        "overall": block(0.98, 0.05, 0.1, 0.01),
        "scenarios": {
            "hydra": block(1.0, 0.10, 0.0, 0.0, benign=0),
            "mimicry": block(0.5, 0.60, 0.0, 0.0, benign=0),
            "chat": block(None, None, 0.2, 0.02),
        },
        "static": static(0.30, 90.0),
    },
    2: {
        "overall": block(0.96, 0.12, 0.4, 0.09),
        "scenarios": {
            "hydra": block(0.9, 0.20, 0.0, 0.0, benign=0),
            "chat": block(None, None, 0.0, 0.0),
        },
        "static": static(0.40, 92.0),
    },
    3: {
        "overall": block(0.94, 0.08, 0.2, 0.02),
        "scenarios": {
            "hydra": block(0.95, 0.15, 0.0, 0.0, benign=0),
            "mimicry": block(0.75, 0.40, 0.0, 0.0, benign=0),
            "chat": block(None, None, 0.6, 0.05),
        },
        "static": static(0.20, 94.0),
    },
}


def test_parse_seeds_ranges_lists_and_mixes() -> None:
    assert parse_seeds("1001-1010") == list(range(1001, 1011))
    assert parse_seeds("1,2,5") == [1, 2, 5]
    assert parse_seeds("7") == [7]
    assert parse_seeds(" 3-4 , 9,3") == [3, 4, 9]
    assert parse_seeds("5-5") == [5]


@pytest.mark.parametrize("bad", ["", "1,,2", "10-1", "a", "1-b", "-3", "1-2-3"])
def test_parse_seeds_refuses_nonsense(bad: str) -> None:
    with pytest.raises(ValueError, match=r"seed|range|empty"):
        parse_seeds(bad)


def test_the_cli_parses_the_seed_list_and_the_ablation_flags() -> None:
    a = build_parser().parse_args(["eval-seeds", "--seeds", "1001-1003", "--ablation"])
    assert a.seeds == [1001, 1002, 1003]
    assert a.ablation == ""
    assert (a.variant, a.hours, a.jobs, a.ablate) == ("random", 6.0, 2, None)
    a = build_parser().parse_args(["eval-seeds", "--seeds", "1,2", "--ablation", "x,y", "--jobs", "3"])
    assert (a.ablation, a.jobs) == ("x,y", 3)
    assert build_parser().parse_args(["eval-seeds", "--seeds", "1"]).ablation is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["eval-seeds", "--seeds", "9-2"])


def test_sim_dir_names_variant_seed_and_hours(tmp_path: Path) -> None:
    assert sim_dir(tmp_path, "random", 1001, 6.0).name == "random-1001-6"
    assert sim_dir(tmp_path, "standard", 2, 0.5).name == "standard-2-0.5"


def test_overall_median_and_worst_seed() -> None:
    agg = aggregate(PER_SEED)
    o = agg["overall"]
    assert agg["seeds"] == [1, 2, 3]
    assert o["seeds"] == [1, 2, 3]
    assert o["recall"] == {"median": 0.96, "worst": 0.94, "worst_seed": 3, "n": 3}
    assert o["harvest"] == {"median": 0.08, "worst": 0.12, "worst_seed": 2, "n": 3}
    assert o["benign_accounts_actioned_pct"] == {"median": 0.2, "worst": 0.4, "worst_seed": 2, "n": 3}
    assert o["benign_requests_rejected_pct"] == {"median": 0.02, "worst": 0.09, "worst_seed": 2, "n": 3}


def test_scenarios_skip_absent_seeds_and_vacuous_measures() -> None:
    sc = aggregate(PER_SEED)["scenarios"]
    assert list(sc) == ["chat", "hydra", "mimicry"]
    # Absent from seed 2: two seeds, the median of two is their mean.
    m = sc["mimicry"]
    assert m["seeds"] == [1, 3]
    assert m["recall"] == {"median": 0.625, "worst": 0.5, "worst_seed": 1, "n": 2}
    assert m["harvest"] == {"median": 0.5, "worst": 0.6, "worst_seed": 1, "n": 2}
    assert m["benign_accounts_actioned_pct"] is None  # no honest accounts: not a 0 %
    h = sc["hydra"]
    assert h["recall"] == {"median": 0.95, "worst": 0.9, "worst_seed": 2, "n": 3}
    assert h["harvest"] == {"median": 0.15, "worst": 0.2, "worst_seed": 2, "n": 3}
    assert h["benign_requests_rejected_pct"] is None
    c = sc["chat"]
    assert c["recall"] is None
    assert c["harvest"] is None
    assert c["benign_accounts_actioned_pct"] == {"median": 0.2, "worst": 0.6, "worst_seed": 3, "n": 3}
    assert c["benign_requests_rejected_pct"] == {"median": 0.02, "worst": 0.05, "worst_seed": 3, "n": 3}


def test_ties_go_to_the_first_seed() -> None:
    per = {s: {"overall": block(0.9, 0.1, 0.0, 0.0), "scenarios": {}, "static": {}} for s in (4, 2, 7)}
    o = aggregate(per)["overall"]
    assert o["recall"]["worst_seed"] == 2
    assert o["benign_requests_rejected_pct"] == {"median": 0.0, "worst": 0.0, "worst_seed": 2, "n": 3}


def test_targets_on_the_worst_seed() -> None:
    agg = aggregate(PER_SEED)
    t = {x["measure"]: x for x in agg["targets"]}
    assert (t["recall"]["worst"], t["recall"]["worst_seed"], t["recall"]["pass"]) == (0.94, 3, False)
    assert (t["harvest"]["worst"], t["harvest"]["pass"]) == (0.12, True)
    assert (t["benign_accounts_actioned_pct"]["worst"], t["benign_accounts_actioned_pct"]["pass"]) == (0.4, True)
    assert (t["benign_requests_rejected_pct"]["worst"], t["benign_requests_rejected_pct"]["pass"]) == (0.09, True)
    assert agg["all_pass"] is False
    md = summary_markdown(agg, "t")
    assert "| attack accounts acted on ≥ 95.0 % | 94.0 % | 3 | **FAIL** |" in md
    assert "| attack harvest ≤ 15.0 % | 12.0 % | 2 | **PASS** |" in md
    assert "| honest requests refused ≤ 0.100 % | 0.090 % | 2 | **PASS** |" in md
    assert "| mimicry | 2/3 | 62.5 % | 50.0 % | 50.0 % | 60.0 % | – | – | – | – |" in md
    assert "| 3 | 10 | 100 | 1,000 | 94.0 % | 8.0 % | 0.20 % | 0.020 % |" in md
    assert one_line(agg) == (
        "eval-seeds: worst recall=0.940 harvest=0.120 honest_accounts=0.400% honest_requests=0.0900% "
        "median recall=0.960 harvest=0.080 honest_accounts=0.200% honest_requests=0.0200% "
        "targets=FAIL (3/4) seeds=3"
    )


def test_all_targets_pass_at_the_boundaries() -> None:
    per = {1: {"overall": block(0.95, 0.15, 0.5, 0.1), "scenarios": {}, "static": {}}}
    agg = aggregate(per)
    assert [x["pass"] for x in agg["targets"]] == [True, True, True, True]
    assert agg["all_pass"] is True
    assert check(None, ">=", 0.95) is False
    assert check(0.9499, ">=", 0.95) is False
    assert check(0.1001, "<=", 0.1) is False


def test_static_baselines_are_medians_over_seeds() -> None:
    st = aggregate(PER_SEED)["static"]
    assert st["static 10 rpm/account"] == {"harvest_median": 0.3, "benign_requests_rejected_pct_median": 92.0, "n": 3}
    assert st["static 1200 rpm/ip_cluster"] == {
        "harvest_median": 1.0,
        "benign_requests_rejected_pct_median": 0.0,
        "n": 3,
    }


def test_per_seed_rows_in_seed_order() -> None:
    rows = aggregate({s: PER_SEED[s] for s in (3, 1)})["per_seed"]
    assert [r["seed"] for r in rows] == [1, 3]
    assert rows[0] == {
        "seed": 1,
        "recall": 0.98,
        "harvest": 0.05,
        "benign_accounts_actioned_pct": 0.1,
        "benign_requests_rejected_pct": 0.01,
        "attack_accounts": 10,
        "benign_accounts": 100,
        "events": 1000,
    }


def test_a_simulation_written_by_other_generator_sources_is_stale(tmp_path: Path) -> None:
    """A cached world is used only if the generator that wrote it is the one checked out: after a
    population is added, ``make eval`` must not score last week's worlds."""
    d = sim_dir(tmp_path, "random", 3, 6.0)
    d.mkdir()
    (d / "events.jsonl").write_text("")
    (d / "labels.json").write_text("{}")
    assert not _cached(d, "random")  # written before stamps: simulated again
    (d / STAMP).write_text(generator_digest("random") + "\n")
    assert _cached(d, "random")
    (d / STAMP).write_text(generator_digest("independent"))
    assert not _cached(d, "random")
    assert len({generator_digest(v) for v in ("random", "independent", "outsider")}) == 3
