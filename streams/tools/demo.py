"""``make demo``: the whole loop live on the local broker, watched in the terminal.

Starts the worker, the check service (``distillguard enforcer serve``), the gateway (which asks
the check service about every request over HTTP; ``--embedded`` embeds the enforcement client
instead), the analysts' console (``distillguard console``, with a throwaway users file: one analyst
``demo`` with a random password, printed) and the simulated HTTP clients (honest populations and
campaigns, sped up), shows a live view, and ends with a plot and a ``summary:`` line. Every
process it starts is stopped at the end, on Ctrl-C too. Each run uses its own topics and app id
(``demo-<time>-*``) so runs do not see each other's traffic.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import orjson
from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as r:
            return orjson.loads(r.read())
    except Exception:
        return None


def _wait(url: str, seconds: float, procs: list[subprocess.Popen[bytes]]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        if _get(url) is not None:
            return True
        time.sleep(0.5)
    return False


def _pct(a: int, b: int) -> float:
    return 100.0 * a / b if b else 0.0


def view(worker: dict[str, Any] | None, clients: dict[str, Any] | None, elapsed: float, duration: float) -> Group:
    """The live terminal view."""
    head = Table.grid(padding=(0, 3))
    w = worker or {}
    c = clients or {"attack": {}, "benign": {}}
    att, ben = c.get("attack", {}), c.get("benign", {})
    a_tot = att.get("served", 0) + att.get("refused", 0)
    b_tot = ben.get("served", 0) + ben.get("refused", 0)
    dec = w.get("decisions", {})
    head.add_row(
        f"[bold]t[/] {elapsed:5.0f}/{duration:.0f} s",
        f"[bold]events/s[/] {w.get('events_per_s', 0):,.0f}",
        f"[bold]events[/] {w.get('events', 0):,}",
        f"[bold]DLQ[/] {w.get('rejected', 0)}",
        f"[bold]lag[/] {w.get('lag_s', 0):.2f} s",
    )
    head.add_row(
        f"[orange1]throttle[/] {dec.get('throttle', 0)}",
        f"[red]block[/] {dec.get('block', 0)}",
        f"[green]allow[/] {dec.get('allow', 0)}",
        f"accounts {w.get('accounts', 0):,}",
        f"clusters {w.get('clusters', 0):,}",
    )
    head.add_row(
        f"[bold]attack served[/] {att.get('served', 0):,} ({_pct(att.get('served', 0), a_tot):.1f} %)",
        f"[bold]attack refused[/] {att.get('refused', 0):,}",
        f"[bold]honest refused[/] {ben.get('refused', 0):,} of {b_tot:,} ({_pct(ben.get('refused', 0), b_tot):.2f} %)",
        "",
        "",
    )
    top = Table(title="top flagged accounts", expand=True)
    for col in ("account", "score", "requests", "action", "strongest reasons"):
        top.add_column(col, overflow="fold")
    for s in w.get("top", [])[:8]:
        top.add_row(s["subject"], f"{s['score']:.2f}", str(s["requests"]), s["action"], "; ".join(s["reasons"][1:3]))
    return Group(Panel(head, title="distillguard live demo"), top)


def plot(timeline: list[dict[str, Any]], path: Path) -> None:
    """Attack served vs refused, and honest refused, over the demo."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [p["t"] for p in timeline]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(t, [p["attack"]["served"] for p in timeline], label="attack served", color="crimson")
    ax.plot(t, [p["attack"]["refused"] for p in timeline], label="attack refused", color="black")
    ax.plot(t, [p["benign"]["refused"] for p in timeline], label="honest refused", color="green")
    ax.set_xlabel("seconds into the demo")
    ax.set_ylabel("requests (cumulative)")
    ax.set_title("distillguard demo: campaigns refused, honest traffic served")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def demo_users(path: Path) -> str:
    """Write a throwaway console users file (one analyst, ``demo``) and return its random password."""
    from distillguard.streams.tools.console_auth import hash_password

    password = secrets.token_urlsafe(12)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"demo:analyst:{hash_password(password)}\n")
    return password


