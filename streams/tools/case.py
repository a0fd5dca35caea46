"""``distillguard case SUBJECT --events F --out DIR``: a case file for enforcement and legal teams.

Writes ``DIR/case.json`` (:func:`distillguard.lab.case_file.build_case`) and ``DIR/case.html``,
one self-contained page (inline CSS, the timeline as an inline PNG; no external asset, no
script) that can be mailed, printed or attached as it is.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
from html import escape
from typing import Any

import orjson

from distillguard.lab.case_file import build_case, utc
from distillguard.streams.settings import Settings


def run(args: argparse.Namespace) -> int:
    """Build the case, write both files, print where they are."""
    if not args.events.is_file():
        print(f"case: cannot read {args.events}", file=sys.stderr)
        return 2
    labels = None
    if args.labels is not None:
        if not args.labels.is_file():
            print(f"case: cannot read {args.labels}", file=sys.stderr)
            return 2
        raw = orjson.loads(args.labels.read_bytes())
        labels = raw.get("accounts", raw) if isinstance(raw, dict) else {}
    verdicts = None
    if args.verdicts is not None:
        if not args.verdicts.is_file():
            print(f"case: cannot read {args.verdicts}", file=sys.stderr)
            return 2
        verdicts, bad = read_verdicts(args.verdicts.read_bytes().splitlines())
        if bad:
            print(f"case: skipped {bad} verdict line(s) that are not verdict records", file=sys.stderr)
    cfg = Settings.from_env().detector
    with args.events.open("rb") as fh:
        case = build_case(
            fh,
            args.subject,
            cfg=cfg,
            delay_s=args.delay,
            labels=labels,
            verdicts=verdicts,
            source=args.events.name,
        )
    if not case["accounts"]:
        print(
            f"case: no request of {args.subject!r} in {args.events} (for a campaign: its id as decisions name it)",
            file=sys.stderr,
        )
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "case.json").write_bytes(orjson.dumps(case, option=orjson.OPT_INDENT_2) + b"\n")
    (args.out / "case.html").write_text(render_html(case, timeline_png(case)), encoding="utf-8")
    t = case["totals"]
    print(
        f"case: {case['subject_type']} {case['subject']}: accounts={t['accounts']} requests={t['requests']} "
        f"served_before_action={t['served_before_action']} served_after_action={t['served_after_action']} "
        f"decisions={len(case['decisions'])} -> {args.out / 'case.json'}, {args.out / 'case.html'}"
    )
    return 0


REQUIRED = ("verdict_id", "ts", "analyst", "subject_type", "subject", "verdict", "expires_at")


def read_verdicts(lines: list[bytes]) -> tuple[list[dict[str, Any]], int]:
    """Verdict records from JSONL lines (the required fields present); and how many lines were not."""
    out, bad = [], 0
    for line in lines:
        if not line.strip():
            continue
        try:
            v = orjson.loads(line)
        except orjson.JSONDecodeError:
            bad += 1
            continue
        if isinstance(v, dict) and all(k in v for k in REQUIRED):
            out.append(v)
        else:
            bad += 1
    return out, bad


def timeline_png(case: dict[str, Any]) -> bytes | None:
    """Requests a minute served and refused, with the decisions marked (a PNG; None without matplotlib)."""
    tl = case["timeline"]
    if not tl:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    t0 = tl[0]["minute_ts"]
    xs = [(p["minute_ts"] - t0) / 60.0 for p in tl]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    width = (tl[1]["minute_ts"] - t0) / 60.0 if len(tl) > 1 else 1.0
    served = [p["served"] for p in tl]
    ax.bar(xs, served, width=width, align="edge", color="#4c78a8", label="served", linewidth=0)
    ax.bar(
        xs, [p["refused"] for p in tl], width=width, align="edge", bottom=served, color="#e45756", label="refused",
        linewidth=0,
    )  # fmt: skip
    colors = {"throttle": "#f58518", "block": "black", "allow": "#54a24b"}
    marked: set[str] = set()
    for d in case["decisions"]:
        x = (d["ts"] - t0) / 60.0
        action = d["action"]
        ax.axvline(
            x,
            color=colors.get(action, "grey"),
            ls=":" if d["subject_type"] == "account" else "--",
            lw=1.0,
            label=None if action in marked else f"{action} decision",
        )
        marked.add(action)
    ax.set_xlabel(f"minutes since {case['totals']['first_request_utc'] or ''}")
    ax.set_ylabel("requests / min")
    ax.set_title(f"{case['subject_type']} {case['subject']}: requests served and refused")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;
color:#1d2430;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ccd;padding-bottom:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #d5d9e0;padding:3px 6px;text-align:left;
vertical-align:top}th{background:#f1f3f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#555}.kv td:first-child{width:30%;font-weight:600}.block{color:#000;font-weight:700}
.throttle{color:#b35c00;font-weight:700}.allow{color:#2a7a2a;font-weight:700}small{color:#666}
div.wide{overflow-x:auto}code{word-break:break-all}img{max-width:100%;border:1px solid #d5d9e0}ul{margin:0;padding-left:1.2em}
@media print{body{margin:0}h2{page-break-after:avoid}}
"""


