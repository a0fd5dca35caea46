"""The analysts' console over HTTP without a broker: login, sessions, CSRF, roles, pages, verdicts."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from distillguard.models.decision import Decision
from distillguard.models.decision import queue_priority as priority
from distillguard.streams.cli import main
from distillguard.streams.settings import Settings
from distillguard.streams.tools.console import ConsoleState, case_hint, make_app
from distillguard.streams.tools.console_auth import (
    Sessions,
    UsersFileError,
    check_password,
    hash_password,
    load_users,
    parse_users,
)
from distillguard.streams.worker.verdicts import AnalystVerdict

Http = TestClient[Any, Any]
FAST = 1000  # iterations for test users (the real default is 600,000)
USERS = "\n".join(
    [
        "# console users",
        f"alice:analyst:{hash_password('alice-password', FAST)}",
        f"victor:viewer:{hash_password('victor-password', FAST)}",
    ]
)


class FakeFuture:
    def get(self, timeout: float) -> None:
        return None


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    def send(self, topic: str, key: bytes, value: bytes) -> FakeFuture:
        self.sent.append((topic, key, value))
        return FakeFuture()


def decision(subject: str, action: str, score: float = 0.9, rph: int = 100, **kw: Any) -> dict[str, Any]:
    return Decision(
        time.time(),
        kw.pop("subject_type", "account"),
        subject,
        action,
        3600,
        score,
        ("harvest_signature 0.80 (x)", f"output_input_ratio 40.0 vs 3.0; {rph} requests/h", "campaign c-1f3a09e2"),
        f"e-{subject}-{action}",
        0.0,
        2 if action == "throttle" else None,
        **kw,
    ).to_dict()


def serve(fn: Callable[[Http, FakeProducer, ConsoleState], Awaitable[None]], *ds: dict[str, Any]) -> None:
    state = ConsoleState()
    for d in ds:
        state.add_decision(d)
    producer = FakeProducer()

    async def go() -> None:
        app = make_app(Settings(), state, Sessions(parse_users(USERS)), producer)
        async with TestClient(TestServer(app)) as http:
            await fn(http, producer, state)

    asyncio.run(go())


async def login(http: Http, name: str = "alice", password: str = "alice-password") -> str:
    """Log in; the session's CSRF token (read from a page's form)."""
    r = await http.post("/login", data={"name": name, "password": password}, allow_redirects=False)
    assert r.status == 303
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    page = await (await http.get("/")).text()
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m is not None
    return m.group(1)


def test_password_hashes_round_trip_and_the_users_file_is_checked(tmp_path: Any) -> None:
    h = hash_password("s3cret-pw", FAST)
    assert h.startswith(f"pbkdf2_sha256${FAST}$")
    assert check_password("s3cret-pw", h)
    assert not check_password("s3cret-px", h)
    assert not check_password("s3cret-pw", "md5$1$00$00")
    for bad in ("alice:admin:" + h, "alice:analyst:plain", "alice:analyst", f"a:viewer:{h}\na:viewer:{h}"):
        with pytest.raises(UsersFileError):
            parse_users(bad)
    with pytest.raises(UsersFileError, match="not set"):
        load_users("")
    with pytest.raises(UsersFileError, match="cannot read"):
        load_users(str(tmp_path / "absent"))
    (tmp_path / "empty").write_text("# nobody\n")
    with pytest.raises(UsersFileError, match="no user"):
        load_users(str(tmp_path / "empty"))


def test_hash_password_prints_a_users_file_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["console", "hash-password", "--name", "dana", "--role", "viewer"]) == 0
    line = capsys.readouterr().out.strip()
    users = parse_users(line)
    assert users["dana"].role == "viewer"
    assert Sessions(users).login("dana", "correct horse battery") is not None
    assert Sessions(users).login("dana", "wrong") is None
    assert Sessions(users).login("nobody", "correct horse battery") is None


def test_the_console_refuses_to_start_without_users(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["console"]) == 2
    assert "DISTILLGUARD_CONSOLE_USERS is not set" in capsys.readouterr().err


def test_without_a_session_pages_redirect_to_login_and_posts_get_401() -> None:
    async def go(http: Http, producer: FakeProducer, state: ConsoleState) -> None:
        for path in ("/", "/queue", "/search?q=x", "/subject/account/a1"):
            r = await http.get(path, allow_redirects=False)
            assert r.status == 303, path
            assert r.headers["Location"] == "/login"
        r = await http.post("/verdict", data={"subject_type": "account", "subject": "a1", "verdict": "release"})
        assert r.status == 401
        assert producer.sent == []
        r = await http.post("/login", data={"name": "alice", "password": "nope"}, allow_redirects=False)
        assert r.status == 401
        r = await http.get("/", allow_redirects=False, cookies={"dg_console": "forged"})
        assert r.status == 303

    serve(go)


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused() -> None:
    async def go(http: Http, producer: FakeProducer, state: ConsoleState) -> None:
        csrf = await login(http)
        form = {"subject_type": "account", "subject": "a1", "verdict": "release", "hours": "2", "note": "n"}
        assert (await http.post("/verdict", data=form)).status == 403
        forged = ("y" if csrf[0] == "x" else "x") + csrf[1:]  # one character off, never the token itself
        assert (await http.post("/verdict", data={**form, "csrf": forged})).status == 403
        assert (await http.post("/logout", data={})).status == 403
        assert producer.sent == []
        r = await http.post("/verdict", data={**form, "csrf": csrf}, allow_redirects=False)
        assert r.status == 303
        assert len(producer.sent) == 1

    serve(go, decision("a1", "throttle"))


def test_an_analyst_releases_and_the_verdict_record_names_them() -> None:
    async def go(http: Http, producer: FakeProducer, state: ConsoleState) -> None:
        csrf = await login(http)
        page = await (await http.get("/subject/account/acct-7")).text()
        assert 'id="release-form"' in page
        form = {"csrf": csrf, "subject_type": "account", "subject": "acct-7", "verdict": "release"}
        r = await http.post("/verdict", data={**form, "hours": "3", "note": "customer's <eval>"})
        assert r.status == 200  # followed to the subject's page
        ((topic, key, value),) = producer.sent
        v = AnalystVerdict.decode(value)
        assert (topic, key) == ("analyst-verdicts", b"account:acct-7")
        assert (v.analyst, v.verdict, v.note) == ("alice", "release", "customer's <eval>")
        assert 3 * 3600 - 5 < v.expires_at - v.ts <= 3 * 3600
        page = await r.text()
        assert "Released</b> by alice" in page
        assert "customer&#x27;s &lt;eval&gt;" in page
        assert "<eval>" not in page
        bad = {**form, "verdict": "pardon", "hours": "3"}
        assert (await http.post("/verdict", data=bad)).status == 400
        assert (await http.post("/verdict", data={**form, "hours": "-1"})).status == 400

    serve(go, decision("acct-7", "block"))


def test_a_viewer_reads_but_may_not_post_verdicts() -> None:
    async def go(http: Http, producer: FakeProducer, state: ConsoleState) -> None:
        csrf = await login(http, "victor", "victor-password")
        page = await (await http.get("/subject/account/acct-7")).text()
        assert "release-form" not in page
        assert "acct-7" in page
        form = {"csrf": csrf, "subject_type": "account", "subject": "acct-7", "verdict": "release", "hours": "1"}
        assert (await http.post("/verdict", data=form)).status == 403
        assert producer.sent == []

    serve(go, decision("acct-7", "block"))


def test_pages_show_what_is_in_force_the_queue_and_search() -> None:
    shadow = decision("shadowy", "throttle", score=0.7, rph=50, enforce=False)
    big = decision("big", "throttle", score=0.6, rph=900)
    small = decision("small", "block", score=0.99, rph=10)
    lifted = decision("lifted", "allow")
    cluster = decision("34.90.1.0/24", "block", subject_type="ip_cluster")

    async def go(http: Http, producer: FakeProducer, state: ConsoleState) -> None:
        await login(http, "victor", "victor-password")
        r = await http.get("/")
        assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
        page = await r.text()
        for subject in ("shadowy", "big", "small", "34.90.1.0/24"):
            assert subject in page
        assert "lifted" not in page
        assert "shadow enforce=false" in page
        queue = await (await http.get("/queue")).text()
        assert queue.index(">big<") < queue.index(">shadowy<") < queue.index(">small<")
        found = await (await http.get("/search", params={"q": "c-1f3a"})).text()
        assert ">lifted<" in found
        assert ">big<" in found
        found = await (await http.get("/search", params={"q": "34.90"})).text()
        assert 'href="/subject/ip_cluster/34.90.1.0/24"' in found
        assert ">big<" not in found
        page = await (await http.get("/subject/ip_cluster/34.90.1.0/24")).text()
        assert "flagged" not in page
        assert "harvest_signature" in page
        assert 'id="case-file"' in page
        assert "distillguard case 34.90.1.0/24 --events EVENTS.jsonl --out case-34.90.1.0_24" in page

    serve(go, shadow, big, small, lifted, cluster)
    assert priority(big) > priority(shadow) > priority(small)


def test_the_case_file_hint_names_the_subject_and_its_campaign() -> None:
    """The subject page says how to write a case file: for the account, and for the campaign that acted on it."""
    d = decision("acct 7", "block")
    d["reasons"] = ["campaign c-8ae5f2: 5 active accounts (5 seen), one client fingerprint on one network"]
    hint = case_hint("account", "acct 7", [d, d])
    assert "distillguard case &#x27;acct 7&#x27; --events EVENTS.jsonl" in hint
    assert hint.count("distillguard case c-8ae5f2 --events EVENTS.jsonl --out case-c-8ae5f2") == 1
    assert case_hint("api_key", "k1", [d]) == ""


def test_the_state_keeps_a_subjects_history_and_verdicts() -> None:
    s = ConsoleState()
    d1, d2 = decision("a", "throttle"), decision("a", "allow")
    for d in (d1, d1, d2):
        s.add_decision(d)
    v = {"verdict_id": "v-1", "ts": 1.0, "analyst": "x", "subject_type": "account", "subject": "a"}
    s.add_verdict({**v, "verdict": "release", "expires_at": 2.0})
    s.add_verdict({**v, "verdict": "release", "expires_at": 2.0})
    decisions, verdicts = s.subject("account", "a")
    assert [d["action"] for d in decisions] == ["allow", "throttle"]
    assert len(verdicts) == 1
    assert s.in_force() == []
    assert orjson.loads(orjson.dumps(decisions))  # plain JSON values


def test_too_many_wrong_passwords_lock_the_name_for_a_while() -> None:
    s = Sessions(parse_users(USERS))
    for i in range(10):
        assert s.login("alice", "guess", now=1000.0 + i) is None
    assert s.locked("alice", now=1010.0)
    assert s.login("alice", "alice-password", now=1010.0) is None
    assert s.login("victor", "victor-password", now=1010.0) is not None
    assert s.login("alice", "alice-password", now=1000.0 + 301) is not None
    assert not s.locked("alice", now=1302.0)


def test_the_cookie_is_marked_secure_when_asked() -> None:
    async def go() -> None:
        app = make_app(Settings(), ConsoleState(), Sessions(parse_users(USERS)), FakeProducer(), secure_cookie=True)
        async with TestClient(TestServer(app)) as http:
            data = {"name": "alice", "password": "alice-password"}
            r = await http.post("/login", data=data, allow_redirects=False)
            assert r.status == 303
            assert "Secure" in r.headers["Set-Cookie"]

    asyncio.run(go())
