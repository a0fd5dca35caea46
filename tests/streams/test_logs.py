"""Logged exceptions never carry the local variables of the failing frame; the libraries' own
log lines come out in the same format as distillguard's."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import orjson
import pytest
import structlog

from distillguard.streams.logs import SampledLog, configure_logging, faust_logging_config, stdlib_level_number


@pytest.mark.usefixtures("restore_root_logger")
@pytest.mark.parametrize("fmt", ["console", "json"])
def test_an_exception_is_logged_without_local_variables(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(fmt)

    def handle() -> None:
        raw_batch = ["RAW-RECORD-WITH-CUSTOMER-DATA"]  # noqa: F841 - the local that must not leak
        raise ValueError("bad batch")

    try:
        handle()
    except ValueError:
        structlog.get_logger().exception("batch failed")
    err = capsys.readouterr().err
    assert "bad batch" in err
    assert "ValueError" in err
    assert "RAW-RECORD-WITH-CUSTOMER-DATA" not in err
    structlog.reset_defaults()


class _Recorder:
    def __init__(self) -> None:
        self.lines: list[tuple[str, dict[str, object]]] = []

    def warning(self, event: str, **kw: object) -> None:
        self.lines.append((event, kw))


def test_a_flood_of_bad_records_is_sampled_and_counted() -> None:
    """1,000 bad records in one second give 20 lines; the next window's first line counts the rest."""
    now = [0.0]
    rec = _Recorder()
    log = SampledLog(rec, per_window=20, window_s=10.0, clock=lambda: now[0])
    for i in range(1000):
        now[0] = i / 1000
        log.warning("dead-lettered", offset=i)
    assert len(rec.lines) == 20
    assert [kw["offset"] for _, kw in rec.lines] == list(range(20))
    now[0] = 10.5
    log.warning("dead-lettered", offset=1000)
    assert rec.lines[-1] == ("dead-lettered", {"offset": 1000, "suppressed_before": 980})


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    """Put the root logger back as pytest set it up."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.mark.usefixtures("restore_root_logger")
def test_a_library_warning_is_one_json_object_with_level_and_logger(capsys: pytest.CaptureFixture[str]) -> None:
    """aiokafka and Faust log through the standard library: in JSON mode their lines are JSON too."""
    configure_logging("json")
    logging.getLogger("aiokafka.consumer").warning("Heartbeat failed for group %s", "dg")
    logging.getLogger("aiokafka").info("below the libraries' level: not shown")
    try:
        raise ConnectionError("broker gone")
    except ConnectionError:
        logging.getLogger("faust.transport").exception("fetch failed")
    structlog.get_logger("distillguard.worker").info("decision", subject="fh")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    first, second, own = (orjson.loads(line) for line in lines)
    assert first == {
        "event": "Heartbeat failed for group dg",
        "level": "warning",
        "logger": "aiokafka.consumer",
        "timestamp": first["timestamp"],
    }
    assert first["timestamp"].endswith("Z")
    assert (second["level"], second["logger"], second["event"]) == ("error", "faust.transport", "fetch failed")
    assert "ConnectionError: broker gone" in second["exception"]
    assert (own["event"], own["level"], own["subject"]) == ("decision", "info", "fh")


@pytest.mark.usefixtures("restore_root_logger")
def test_library_lines_follow_the_console_format_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("console", stdlib_level="info")
    logging.getLogger("aiokafka").info("joined group")
    err = capsys.readouterr().err
    assert "joined group" in err
    assert "aiokafka" in err
    assert not err.lstrip().startswith("{")


def test_faust_gets_the_root_level_and_no_handlers_of_its_own() -> None:
    assert faust_logging_config("warn") == {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": logging.WARNING},
    }
    with pytest.raises(ValueError, match="unknown log level"):
        stdlib_level_number("loud")
