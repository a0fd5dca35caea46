"""The real Debian NGINX in front of an API, with ``auth_request`` to the check service: the
shipped ``deploy/nginx/distillguard.conf``, only its ports changed. A blocked and a throttled
account get 429 with the decision's headers through NGINX; an honest one is served."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest

from tests.integration.conftest import ROOT
from tests.integration.test_check_service import (
    Service,
    decision,
    free_port,
    send_decisions,
    service_env,  # noqa: F401 (a fixture)
    services,  # noqa: F401 (a fixture)
    start_service,
)

pytestmark = pytest.mark.kafka
CONF = ROOT / "deploy" / "nginx" / "distillguard.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.skip("nginx is not installed and deploy/install-debian.sh could not install it (needs root and apt-get)")
    return found


class Upstream(BaseHTTPRequestHandler):
    """The API behind NGINX: answers 200 and counts what reaches it."""

    served: list[str] = []  # noqa: RUF012 (one test at a time)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.served.append(self.headers.get("x-api-key", ""))
        body = b'{"type":"message","content":[{"type":"text","text":"ok"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[int]:
    Upstream.served = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def start_nginx(tmp: Path, listen: int, check_port: int, api_port: int) -> subprocess.Popen[bytes]:
    """NGINX in the foreground with its prefix, configuration, pid and logs under ``tmp``."""
    binary = nginx_binary()
    site = CONF.read_text()
    for old, new in (("127.0.0.1:8181", f"127.0.0.1:{check_port}"), ("127.0.0.1:8080", f"127.0.0.1:{api_port}")):
        assert old in site
        site = site.replace(old, new)
    assert "listen 127.0.0.1:8000;" in site
    site = site.replace("listen 127.0.0.1:8000;", f"listen 127.0.0.1:{listen};")
    (tmp / "site.conf").write_text(site)
    temps = "\n".join(f"    {k}_temp_path {tmp}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
{temps}
    include {tmp}/site.conf;
}}
"""
    )
    if os.geteuid() == 0:  # the master runs as root: workers too, so that they can use the test's temp folders
        (tmp / "nginx.conf").write_text("user root;\n" + (tmp / "nginx.conf").read_text())
    test = subprocess.run(
        [binary, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert test.returncode == 0, test.stderr
    log = (tmp / "nginx.out").open("wb")
    return subprocess.Popen(
        [binary, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def post(port: int, api_key: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/messages",
        data=orjson.dumps({"model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}),
        method="POST",
        headers={"x-api-key": api_key, "content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def wait_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:] if log.exists() else "nginx exited"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("nginx did not listen")


def test_nginx_auth_request_refuses_throttled_and_blocked_accounts_and_serves_honest_ones(
    broker: str,
    service_env: dict[str, str],  # noqa: F811
    services: list[Service],  # noqa: F811
    upstream: int,
    tmp_path: Path,
) -> None:
    """Through NGINX: a blocked account gets 429 with Retry-After and the decision's headers
    every time; a throttled one (limit 3 rpm) gets its 3 and then 429; an honest one gets 200
    every time; a shadow-blocked one is served with X-Distillguard-Shadow; only admitted requests
    reach the API."""
    topic = service_env["DISTILLGUARD_TOPIC_DECISIONS"]
    block = decision("blocked", "block")
    shadow = decision("shadowed", "block", enforce=False)
    send_decisions(broker, topic, [block, decision("throttled", "throttle", limit=3), shadow])
    svc = start_service(service_env, tmp_path / "check.log", "--deny-status", "403")
    services.append(svc)
    svc.wait_ready()
    (tmp_path / "nginx").mkdir()
    listen = free_port()
    nginx = start_nginx(tmp_path / "nginx", listen, svc.port, upstream)
    try:
        wait_port(listen, nginx, tmp_path / "nginx" / "error.log")
        honest = [post(listen, "honest:k1") for _ in range(5)]
        assert [h[0] for h in honest] == [200] * 5
        assert "X-Distillguard-Shadow" not in honest[0][1]

        status, headers, body = post(listen, "blocked:k1")
        assert status == 429, (body, (tmp_path / "nginx" / "error.log").read_text()[-2000:])
        assert int(headers["Retry-After"]) > 3000
        assert headers["X-Distillguard-Action"] == "block"
        assert headers["X-Distillguard-Decision-Id"] == block["decision_id"]
        assert headers["X-Distillguard-Reason"] == "template_sweep"
        err = orjson.loads(body)["error"]
        assert (err["type"], err["action"], err["decision_id"]) == ("rate_limit_error", "block", block["decision_id"])

        throttled = [post(listen, "throttled:k2") for _ in range(6)]
        assert [t[0] for t in throttled] == [200] * 3 + [429] * 3
        assert throttled[-1][1]["X-Distillguard-Action"] == "throttle"
        assert int(throttled[-1][1]["Retry-After"]) >= 1

        status, headers, _ = post(listen, "shadowed:k3")
        assert status == 200
        assert headers["X-Distillguard-Shadow"] == "block"

        assert Upstream.served.count("honest:k1") == 5
        assert Upstream.served.count("shadowed:k3") == 1
        assert Upstream.served.count("throttled:k2") == 3
        assert "blocked:k1" not in Upstream.served
    finally:
        nginx.terminate()
        nginx.wait(10)
