"""``distillguard console``: the analysts' console, server-rendered HTML over aiohttp.

It shows what is in force now (the compacted decisions topic, read by an
:class:`~distillguard.streams.gateway.enforcer.EnforcementClient`), a queue ordered by volume x
uncertainty, a search by account, IP cluster or campaign id, and a page per subject with its
decisions and verdicts. On that page an analyst releases, confirms or escalates the subject: a
verdict record on ``analyst-verdicts`` (``contracts/analyst_verdict.schema.json``) that the
workers act on.

Login is required (users from ``DISTILLGUARD_CONSOLE_USERS``,
:mod:`~distillguard.streams.tools.console_auth`); the session cookie is random, HttpOnly and
SameSite=Strict; every POST form carries the session's CSRF token; ``viewer`` reads,
``analyst`` may post verdicts. A request without a session is sent to the login page (a POST
gets 401); a POST without the right CSRF token gets 403. It binds 127.0.0.1 unless told
otherwise: anything else belongs behind a TLS proxy, with ``--secure-cookie``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import html
import re
import shlex
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from string import Template
from typing import Any
from urllib.parse import quote

import structlog
from aiohttp import web
from multidict import MultiDictProxy

from distillguard.models.decision import SUBJECT_TYPES, queue_priority
from distillguard.streams.gateway.enforcer import EnforcementClient
from distillguard.streams.settings import Settings
from distillguard.streams.tools.console_auth import (
    Session,
    Sessions,
    UsersFileError,
    csrf_ok,
    hash_password,
    load_users,
)
from distillguard.streams.web_serve import serve
from distillguard.streams.worker.verdicts import VERDICTS, AnalystVerdict, InvalidVerdict, new_verdict

log = structlog.get_logger("distillguard.console")

COOKIE = "dg_console"
HISTORY = 50
"""Decisions kept per subject for its page."""
MAX_HOURS = 24 * 90
SESSION = web.RequestKey("session", Session)
FORM = web.RequestKey("form", MultiDictProxy)  # type: ignore[type-abstract]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def subject_key(subject_type: str, subject: str) -> tuple[str, str]:
    return (subject_type or "account", subject)


class ConsoleState:
    """Decisions and verdicts per subject, as the two readers deliver them (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.decisions: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.verdicts: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def add_decision(self, d: dict[str, Any]) -> None:
        key = subject_key(str(d.get("subject_type") or "account"), str(d["subject"]))
        with self.lock:
            hist = self.decisions.setdefault(key, [])
            if any(x.get("decision_id") == d.get("decision_id") and x.get("ts") == d.get("ts") for x in hist):
                return
            hist.append(d)
            del hist[:-HISTORY]

    def add_verdict(self, v: dict[str, Any]) -> None:
        key = subject_key(str(v["subject_type"]), str(v["subject"]))
        with self.lock:
            hist = self.verdicts.setdefault(key, [])
            if all(x.get("verdict_id") != v.get("verdict_id") for x in hist):
                hist.append(v)
                del hist[:-HISTORY]

    def latest(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The newest decision of each subject."""
        with self.lock:
            return {k: h[-1] for k, h in self.decisions.items() if h}

    def in_force(self, now: float | None = None) -> list[dict[str, Any]]:
        """Subjects whose newest decision throttles or blocks and has not expired, newest first."""
        now = time.time() if now is None else now
        live = [d for d in self.latest().values() if d.get("action") != "allow" and expires(d) > now]
        return sorted(live, key=lambda d: float(d.get("ts") or 0), reverse=True)

    def queue(self, now: float | None = None) -> list[dict[str, Any]]:
        """What is in force, the most at stake x most uncertain first (``queue_priority``)."""
        return sorted(self.in_force(now), key=queue_priority, reverse=True)

    def search(self, q: str) -> list[dict[str, Any]]:
        """Subjects whose name, or a reason of their newest decision (a campaign id), holds ``q``."""
        q = q.strip().lower()
        if not q:
            return []
        hits = [
            d
            for (_t, subject), d in self.latest().items()
            if q in subject.lower() or any(q in str(r).lower() for r in d.get("reasons") or [])
        ]
        return sorted(hits, key=lambda d: float(d.get("ts") or 0), reverse=True)[:200]

    def subject(self, subject_type: str, subject: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A subject's decisions and verdicts, newest first."""
        key = subject_key(subject_type, subject)
        with self.lock:
            return list(reversed(self.decisions.get(key, []))), list(reversed(self.verdicts.get(key, [])))


def expires(d: dict[str, Any]) -> float:
    e = d.get("expires_at")
    return float(e) if e is not None else float(d.get("ts") or 0) + float(d.get("ttl_s") or 0)


class DecisionReader(EnforcementClient):
    """The enforcement client, also keeping each subject's decisions for the console."""

    def __init__(self, settings: Settings, state: ConsoleState) -> None:
        super().__init__(settings)
        self.state = state

    def apply(self, decision: dict[str, Any], now: float | None = None) -> None:
        super().apply(decision, now)
        self.state.add_decision(decision)


class VerdictReader(EnforcementClient):
    """The same reader over the analysts' verdicts topic (the whole topic, followed)."""

    def __init__(self, settings: Settings, state: ConsoleState) -> None:
        super().__init__(replace(settings, topic_decisions=settings.topic_verdicts))
        self.state = state

    def apply(self, decision: dict[str, Any], now: float | None = None) -> None:
        try:
            v = AnalystVerdict.from_dict(decision)
        except InvalidVerdict as err:
            log.warning("unreadable verdict skipped", error=str(err))
            return
        self.state.add_verdict(v.to_dict())
        self.applied += 1


# --- pages ------------------------------------------------------------------------------------

LAYOUT = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>$title · distillguard console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/style.css"></head>
<body><header><a class="brand" href="/">distillguard console</a>$nav</header>
<main><h1>$title</h1>$body</main></body></html>
""")

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{display:flex;gap:1.2em;align-items:center;padding:.6em 1.2em;background:#1d2430;color:#fff}
header a{color:#fff;text-decoration:none}.brand{font-weight:600;margin-right:auto}
header form{margin:0}header button{background:none;border:1px solid #8893a5;color:#fff;border-radius:3px}
main{padding:1em 1.5em}table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #e2e5ea;vertical-align:top}
th{background:#eef0f3;font-weight:600}.reasons{max-width:42em;color:#3b4556}
.action{font-weight:600;padding:0 .35em;border-radius:3px}.block{background:#f8d7da}.throttle{background:#fff3cd}
.allow{background:#d4edda}.shadow{background:#e2e3f3;font-size:.85em;padding:0 .3em;border-radius:3px}
.codes{color:#6b7385;font-size:.9em}form.verdict{background:#fff;padding:.8em;margin:.6em 0;border:1px solid #e2e5ea}
.state{font-size:1.1em;padding:.6em;background:#fff;border-left:4px solid #1d2430;margin-bottom:1em}
.error{color:#a4262c}input,textarea,select{font:inherit}label{margin-right:1em}
"""


def e(value: Any) -> str:
    """HTML-escaped text."""
    return html.escape(str(value), quote=True)


def when(ts: Any) -> str:
    if not ts:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(float(ts)))


def subject_url(subject_type: str, subject: str) -> str:
    return f"/subject/{quote(subject_type, safe='')}/{quote(subject, safe='/')}"


def action_badge(d: dict[str, Any]) -> str:
    a = str(d.get("action") or "")
    out = f'<span class="action {e(a)}">{e(a)}</span>'
    if d.get("enforce") is False:
        out += ' <span class="shadow" title="shadow decision: counted, not enforced">shadow enforce=false</span>'
    return out


def decision_rows(ds: list[dict[str, Any]], with_priority: bool = False) -> str:
    if not ds:
        return "<p>Nothing.</p>"
    head = "<th>subject</th><th>type</th><th>action</th><th>since</th><th>expires</th><th>score</th>"
    head += "<th>priority</th>" if with_priority else ""
    head += "<th>reasons</th><th>reason codes</th>"
    rows = []
    for d in ds:
        st, sj = str(d.get("subject_type") or "account"), str(d.get("subject"))
        cells = (
            f'<td><a href="{e(subject_url(st, sj))}">{e(sj)}</a></td><td>{e(st)}</td><td>{action_badge(d)}</td>'
            f"<td>{e(when(d.get('ts')))}</td><td>{e(when(expires(d)))}</td><td>{float(d.get('score') or 0):.2f}</td>"
        )
        if with_priority:
            cells += f"<td>{queue_priority(d):.1f}</td>"
        reasons = "<br>".join(e(r) for r in (d.get("reasons") or [])[:3])
        cells += f'<td class="reasons">{reasons}</td><td class="codes">{e(", ".join(d.get("reason_codes") or []))}</td>'
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def page(title: str, body: str, session: Session | None) -> web.Response:
    nav = ""
    if session is not None:
        nav = (
            '<a href="/">in force</a><a href="/queue">queue</a>'
            '<form method="get" action="/search"><input name="q" placeholder="account, IP, campaign id" '
            'aria-label="search"> <button>search</button></form>'
            f"<span>{e(session.user)} ({e(session.role)})</span>"
            f'<form method="post" action="/logout"><input type="hidden" name="csrf" value="{e(session.csrf)}">'
            "<button>log out</button></form>"
        )
    text = LAYOUT.substitute(title=e(title), nav=nav, body=body)
    return web.Response(text=text, content_type="text/html")


LOGIN_FORM = Template("""<form method="post" action="/login" class="verdict">
<p class="error">$error</p>
<label>name <input name="name" autocomplete="username" required autofocus></label>
<label>password <input name="password" type="password" autocomplete="current-password" required></label>
<button>log in</button></form>""")


# --- the application -------------------------------------------------------------------------


class Console:
    """The handlers over the state, the sessions and a verdict producer."""

    def __init__(
        self, settings: Settings, state: ConsoleState, sessions: Sessions, producer: Any, secure_cookie: bool = False
    ) -> None:
        self.settings = settings
        self.secure_cookie = secure_cookie
        self.state = state
        self.sessions = sessions
        self.producer = producer

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Login and CSRF: the one place every request passes."""
        if request.path in ("/login", "/style.css", "/livez"):
            resp = await handler(request)
        else:
            session = self.sessions.get(request.cookies.get(COOKIE))
            if session is None:
                if request.method != "GET":
                    resp = web.Response(status=401, text="log in first\n")
                else:
                    raise web.HTTPSeeOther("/login")
            else:
                request[SESSION] = session
                if request.method == "POST":
                    form = await request.post()
                    if not csrf_ok(session, str(form.get("csrf") or "")):
                        return self._headers(web.Response(status=403, text="missing or wrong CSRF token\n"))
                    request[FORM] = form
                resp = await handler(request)
        return self._headers(resp)

    @staticmethod
    def _headers(resp: web.StreamResponse) -> web.StreamResponse:
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    async def style(self, request: web.Request) -> web.Response:
        return web.Response(text=STYLE, content_type="text/css")

    async def livez(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def login_page(self, request: web.Request) -> web.Response:
        return page("Log in", LOGIN_FORM.substitute(error=""), None)

    async def login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        name, password = str(form.get("name") or ""), str(form.get("password") or "")
        loop = asyncio.get_running_loop()
        got = await loop.run_in_executor(None, self.sessions.login, name, password)
        if got is None:
            locked = self.sessions.locked(name)
            log.warning("console login refused", user=name[:64], locked=locked)
            error = "Too many wrong passwords: try again in a few minutes." if locked else "Wrong name or password."
            resp = page("Log in", LOGIN_FORM.substitute(error=error), None)
            resp.set_status(401)
            return resp
        token, session = got
        log.info("console login", user=session.user, role=session.role)
        resp = web.Response(status=303, headers={"Location": "/"})
        resp.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            path="/",
            max_age=int(self.sessions.lifetime_s),
            secure=self.secure_cookie or None,
        )
        return resp

    async def logout(self, request: web.Request) -> web.StreamResponse:
        self.sessions.logout(request.cookies.get(COOKIE))
        resp = web.Response(status=303, headers={"Location": "/login"})
        resp.del_cookie(COOKIE, path="/")
        return resp

    async def in_force(self, request: web.Request) -> web.Response:
        ds = self.state.in_force()
        body = f"<p>{len(ds)} subjects with a throttle or block in force, newest first.</p>" + decision_rows(ds)
        return page("In force now", body, request[SESSION])

    async def queue(self, request: web.Request) -> web.Response:
        ds = self.state.queue()
        body = (
            "<p>What is in force, the highest score &times; requests an hour first. "
            "Shadow decisions are marked <span class=shadow>shadow enforce=false</span>.</p>"
        ) + decision_rows(ds, with_priority=True)
        return page("Queue", body, request[SESSION])

    async def search(self, request: web.Request) -> web.Response:
        q = request.query.get("q", "")
        ds = self.state.search(q)
        body = f"<p>{len(ds)} subjects match <b>{e(q)}</b> (subject, or a reason such as a campaign id).</p>"
        return page(f"Search: {q}", body + decision_rows(ds), request[SESSION])

    async def subject(self, request: web.Request) -> web.Response:
        st, sj = request.match_info["subject_type"], request.match_info["subject"]
        if st not in SUBJECT_TYPES:
            raise web.HTTPNotFound(text="unknown subject type\n")
        session: Session = request[SESSION]
        decisions, verdicts = self.state.subject(st, sj)
        now = time.time()
        body = [f'<div class="state">{self._state_line(decisions, verdicts, now)}</div>']
        if session.may_judge:
            body.append(self._forms(st, sj, session))
        body.append("<h2>Verdicts</h2>")
        if verdicts:
            rows = "".join(
                f"<tr><td>{e(v['verdict'])}</td><td>{e(v['verdict_id'])}</td><td>{e(v['analyst'])}</td>"
                f"<td>{e(when(v['ts']))}</td><td>{e(when(v['expires_at']))}</td><td>{e(v.get('note') or '')}</td></tr>"
                for v in verdicts
            )
            body.append(
                "<table><tr><th>verdict</th><th>id</th><th>analyst</th><th>given</th><th>until</th>"
                f"<th>note</th></tr>{rows}</table>"
            )
        else:
            body.append("<p>None.</p>")
        body.append("<h2>Decisions</h2>" + decision_rows(decisions))
        body.append(case_hint(st, sj, decisions))
        return page(f"{st} {sj}", "".join(body), session)

    @staticmethod
    def _state_line(decisions: list[dict[str, Any]], verdicts: list[dict[str, Any]], now: float) -> str:
        parts = []
        if decisions:
            d = decisions[0]
            live = d.get("action") == "allow" or expires(d) > now
            parts.append(
                f"Now: {action_badge(d) if live else 'nothing in force (expired)'}"
                f" since {e(when(d.get('ts')))}: {e((d.get('reasons') or [''])[0])}"
            )
        else:
            parts.append("No decision on this subject.")
        if verdicts:
            v = verdicts[0]
            state = "in force" if v["expires_at"] > now and v["verdict"] != "confirm" else "recorded"
            word = {"release": "released", "escalate": "escalated", "confirm": "confirmed"}[v["verdict"]]
            parts.append(
                f"<b>{e(word.capitalize())}</b> by {e(v['analyst'])} ({e(v['verdict_id'])}, {state}"
                + (f", until {e(when(v['expires_at']))}" if v["verdict"] != "confirm" else "")
                + ")"
            )
        return "<br>".join(parts)

    @staticmethod
    def _forms(st: str, sj: str, session: Session) -> str:
        def form(verdict: str, label: str, hours: bool) -> str:
            h = (
                f'<label>hours <input name="hours" type="number" min="0.1" max="{MAX_HOURS}" step="0.1" value="24">'
                "</label>"
                if hours
                else ""
            )
            return (
                f'<form class="verdict" method="post" action="/verdict" id="{verdict}-form">'
                f'<input type="hidden" name="csrf" value="{e(session.csrf)}">'
                f'<input type="hidden" name="subject_type" value="{e(st)}">'
                f'<input type="hidden" name="subject" value="{e(sj)}">'
                f'<input type="hidden" name="verdict" value="{verdict}">{h}'
                f'<label>note <input name="note" size="50" maxlength="500"></label>'
                f"<button>{label}</button></form>"
            )

        return (
            form("release", "release", True)
            + form("confirm", "confirm (keep the action)", False)
            + form("escalate", "escalate (block)", True)
        )

    async def verdict(self, request: web.Request) -> web.StreamResponse:
        session: Session = request[SESSION]
        if not session.may_judge:
            return web.Response(status=403, text="viewers may not post verdicts\n")
        form = request[FORM]
        st, sj, verdict = (str(form.get(k) or "") for k in ("subject_type", "subject", "verdict"))
        note = str(form.get("note") or "")[:500]
        try:
            hours = float(str(form.get("hours") or "24"))
        except ValueError:
            hours = -1.0
        if st not in SUBJECT_TYPES or not sj or verdict not in VERDICTS or not 0 < hours <= MAX_HOURS:
            return web.Response(status=400, text="bad verdict form\n")
        v = new_verdict(session.user, st, sj, verdict, note, hours=0 if verdict == "confirm" else hours)
        key, value = v.encode()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(
                None, lambda: self.producer.send(self.settings.topic_verdicts, key=key, value=value).get(15)
            )
        except Exception as err:
            log.error("verdict not sent", error=repr(err), verdict_id=v.verdict_id)
            return web.Response(status=503, text="the verdict could not be sent to Kafka; try again\n")
        self.state.add_verdict(v.to_dict())
        log.info("verdict", verdict_id=v.verdict_id, analyst=v.analyst, verdict=v.verdict, subject=sj, subject_type=st)
        raise web.HTTPSeeOther(subject_url(st, sj))


def make_app(
    settings: Settings, state: ConsoleState, sessions: Sessions, producer: Any, secure_cookie: bool = False
) -> web.Application:
    """The aiohttp application (readers and producer are started and stopped by the caller)."""
    c = Console(settings, state, sessions, producer, secure_cookie)
    app = web.Application(middlewares=[c.guard], client_max_size=64 * 1024)
    app.router.add_get("/style.css", c.style)
    app.router.add_get("/livez", c.livez)
    app.router.add_get("/login", c.login_page)
    app.router.add_post("/login", c.login)
    app.router.add_post("/logout", c.logout)
    app.router.add_get("/", c.in_force)
    app.router.add_get("/queue", c.queue)
    app.router.add_get("/search", c.search)
    app.router.add_get("/subject/{subject_type}/{subject:.+}", c.subject)
    app.router.add_post("/verdict", c.verdict)
    return app


CASE_SUBJECTS = ("account", "ip_cluster", "campaign")
_CAMPAIGN_REASON = re.compile(r"^campaign (c-[0-9a-f]{6,16}):")


def case_hint(st: str, sj: str, decisions: list[dict[str, Any]]) -> str:
    """The "Case file" section: the command that writes one (the console holds no events).

    For an account a campaign acted on, the campaign's case too.
    """
    if st not in CASE_SUBJECTS:
        return ""
    subjects = [sj]
    for d in decisions:
        m = _CAMPAIGN_REASON.match(str((d.get("reasons") or [""])[0]))
        if m and m.group(1) not in subjects:
            subjects.append(m.group(1))
    cmds = "".join(
        f"<pre>distillguard case {e(shlex.quote(s))} --events EVENTS.jsonl --out {e(shlex.quote('case-' + s.replace('/', '_')))}"
        " --verdicts VERDICTS.jsonl</pre>"
        for s in subjects
    )
    return (
        '<h2 id="case-file">Case file</h2><p>For enforcement or legal review, a case file (<code>case.json</code> and '
        "a self-contained <code>case.html</code>: accounts, keys, IP clusters, requests served before and after "
        "the first action, timeline, evidence, decisions, verdicts) is written from the events around "
        "these decisions (an export of <code>api-requests</code> as JSON lines) and, optionally, the "
        "verdicts (an export of <code>analyst-verdicts</code>):</p>" + cmds
    )


def hash_password_line(args: argparse.Namespace) -> int:
    if ":" in args.name or not args.name.strip():
        print("console: a user name must not be empty or hold ':'", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        pw = getpass.getpass("password: ")
        if pw != getpass.getpass("again: "):
            print("console: the passwords differ", file=sys.stderr)
            return 2
    else:
        pw = sys.stdin.readline().rstrip("\n")
    if len(pw) < 8:
        print("console: a password needs at least 8 characters", file=sys.stderr)
        return 2
    print(f"{args.name}:{args.role}:{hash_password(pw)}")
    return 0


def run(args: argparse.Namespace) -> int:
    """``distillguard console``: read both topics, then serve HTTP until interrupted."""
    if args.console_command == "hash-password":
        return hash_password_line(args)
    from kafka import KafkaProducer

    from distillguard.streams.logs import configure_logging
    from distillguard.streams.worker.admin import ensure_topic, verdicts_topic_spec

    settings = Settings.from_env()
    try:
        users = load_users(settings.console_users)
    except UsersFileError as err:
        print(f"console: {err}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format, settings.log_level)
    ensure_topic(settings, verdicts_topic_spec(settings))
    state = ConsoleState()
    decisions = DecisionReader(settings, state).start(wait_s=0)
    verdicts = VerdictReader(settings, state).start(wait_s=0)
    producer = KafkaProducer(**settings.kafka_python_config(), acks="all", client_id=f"{settings.app_id}-console")
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.secure_cookie:
        log.warning("console bound beyond this machine: serve it behind TLS, with --secure-cookie")
    log.info("console listening", url=f"http://{args.host}:{args.port}/", users=len(users))
    try:
        serve(make_app(settings, state, Sessions(users), producer, args.secure_cookie), args.host, args.port)
    finally:
        decisions.stop()
        verdicts.stop()
        producer.close(5)
    return 0