def main(argv: list[str] | None = None) -> int:
    """Run the demo."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--duration", type=float, default=180.0)
    p.add_argument("--speed", type=float, default=40.0, help="simulated seconds per real second")
    p.add_argument("--scale", type=float, default=0.3)
    p.add_argument("--out", type=Path, default=ROOT / "out" / "demo")
    p.add_argument("--gateway-port", type=int, default=8080)
    p.add_argument("--web-port", type=int, default=6066)
    p.add_argument("--check-port", type=int, default=8181, help="the check service the gateway asks")
    p.add_argument("--console-port", type=int, default=8090, help="the analysts' console")
    p.add_argument("--embedded", action="store_true", help="the gateway embeds the enforcement client instead")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tag = f"demo-{int(time.time())}"
    env = {
        **os.environ,
        "DISTILLGUARD_APP_ID": tag,
        "DISTILLGUARD_TOPIC_EVENTS": f"{tag}-api-requests",
        "DISTILLGUARD_TOPIC_DECISIONS": f"{tag}-throttle-decisions",
        "DISTILLGUARD_TOPIC_DLQ": f"{tag}-dlq",
        "DISTILLGUARD_WEB_PORT": str(args.web_port),
        "DISTILLGUARD_LOG_FORMAT": "json",
        "DISTILLGUARD_DATA_DIR": str(args.out / "worker-data"),
        "DISTILLGUARD_TOPIC_VERDICTS": f"{tag}-analyst-verdicts",
        "DISTILLGUARD_CONSOLE_USERS": str(args.out / "console-users"),
    }
    password = demo_users(args.out / "console-users")
    stats_file = args.out / "clients.json"
    stats_file.unlink(missing_ok=True)
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *cmd: str) -> subprocess.Popen[bytes]:
        log = (args.out / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "distillguard.streams.cli", *cmd],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(proc)
        return proc

    def stop_all() -> None:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    worker_url = f"http://127.0.0.1:{args.web_port}/dg/stats/"
    clients: dict[str, Any] | None = None
    worker: dict[str, Any] | None = None
    try:
        print(
            f"demo: starting worker, check service, gateway and console (topics {tag}-*; logs in {args.out})",
            flush=True,
        )
        start("worker", "worker")
        check = [] if args.embedded else ["--check-url", f"http://127.0.0.1:{args.check_port}"]
        if check:
            start("check", "enforcer", "serve", "--port", str(args.check_port))
        start("gateway", "gateway", "--port", str(args.gateway_port), *check)
        up = [f"http://127.0.0.1:{args.gateway_port}/healthz", worker_url]
        if check:
            up.append(f"http://127.0.0.1:{args.check_port}/readyz")
        start("console", "console", "--port", str(args.console_port))
        up.append(f"http://127.0.0.1:{args.console_port}/livez")
        if not all(_wait(url, 90, procs) for url in up):
            print(
                "demo: worker, check service, gateway or console did not come up; see the logs in",
                args.out,
                file=sys.stderr,
            )
            return 1
        print(
            f"demo: analysts' console at http://127.0.0.1:{args.console_port}/ "
            f"(user demo, password {password}; a throwaway users file, {args.out / 'console-users'})",
            flush=True,
        )
        time.sleep(2.0)
        start(
            "clients",
            "simulate",
            "--target",
            f"http://127.0.0.1:{args.gateway_port}",
            "--speed",
            str(args.speed),
            "--scale",
            str(args.scale),
            "--duration",
            str(args.duration),
            "--stats",
            str(stats_file),
            "--hours",
            str(max(1.0, args.duration * args.speed / 3600 + 0.5)),
            "--quiet",
        )
        t0 = time.monotonic()
        with Live(view(None, None, 0, args.duration), refresh_per_second=2) as live:
            while time.monotonic() - t0 < args.duration + 5 and procs[-1].poll() is None:
                time.sleep(1.0)
                worker = _get(worker_url) or worker
                if stats_file.exists():
                    with contextlib.suppress(orjson.JSONDecodeError):  # caught mid-write: next second
                        clients = orjson.loads(stats_file.read_bytes())
                live.update(view(worker, clients, time.monotonic() - t0, args.duration))
        time.sleep(3.0)
        worker = _get(worker_url) or worker
        if stats_file.exists():
            clients = orjson.loads(stats_file.read_bytes())
    except KeyboardInterrupt:
        print("demo: interrupted; stopping everything", file=sys.stderr)
    finally:
        stop_all()
    if clients is None or worker is None:
        print("demo: no traffic measured", file=sys.stderr)
        return 1
    if clients.get("timeline"):
        plot(clients["timeline"], args.out / "demo.png")
        print(f"demo: plot written to {args.out / 'demo.png'}")
    att, ben = clients["attack"], clients["benign"]
    dec = sum(worker.get("decisions", {}).values())
    print(
        f"summary: attack_refused_pct={_pct(att['refused'], att['served'] + att['refused']):.1f} "
        f"honest_refused_pct={_pct(ben['refused'], ben['served'] + ben['refused']):.2f} "
        f"decisions={dec} events={worker.get('events', 0)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
