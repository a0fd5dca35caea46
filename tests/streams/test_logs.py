"""Logged exceptions never carry the local variables of the failing frame."""

from __future__ import annotations

import pytest
import structlog

from distillguard.streams.logs import configure_logging


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
