"""Settings are validated at start: unknown ``DISTILLGUARD_*`` names and bad values are one-line
errors that name the variable, and the command exits with code 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from distillguard.streams.cli import main
from distillguard.streams.settings import EXTRA_VARIABLES, Settings, SettingsError, variable_names

ROOT = Path(__file__).parents[2]


def test_defaults_and_typed_values_are_read() -> None:
    """Every kind of value converts: int, float, bool words, text, a secret, the detector's extras."""
    s = Settings.from_env(
        {
            "DISTILLGUARD_PARTITIONS": "8",
            "DISTILLGUARD_BATCH_WITHIN_S": "0.5",
            "DISTILLGUARD_WEB_ENABLED": "Off",
            "DISTILLGUARD_WEB_HOST": "0.0.0.0",
            "DISTILLGUARD_SASL_PASSWORD": "pw",
            "DISTILLGUARD_ALLOWLIST": "a, 10.0.0.0/8,",
            "DISTILLGUARD_LATENESS_S": "60",
            "DISTILLGUARD_IDLE_EVICT_S": "0",
            "DISTILLGUARD_CLUSTER_THROTTLE": "on",
            "DISTILLGUARD_BUSY_FLEET": "yes",
            "DISTILLGUARD_LOG_LEVEL": "WARNING",
            "PATH": "/usr/bin",  # other variables are none of our business
        }
    )
    assert (s.partitions, s.batch_within_s, s.web_enabled, s.web_host) == (8, 0.5, False, "0.0.0.0")
    assert s.sasl_password.reveal() == "pw"
    assert s.detector.allowlist == frozenset({"a", "10.0.0.0/8"})
    assert (s.detector.lateness_s, s.detector.idle_evict_s, s.detector.future_allowance_s) == (60.0, 0.0, 300.0)
    assert s.detector.cluster_throttle
    assert not Settings.from_env({}).detector.cluster_throttle
    assert s.detector.busy_fleet
    assert not Settings.from_env({}).detector.busy_fleet
    assert Settings.from_env({}) == Settings()
    assert Settings().web_host == "127.0.0.1"


