"""The ``distillguard`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _worker(args: argparse.Namespace) -> int:
    from distillguard.streams.logs import configure_logging, faust_logging_config
    from distillguard.streams.settings import Settings
    from distillguard.streams.worker.admin import ensure_topics
    from distillguard.streams.worker.pipeline import build_app

    settings = Settings.from_env()
    handler = configure_logging(settings.log_format, settings.log_level, stdlib_level=args.loglevel)
    ensure_topics(settings)
    app = build_app(settings)
    # Faust sets logging up again when the worker starts: the same handler, so its lines, mode's
    # and aiokafka's come out as structlog renders ours.
    app.conf.loghandlers = [handler]
    app.conf.logging_config = faust_logging_config(args.loglevel)

    # --quiet: no banner or progress spinner on stdout (not log lines; they would break a JSON log).
    argv = ["distillguard", "--quiet", "worker", f"--loglevel={args.loglevel}"]
    if settings.web_enabled:
        argv.append(f"--web-port={settings.web_port}")
    else:
        argv.append("--without-web")
    sys.argv = argv
    app.main()
    return 0


def _replay(args: argparse.Namespace) -> int:
    from distillguard.lab.replay import run_replay
    from distillguard.streams.settings import Settings

    if not args.events.is_file():
        print(f"replay: cannot read {args.events}", file=sys.stderr)
        return 2
    cfg = Settings.from_env().detector
    args.output.parent.mkdir(parents=True, exist_ok=True)
    dlq = args.dlq.open("wb") if args.dlq else None
    try:
        with args.output.open("wb") as out:
            stats = run_replay(
                args.events, out, dlq, cfg, progress=lambda n: print(f"replay: {n:,} lines", file=sys.stderr)
            )
    finally:
        if dlq is not None:
            dlq.close()
    print(stats.summary())
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from distillguard.streams.tools.simulate_cli import run

    return run(args)


def _eval(args: argparse.Namespace) -> int:
    from distillguard.streams.tools.eval_cli import run

    return run(args)


def _explain(args: argparse.Namespace) -> int:
    from distillguard.streams.tools.explain import run

    return run(args)


def _case(args: argparse.Namespace) -> int:
    from distillguard.streams.tools.case import run

    return run(args)


def _decisions(args: argparse.Namespace) -> int:
    from distillguard.streams.tools.tail import run

    return run(args)


def _gateway(args: argparse.Namespace) -> int:
    from distillguard.streams.gateway.demo_server import run

    return run(args)


def _enforcer_serve(args: argparse.Namespace) -> int:
    from distillguard.streams.gateway.check_service import run

    return run(args)


def _console(args: argparse.Namespace) -> int:
    from distillguard.streams.tools.console import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    p = argparse.ArgumentParser(prog="distillguard", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    w = sub.add_parser("worker", help="run the always-on Faust worker")
    w.add_argument(
        "--loglevel", default="warn", choices=["crit", "error", "warn", "info", "debug"], help="Faust's own log level"
    )
    w.set_defaults(func=_worker)

    r = sub.add_parser("replay", help="run the detector over a JSONL file of events")
    r.add_argument("events", type=Path)
    r.add_argument("-o", "--output", type=Path, required=True)
    r.add_argument("--dlq", type=Path, help="write rejected lines here")
    r.set_defaults(func=_replay)

    from distillguard.streams.tools.simulate_cli import add_arguments as add_simulate_arguments

    s = sub.add_parser("simulate", help="generate labelled traffic (files or live to Kafka)")
    add_simulate_arguments(s)
    s.set_defaults(func=_simulate)

    e = sub.add_parser("eval", help="replay, enforce and score against labels")
    e.add_argument("events", type=Path)
    e.add_argument("labels", type=Path)
    e.add_argument("--out", type=Path, default=Path("out/eval"))
    e.add_argument("--no-plots", action="store_true")
    e.add_argument(
        "--without",
        metavar="FIELDS",
        help="comma-separated optional event fields to leave out of every event (asn, temperature, ...): "
        "what detection loses when a gateway does not log them",
    )
    e.add_argument(
        "--attack-temperature",
        type=float,
        metavar="T",
        help="every request of the labels' attack accounts asks for temperature T: "
        "a campaign that knows what a temperature tells the detector",
    )
    e.set_defaults(func=_eval)

    from distillguard.streams.tools.eval_seeds import add_parser as add_eval_seeds

    add_eval_seeds(sub)

    x = sub.add_parser("explain", help="evidence over time for one account, or a campaign (c-xxxxxx)")
    x.add_argument("account")
    x.add_argument("--events", type=Path, required=True)
    x.add_argument("--every", type=int, default=1, help="print every Nth evaluation")
    x.set_defaults(func=_explain)

    from distillguard.streams.tools.case_args import add_arguments as add_case_arguments

    cf = sub.add_parser(
        "case", help="a case file (case.json, case.html) on an account, an IP cluster or a campaign (c-xxxxxx)"
    )
    add_case_arguments(cf)
    cf.set_defaults(func=_case)

    g = sub.add_parser("gateway", help="the demo LLM API gateway that enforces decisions")
    g.add_argument("--host", default="127.0.0.1")
    g.add_argument("--port", type=int, default=8080)
    g.add_argument("--fail-closed", action="store_true", help="refuse requests while decisions are stale")
    g.add_argument(
        "--check-url",
        default="",
        help="ask the check service (distillguard enforcer serve) at this URL instead of embedding the client",
    )
    g.set_defaults(func=_gateway)

    from distillguard.streams.gateway.check_args import add_arguments as add_serve_arguments

    en = sub.add_parser("enforcer", help="the enforcement state as a service gateways call")
    en_sub = en.add_subparsers(dest="enforcer_command", required=True)
    serve = en_sub.add_parser(
        "serve", help="answer GET /v1/check (200 admit, 429 or 403 refuse) from the decisions topic"
    )
    add_serve_arguments(serve)
    serve.set_defaults(func=_enforcer_serve)

    from distillguard.streams.tools.console_args import add_arguments as add_console_arguments

    c = sub.add_parser("console", help="the analysts' console: what is in force, search, release/confirm/escalate")
    add_console_arguments(c)
    c.set_defaults(func=_console)

    t = sub.add_parser("decisions", help="print decisions from the decisions topic")
    t.add_argument("--seconds", type=float, default=10.0, help="stop after this long idle")
    t.add_argument("--from-beginning", action="store_true")
    t.set_defaults(func=_decisions)
    return p


def uses_kafka(args: argparse.Namespace) -> bool:
    """Whether the command connects to Kafka (and so checks the brokers' TLS first)."""
    if args.command == "simulate":
        return bool(args.kafka)
    if args.command == "console":
        return args.console_command != "hash-password"
    return args.command in ("worker", "gateway", "enforcer", "decisions")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``distillguard`` console script.

    Bad settings exit with code 2, a broker whose TLS does not verify with code 1: each as one
    line on stderr, before any Kafka client starts.
    """
    from distillguard.streams.broker_tls import BrokerTLSError, check_broker_tls
    from distillguard.streams.settings import Settings, SettingsError

    args = build_parser().parse_args(argv)
    try:
        if uses_kafka(args):
            check_broker_tls(Settings.from_env())
        return int(args.func(args) or 0)
    except SettingsError as err:
        print(f"distillguard: bad settings: {err}", file=sys.stderr)
        return 2
    except BrokerTLSError as err:
        print(f"distillguard: TLS: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
