"""The Docker files are consistent with the rest of the project: the compose file is valid
(``docker compose config`` needs no engine), runs the expected services, uses the Kafka version
of broker/kafka.sh's jars, and the image installs the pinned dependencies as a non-root user."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
COMPOSE = ROOT / "docker" / "compose.yaml"
SERVICES = {"kafka", "worker", "gateway", "enforcer"}


def _compose_command() -> list[str]:
    """``docker compose`` (the plugin) or ``docker-compose`` (v1), whichever is installed."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.skip("neither 'docker compose' nor 'docker-compose' is installed (make setup installs docker-compose)")


def _config(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_compose_command(), "-f", str(COMPOSE), "config", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )


def _kafka_version() -> str:
    m = re.search(r"<kafka.version>([^<]+)</kafka.version>", (ROOT / "broker" / "pom.xml").read_text())
    assert m, "broker/pom.xml names no kafka.version"
    return m.group(1)


def test_the_compose_file_is_valid_and_runs_every_service() -> None:
    full = _config()
    assert full.returncode == 0, full.stderr
    services = _config("--services")
    assert services.returncode == 0, services.stderr
    assert set(services.stdout.split()) == SERVICES
    assert f"image: apache/kafka:{_kafka_version()}" in full.stdout
    for probe in ("/livez", "/healthz", "kafka-broker-api-versions.sh", "8088"):
        assert probe in full.stdout, f"no health check with {probe}"
    assert "enforcer" in full.stdout
    assert "serve" in full.stdout
    assert "DISTILLGUARD_WEB_HOST: 0.0.0.0" in full.stdout
    # State survives a container's restart: the broker's log and the worker's RocksDB tables.
    for volume, path in (("kafka-data", "/var/lib/kafka/data"), ("worker-data", "/var/lib/distillguard")):
        # compose v1 prints the short form, the v2 plugin the long one
        assert re.search(rf"{volume}:{path}[:\s]|source: {volume}\s+target: {path}\s", full.stdout), volume
    assert "KAFKA_LOG_DIRS: /var/lib/kafka/data" in full.stdout
    assert "DISTILLGUARD_STORE: rocksdb" in full.stdout


def test_the_image_runs_as_a_user_with_the_pinned_dependencies() -> None:
    text = (ROOT / "docker" / "Dockerfile").read_text()
    assert "-c constraints.txt" in text
    assert "COPY pyproject.toml constraints.txt" in text
    users = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert users, "the image runs as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert "HEALTHCHECK" in text
    assert "/livez" in text


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".cache", ".state", "out"} <= ignored
