"""``distillguard eval``: replay + enforcement + metrics, a Markdown table and PNG plots."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from distillguard.lab.evaluation import evaluate, summarize
from distillguard.models.event import OPTIONAL_FIELDS
from distillguard.streams.settings import Settings

COLUMNS = [
    ("recall", "attack accounts acted on", "{:.1%}"),
    ("harvest", "attack harvest", "{:.1%}"),
    ("requests_to_action_median", "req. to action (median)", "{:g}"),
    ("requests_to_action_p90", "req. to action (p90)", "{:g}"),
    ("seconds_to_action_median", "s to action (median)", "{:g}"),
    ("benign_accounts_actioned_pct", "honest accounts actioned", "{:.2f} %"),
    ("benign_requests_rejected_pct", "honest requests rejected", "{:.3f} %"),
]


def _cell(v: Any, fmt: str) -> str:
    return "–" if v is None else fmt.format(v)


def markdown(m: dict[str, Any]) -> str:
    """The metrics as Markdown tables."""
    head = "| scenario | accounts | " + " | ".join(c[1] for c in COLUMNS) + " |"
    rows = [head, "|" + "---|" * (len(COLUMNS) + 2)]
    for name, s in [*m["scenarios"].items(), ("**overall**", m["overall"])]:
        rows.append(f"| {name} | {s['accounts']} | " + " | ".join(_cell(s[k], f) for k, _, f in COLUMNS) + " |")
    rows += ["", "| enforcement | attack harvest | honest requests rejected |", "|---|---|---|"]
    o = m["overall"]
    rows.append(f"| **distillguard** | {o['harvest']:.1%} | {o['benign_requests_rejected_pct']:.3f} % |")
    for name, s in m["static"].items():
        mark = " (best static at ≤ 0.1 % honest rejected)" if name == m["best_static"] else ""
        rows.append(f"| {name}{mark} | {s['harvest']:.1%} | {s['benign_requests_rejected_pct']:.3f} % |")
    return "\n".join(rows) + "\n"


def _edit_objects(lines: Iterable[bytes], edit: Callable[[dict[str, Any]], bool]) -> Iterator[bytes]:
    """``lines`` with ``edit`` applied to each JSON object (it returns whether it changed it). A
    line that is no JSON object passes unchanged (it is bad input either way, and is
    dead-lettered as such)."""
    for line in lines:
        try:
            d = orjson.loads(line)
        except orjson.JSONDecodeError:
            yield line
            continue
        yield orjson.dumps(d) if type(d) is dict and edit(d) else line


def without_fields(lines: Iterable[bytes], fields: frozenset[str]) -> Iterator[bytes]:
    """``lines`` with ``fields`` left out of every JSON object: the same traffic as a gateway that
    does not log them would record it.

    >>> list(without_fields([b'{"ts":1,"asn":7,"temperature":0.2}', b'{bad'], frozenset({"asn"})))
    [b'{"ts":1,"temperature":0.2}', b'{bad']
    """

    def drop(d: dict[str, Any]) -> bool:
        for f in fields:
            d.pop(f, None)
        return True

    return _edit_objects(lines, drop)


def attack_temperature(lines: Iterable[bytes], attackers: set[str], temperature: float) -> Iterator[bytes]:
    """``lines`` with every request of an ``attackers`` account asking for ``temperature``: a
    campaign that knows what a temperature tells the detector, beside the same honest traffic
    (the labels say which accounts attack; evaluation only).

    >>> list(attack_temperature([b'{"account_id":"a","temperature":0.7}', b'{"account_id":"h"}'], {"a"}, 0.0))
    [b'{"account_id":"a","temperature":0.0}', b'{"account_id":"h"}']
    """

    def set_temperature(d: dict[str, Any]) -> bool:
        if d.get("account_id") not in attackers:
            return False
        d["temperature"] = temperature
        return True

    return _edit_objects(lines, set_temperature)


def parse_without(text: str) -> frozenset[str]:
    """``--without``'s comma-separated field names, each one of the contract's optional fields.

    >>> sorted(parse_without("asn, temperature"))
    ['asn', 'temperature']
    >>> parse_without("account_id")
    Traceback (most recent call last):
    ...
    ValueError: not an optional field of the event contract: account_id (optional: asn, endpoint, has_system_prompt, latency_ms, org_id, stream, temperature, tls_fingerprint, user_agent)
    """
    fields = frozenset(f.strip() for f in text.split(",") if f.strip())
    unknown = sorted(fields - OPTIONAL_FIELDS)
    if unknown:
        raise ValueError(
            f"not an optional field of the event contract: {', '.join(unknown)} "
            f"(optional: {', '.join(sorted(OPTIONAL_FIELDS))})"
        )
    return fields


def run(args: argparse.Namespace) -> int:
    """Evaluate, print the table, write metrics.json, metrics.md and plots."""
    if not args.events.is_file() or not args.labels.is_file():
        print("eval: cannot read the events or labels file", file=sys.stderr)
        return 2
    try:
        dropped = parse_without(args.without or "")
    except ValueError as err:
        print(f"eval: --without: {err}", file=sys.stderr)
        return 2
    t = args.attack_temperature
    if t is not None and not (math.isfinite(t) and t >= 0.0):
        print("eval: --attack-temperature must be a finite number >= 0 (as the event contract's)", file=sys.stderr)
        return 2
    labels = orjson.loads(args.labels.read_bytes())["accounts"]
    cfg = Settings.from_env().detector
    # Trace the campaign accounts; the timeline plot shows the busiest mimicry account (the
    # hardest case), or else the busiest campaign account.
    attack = {a for a, v in labels.items() if v["label"] == "attack"}
    traces: dict[str, list[dict[str, float]]] = {}

    def trace(acct: str, ts: float, values: dict[str, Any]) -> None:
        if acct in attack:
            traces.setdefault(acct, []).append({"ts": ts, "score": values["score"], "rpm": values["rpm"]})

    with args.events.open("rb") as fh:
        lines: Iterable[bytes] = without_fields(fh, dropped) if dropped else fh
        if args.attack_temperature is not None:
            lines = attack_temperature(lines, attack, args.attack_temperature)
        res = evaluate(lines, cfg, trace=trace, progress=lambda n: print(f"eval: {n:,} events", file=sys.stderr))
    m = summarize(res, labels)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "metrics.json").write_bytes(orjson.dumps(m, option=orjson.OPT_INDENT_2))
    md = markdown(m)
    (args.out / "metrics.md").write_text(md)
    print(md)
    if not args.no_plots:
        from distillguard.streams.tools.eval_plots import plot_all

        mimicry = [a for a in traces if labels[a]["scenario"] == "mimicry"]
        focus = max(mimicry or traces, key=lambda a: len(traces[a]), default=None)
        acts = [d for d in res.decisions if d["subject"] == focus]
        plot_all(m, res, labels, focus, traces.get(focus, []) if focus else [], acts, args.out)
        print(f"eval: plots in {args.out}")
    o = m["overall"]
    print(
        f"eval: recall={o['recall']:.3f} harvest={o['harvest']:.3f} "
        f"benign_accounts_actioned_pct={o['benign_accounts_actioned_pct']:.3f} "
        f"benign_requests_rejected_pct={o['benign_requests_rejected_pct']:.4f} "
        f"decisions={o['decisions']} events={o['events']} events_per_s={o['events_per_s']}"
    )
    return 0