@pytest.mark.parametrize(
    ("word", "value"), [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("no", False)]
)
def test_a_boolean_takes_the_usual_words(word: str, value: bool) -> None:
    assert Settings.from_env({"DISTILLGUARD_WEB_ENABLED": word}).web_enabled is value


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("DISTILLGUARD_PARTITON", "DISTILLGUARD_PARTITIONS"),
        ("DISTILLGUARD_BROKERS", "DISTILLGUARD_BROKER"),
        ("DISTILLGUARD_LATENESS", "DISTILLGUARD_LATENESS_S"),
        ("DISTILLGUARD_ALLOW_LIST", "DISTILLGUARD_ALLOWLIST"),
        ("DISTILLGUARD_WEBHOST", "DISTILLGUARD_WEB_HOST"),
    ],
)
def test_a_misspelled_variable_is_an_error_naming_the_closest_setting(name: str, closest: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({name: "1"})
    msg = str(err.value)
    assert f"{name} is not a distillguard setting (did you mean {closest}?)" == msg
    assert "\n" not in msg


def test_a_name_like_no_setting_points_to_the_readme() -> None:
    with pytest.raises(SettingsError, match=r"DISTILLGUARD_XYZZY is not a distillguard setting \(see the Settings"):
        Settings.from_env({"DISTILLGUARD_XYZZY": "1"})


@pytest.mark.parametrize(
    ("name", "raw", "fragment"),
    [
        ("PARTITIONS", "four", "is not a whole number"),
        ("PARTITIONS", "2.5", "is not a whole number"),
        ("PARTITIONS", "-1", "must be greater than 0"),
        ("PARTITIONS", "0", "must be greater than 0"),
        ("REPLICATION", "0", "must be greater than 0"),
        ("WEB_PORT", "70000", "is not a TCP port"),
        ("WEB_HOST", " ", "is empty"),
        ("BATCH_WITHIN_S", "soon", "is not a number"),
        ("BATCH_WITHIN_S", "-0.1", "must be 0 or more"),
        ("SESSION_TIMEOUT_S", "nan", "is not a finite number"),
        ("CHECKPOINT_INTERVAL_S", "0", "must be greater than 0"),
        ("DECISIONS_RETENTION_MS", "0", "must be greater than 0 (or -1: forever)"),
        ("WEB_ENABLED", "enabled", "is not a boolean (1/0, true/false, yes/no, on/off)"),
        ("WEB_ENABLED", "", "is not a boolean"),
        ("LOG_FORMAT", "yaml", "is not one of auto, json, console"),
        ("LOG_LEVEL", "loud", "is not one of debug, info"),
        ("SECURITY_PROTOCOL", "SASL", "is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"),
        ("SASL_MECHANISM", "GSSAPI", "is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"),
        ("BROKER", " , ", "is empty"),
        ("LATENESS_S", "-5", "must be 0 or more"),
        ("IDLE_EVICT_S", "a day", "is not a number"),
        ("CLUSTER_THROTTLE", "sometimes", "is not a boolean"),
    ],
)
def test_a_malformed_value_is_an_error_naming_the_variable(name: str, raw: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({f"DISTILLGUARD_{name}": raw})
    msg = str(err.value)
    assert msg.startswith(f"DISTILLGUARD_{name}")
    assert fragment in msg
    assert "\n" not in msg
    assert isinstance(err.value, ValueError)


def test_settings_built_in_code_are_checked_too() -> None:
    """The same rules hold for ``Settings(...)`` and ``dataclasses.replace`` (tests, tools)."""
    with pytest.raises(SettingsError, match="DISTILLGUARD_PARTITIONS=0"):
        Settings(partitions=0)


def _names(text: bytes) -> list[str]:
    """``DISTILLGUARD_*`` names in ``text``, except those shown as the error about a misspelling."""
    pattern = re.compile(rb"DISTILLGUARD_[A-Z][A-Z0-9_]*[A-Z0-9]\b(?! is not a distillguard setting)")
    return [m.group().decode() for m in pattern.finditer(text)]


def test_every_variable_the_project_names_is_a_known_setting() -> None:
    """Each ``DISTILLGUARD_*`` name written anywhere in the code, tests, tools or docs is one the
    settings read, so the check for misspellings can never refuse a documented variable."""
    known = set(variable_names())
    assert {f"DISTILLGUARD_{x}" for x in EXTRA_VARIABLES} <= known
    written: dict[str, str] = {}
    for folder in ("streams", "models", "lab", "tests", "bench", "docker", "broker", ".ci"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix not in (".pyc", ".png", ".jsonl") and path != Path(__file__):
                for name in _names(path.read_bytes()):
                    written.setdefault(name, str(path.relative_to(ROOT)))
    for doc in ("README.md", "Makefile", "CHANGELOG.md"):
        for name in _names((ROOT / doc).read_bytes()):
            written.setdefault(name, doc)
    unknown = {k: v for k, v in written.items() if k not in known}
    assert not unknown, f"variables named but not read by Settings: {unknown}"


def test_the_command_prints_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISTILLGUARD_PARTITON", "8")
    assert main(["decisions", "--seconds", "0"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "distillguard: bad settings: DISTILLGUARD_PARTITON is not a distillguard setting "
        "(did you mean DISTILLGUARD_PARTITIONS?)\n"
    )


def test_the_worker_refuses_a_bad_value_before_it_starts(tmp_path: Path) -> None:
    """As a user runs it: no broker is needed to be told the value is wrong."""
    env = {"PATH": "/usr/bin:/bin", "DISTILLGUARD_PARTITIONS": "-2", "DISTILLGUARD_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "distillguard.streams.cli", "worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "distillguard: bad settings: DISTILLGUARD_PARTITIONS=-2 must be greater than 0"
    assert proc.stderr.count("\n") == 1
