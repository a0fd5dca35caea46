"""The analysts' console end to end: a worker on the real broker throttles a harvester, an analyst
logs in with a real browser (Debian's chromium driven by Playwright), finds the account, releases
it, and the worker sends the ``allow`` that names the verdict; requests without a session or
without the CSRF token are refused.

``CONSOLE_SCREENSHOT=docs/console.png`` saves a screenshot of the released account's page.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from distillguard.streams.tools.console_auth import hash_password
from tests.factories import chat_user, firehose
from tests.integration.conftest import ROOT, Topics, Worker, consume_until, produce, values

pytestmark = pytest.mark.kafka
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HARVESTER = "harvester-0042"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(
    port: int, method: str, path: str, body: dict[str, str] | None = None, cookie: str = ""
) -> tuple[int, dict[str, str], str]:
    """One HTTP request (redirects not followed): status, headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request(method, path, body=urllib.parse.urlencode(body or {}), headers=headers)
    r = conn.getresponse()
    out = r.status, dict(r.getheaders()), r.read().decode()
    conn.close()
    return out


class ConsoleProcess:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.port, self.log_path = port, log
        fh = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "distillguard.streams.cli", "console", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=fh,
            stderr=fh,
        )

    def wait_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"console exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if request(self.port, "GET", "/livez")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"console not up:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def console_env(topics: Topics, tmp_path: Path) -> tuple[dict[str, str], str]:
    """The worker's and the console's environment (a verdicts topic of the test's own), and a
    random password for the analyst ``alice`` in a throwaway users file."""
    password = secrets.token_urlsafe(12)
    users = tmp_path / "users"
    users.write_text(f"alice:analyst:{hash_password(password, 50_000)}\n")
    topics.env["DISTILLGUARD_TOPIC_VERDICTS"] = f"verdicts-{uuid.uuid4().hex[:8]}"
    topics.env["DISTILLGUARD_CONSOLE_USERS"] = str(users)
    return topics.env, password


@pytest.fixture
def console(console_env: tuple[dict[str, str], str], tmp_path: Path) -> Iterator[ConsoleProcess]:
    c = ConsoleProcess(console_env[0], free_port(), tmp_path / "console.log")
    yield c
    c.stop()


def throttled_harvester(broker: str, topics: Topics, worker: Worker) -> None:
    """Two harvesters (the first stops after its throttle, the second goes on to a block) and some
    chat users; wait until the first harvester is throttled."""
    t0 = time.time() - 7200
    evs = firehose(HARVESTER, 22, t0=t0) + firehose("harvester-0007", 150, t0=t0, ip="34.90.7.9")
    for i in range(3):
        evs += chat_user(f"chat-{i}", 30, t0=t0)
    evs.sort(key=lambda r: float(r["ts"]))
    produce(broker, topics.events, [(str(e["account_id"]).encode(), orjson.dumps(e)) for e in evs])
    worker.start()
    got = consume_until(
        broker,
        topics.decisions,
        lambda rs: any(d["subject"] == HARVESTER and d["action"] == "throttle" for d in values(rs)),
        90,
        worker,
    )
    assert any(d["subject"] == HARVESTER for d in values(got)), f"not throttled:\n{worker.log()[-3000:]}"


def test_requests_without_a_session_or_csrf_token_are_refused(
    broker: str, console: ConsoleProcess, console_env: tuple[dict[str, str], str]
) -> None:
    console.wait_up()
    port = console.port
    status, headers, _ = request(port, "GET", "/")
    assert (status, headers.get("Location")) == (303, "/login")
    form = {"subject_type": "account", "subject": HARVESTER, "verdict": "release", "hours": "1"}
    assert request(port, "POST", "/verdict", form)[0] == 401
    assert request(port, "POST", "/login", {"name": "alice", "password": "wrong"})[0] == 401
    status, headers, _ = request(port, "POST", "/login", {"name": "alice", "password": console_env[1]})
    assert status == 303
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"]
    assert "SameSite=Strict" in headers["Set-Cookie"]
    assert request(port, "GET", "/", cookie=cookie)[0] == 200
    assert request(port, "POST", "/verdict", form, cookie=cookie)[0] == 403
    assert request(port, "POST", "/verdict", {**form, "csrf": "forged"}, cookie=cookie)[0] == 403
    # Nothing reached the verdicts topic.
    verdicts = consume_until(broker, console_env[0]["DISTILLGUARD_TOPIC_VERDICTS"], lambda rs: False, 3)
    assert verdicts == []


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium (make setup installs it)")
def test_an_analyst_releases_a_throttled_account_in_the_browser(
    broker: str, topics: Topics, worker: Worker, console: ConsoleProcess, console_env: tuple[dict[str, str], str]
) -> None:
    from playwright.sync_api import expect, sync_playwright

    throttled_harvester(broker, topics, worker)
    console.wait_up()
    base = f"http://127.0.0.1:{console.port}"
    profile = tempfile.mkdtemp(prefix="dg-chromium-")
    try:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 1280, "height": 900},
            )
            try:
                page = ctx.new_page()
                page.set_default_timeout(20_000)
                page.goto(base + "/")
                assert page.url.endswith("/login")
                page.fill("input[name=name]", "alice")
                page.fill("input[name=password]", console_env[1])
                page.click("button:text-is('log in')")
                expect(page.locator("h1")).to_have_text("In force now")

                # Search for the account, wait until the decisions reader has it, open it.
                deadline = time.monotonic() + 30
                while True:
                    page.fill("input[name=q]", "harvester-00")
                    page.click("button:text-is('search')")
                    if page.locator(f"a:text-is('{HARVESTER}')").count() or time.monotonic() > deadline:
                        break
                    time.sleep(1)
                page.click(f"a:text-is('{HARVESTER}')")
                expect(page.locator("h1")).to_have_text(f"account {HARVESTER}")
                expect(page.locator(".state")).to_contain_text("throttle")

                release = page.locator("#release-form")
                release.locator("input[name=hours]").fill("2")
                release.locator("input[name=note]").fill("known customer's nightly batch job")
                release.locator("button").click()
                expect(page.locator(".state")).to_contain_text("Released by alice")
                m = re.search(r"v-[0-9a-f]{12}", page.locator(".state").inner_text())
                assert m is not None
                verdict_id = m.group()

                # The worker's allow, naming the verdict, reaches the topic and then the page.
                got = consume_until(
                    broker,
                    topics.decisions,
                    lambda rs: any(d["action"] == "allow" and d["subject"] == HARVESTER for d in values(rs)),
                    60,
                    worker,
                )
                allow = [d for d in values(got) if d["action"] == "allow" and d["subject"] == HARVESTER]
                assert allow, f"no allow:\n{worker.log()[-3000:]}"
                expected = f"analyst release {verdict_id}: alice: known customer's nightly batch job"
                assert allow[-1]["reasons"] == [expected]
                deadline = time.monotonic() + 30
                while "allow" not in page.locator(".state .action").inner_text() and time.monotonic() < deadline:
                    time.sleep(0.5)
                    page.reload()
                expect(page.locator(".state .action")).to_have_text("allow")
                expect(page.locator(".state")).to_contain_text(expected)
                shot = os.environ.get("CONSOLE_SCREENSHOT")
                if shot:
                    page.screenshot(path=str(ROOT / shot), full_page=True)
            finally:
                ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert worker.alive()
