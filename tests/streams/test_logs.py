"""Logged exceptions never carry the local variables of the failing frame."""

from __future__ import annotations

import pytest
import structlog

from distillguard.streams.logs import SampledLog, configure_logging


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