def _n(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return escape(str(v))


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f}"


def _list(items: list[dict[str, Any]]) -> str:
    return "<br>".join(f"{escape(str(i['value']))} <small>({i['requests']:,})</small>" for i in items) or "–"


def render_html(case: dict[str, Any], png: bytes | None) -> str:
    """The case as one self-contained HTML page (every value escaped)."""
    t = case["totals"]
    inp = case["input"]
    out: list[str] = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Case file: {escape(case['subject_type'])} {escape(case['subject'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Case file: {escape(case['subject_type'])} <code>{escape(case['subject'])}</code></h1>",
        f"<p class='meta'>Detector {escape(case['model_version'])} · generated {escape(case['generated_utc'])} · "
        f"input {escape(inp['source'])} (sha256 <code>{escape(inp['sha256'])}</code>, {inp['events']:,} events, "
        f"{inp['rejected']:,} rejected) · the case's requests from {escape(str(t['first_request_utc']))} to "
        f"{escape(str(t['last_request_utc']))}</p>",
        "<p class='meta'>Counts and identifiers only: events carry no prompt text (a SimHash of the prompt at "
        "most), and this file holds none of either.</p>",
        "<h2>Summary</h2><table class='kv'>",
    ]
    summary = [
        ("Accounts", t["accounts"]),
        ("Accounts acted on", t["accounts_acted_on"]),
        ("API keys", t["api_keys"]),
        ("IP clusters", len(case["ip_clusters"])),
        ("First action (UTC)", t["first_action_utc"]),
        ("Requests", t["requests"]),
        (
            "Requests before / after the first action",
            f"{t['requests_before_action']:,} / {t['requests_after_action']:,}",
        ),
        ("Served before / after the first action", f"{t['served_before_action']:,} / {t['served_after_action']:,}"),
        ("Refused", t["refused"]),
        ("Output tokens", t["output_tokens"]),
        (
            "Output tokens served before / after the first action",
            f"{t['output_tokens_served_before_action']:,} / {t['output_tokens_served_after_action']:,}",
        ),
        ("Output tokens refused", t["output_tokens_refused"]),
        ("Decisions", len(case["decisions"])),
        ("Analysts' verdicts", len(case["verdicts"])),
    ]
    if case["linkage_key"]:
        summary.insert(0, ("Linkage key", case["linkage_key"]))
    out += [f"<tr><td>{escape(k)}</td><td>{_n(v)}</td></tr>" for k, v in summary]
    out.append("</table>")
    out.append(
        f"<p class='meta'>Before and after: each account's first action, as the evaluation counts it "
        f"(decisions enforced by the gateway's rules {case['enforcement']['gateway_delay_s']:g} s after they "
        "are made). An account's requests are counted from its first request that matches the subject.</p>"
    )

    out.append("<h2>Timeline</h2>")
    if png is not None:
        out.append(
            f"<img alt='requests a minute, served and refused' src='data:image/png;base64,"
            f"{base64.b64encode(png).decode()}'>"
        )
    else:
        out.append("<p>(no plot: matplotlib is not installed)</p>")

    out.append(
        "<h2>Accounts</h2><div class='wide'><table><tr><th>account</th><th>label</th><th>first action (UTC)</th>"
        "<th>requests</th><th>served before</th><th>served after</th><th>refused</th>"
        "<th>output tokens served before / after</th><th>distinct prompts</th><th>API keys</th><th>orgs</th>"
        "<th>IP clusters</th><th>ASNs</th><th>clients</th></tr>"
    )
    for r in case["accounts"]:
        lab = r["label"]
        lab_s = f"{lab.get('label', '')} ({lab.get('scenario', '')})" if isinstance(lab, dict) else "–"
        out.append(
            f"<tr><td><code>{escape(r['account_id'])}</code></td><td>{escape(lab_s)}</td>"
            f"<td>{_n(r['first_action_utc'])}</td><td class='n'>{_n(r['requests'])}</td>"
            f"<td class='n'>{_n(r['served_before_action'])}</td><td class='n'>{_n(r['served_after_action'])}</td>"
            f"<td class='n'>{_n(r['refused'])}</td>"
            f"<td class='n'>{_n(r['output_tokens_served_before_action'])} / "
            f"{_n(r['output_tokens_served_after_action'])}</td><td class='n'>{_n(r['distinct_prompts'])}</td>"
            f"<td>{_list(r['api_keys'])}</td><td>{_list(r['orgs'])}</td><td>{_list(r['ip_clusters'])}"
            f"<br><small>{r['distinct_ips']:,} distinct IPs</small></td><td>{_list(r['asns'])}</td>"
            f"<td>{_list(r['clients'])}</td></tr>"
        )
    out.append("</table></div>")
    if case["linked_not_acted_on"]:
        out.append(
            "<p>On the campaign's linkage key but not acted on by it: "
            + ", ".join(f"<code>{escape(a)}</code>" for a in case["linked_not_acted_on"])
            + "</p>"
        )
    if case["ip_clusters"]:
        out.append("<p>IP clusters: " + ", ".join(f"<code>{escape(c)}</code>" for c in case["ip_clusters"]) + "</p>")

    sig = case["signals"]
    out.append("<h2>Evidence against the population</h2>")
    if sig["rows"]:
        out.append(
            f"<p class='meta'>{sig['evaluations']:,} evaluations, the last at {escape(str(sig['last_evaluation_utc']))}"
            f" UTC. Population: {escape(sig['population'])}. Features are in [0, 1], higher is more "
            "harvest-like.</p><table><tr><th>signal</th><th>at the first action</th><th>at the last evaluation</th>"
            "<th>population median</th><th>percentile in population</th><th>population size</th>"
            "<th>detector's running median</th></tr>"
        )
        for s in sig["rows"]:
            out.append(
                f"<tr><td>{escape(s['signal'])}</td><td class='n'>{_n(s['value_at_first_action'])}</td>"
                f"<td class='n'>{_n(s['value'])}</td><td class='n'>{_n(s['population_median'])}</td>"
                f"<td class='n'>{_pct(s['population_percentile'])}</td><td class='n'>{_n(s['population_size'])}</td>"
                f"<td class='n'>{_n(s['detector_running_median'])}</td></tr>"
            )
        out.append("</table>")
    else:
        out.append(f"<p>{escape(sig['note'])}</p>")

    out.append("<h2>Decisions</h2>")
    if case["decisions"]:
        out.append(
            "<table><tr><th>time (UTC)</th><th>in force</th><th>subject</th><th>action</th><th>limit rpm</th>"
            "<th>TTL s</th><th>score</th><th>reasons</th><th>decision id</th></tr>"
        )
        for d in case["decisions"]:
            reasons = "".join(f"<li>{escape(str(x))}</li>" for x in d["reasons"])
            out.append(
                f"<tr><td>{_n(d['utc'])}</td><td>{_n(d['in_force_utc'])}</td><td>{escape(d['subject_type'])} "
                f"<code>{escape(d['subject'])}</code></td><td class='{escape(d['action'])}'>{escape(d['action'])}</td>"
                f"<td class='n'>{_n(d['limit_rpm'])}</td><td class='n'>{_n(d['ttl_s'])}</td>"
                f"<td class='n'>{_n(d['score'])}</td><td><ul>{reasons}</ul></td>"
                f"<td><code>{_n(d['decision_id'])}</code></td></tr>"
            )
        out.append("</table>")
    else:
        out.append("<p>None.</p>")

    out.append("<h2>Analysts' verdicts</h2>")
    if case["verdicts"]:
        out.append(
            "<table><tr><th>time</th><th>analyst</th><th>subject</th><th>verdict</th><th>expires</th>"
            "<th>note</th><th>verdict id</th></tr>"
        )
        for v in case["verdicts"]:
            out.append(
                f"<tr><td>{_n(_utc(v.get('ts')))}</td><td>{_n(v.get('analyst'))}</td>"
                f"<td>{_n(v.get('subject_type'))} <code>{_n(v.get('subject'))}</code></td>"
                f"<td>{_n(v.get('verdict'))}</td><td>{_n(_utc(v.get('expires_at')))}</td>"
                f"<td>{_n(v.get('note'))}</td><td><code>{_n(v.get('verdict_id'))}</code></td></tr>"
            )
        out.append("</table>")
    else:
        out.append("<p>None given.</p>")
    out.append(
        f"<p class='meta'>distillguard case file, layout version {case['case_version']}; the machine-readable "
        "copy is case.json beside this page.</p></body></html>"
    )
    return "\n".join(out)


def _utc(ts: Any) -> str | None:
    return utc(float(ts)) if isinstance(ts, int | float) else None
