"""Shadow mode in the worker: every decision is sent with ``enforce: false`` and its usual id."""

from __future__ import annotations

import orjson
import pytest

from distillguard.models.config import DetectorConfig
from distillguard.streams.settings import Settings, SettingsError
from distillguard.streams.worker.stages import AccountStage
from tests.factories import firehose


def _decisions(shadow: bool) -> list[dict[str, object]]:
    stage = AccountStage(DetectorConfig())
    stage.shadow = shadow
    out = stage.process([(orjson.dumps(r), "t", 0, i) for i, r in enumerate(firehose("fh", 200))], live=False)
    return [orjson.loads(v) for _, v in out.decisions]


def test_shadow_mode_sends_the_same_decisions_marked_not_to_enforce() -> None:
    """Same decisions, same ids and actions; enforce is false in shadow mode and true otherwise."""
    enforced, shadowed = _decisions(False), _decisions(True)
    assert enforced
    assert [d["decision_id"] for d in shadowed] == [d["decision_id"] for d in enforced]
    assert [d["action"] for d in shadowed] == [d["action"] for d in enforced]
    assert {d["enforce"] for d in enforced} == {True}
    assert {d["enforce"] for d in shadowed} == {False}


def test_mode_is_read_from_the_environment_and_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    """DISTILLGUARD_MODE takes enforce (the default) or shadow; anything else is a settings error."""
    assert Settings.from_env().mode == "enforce"
    monkeypatch.setenv("DISTILLGUARD_MODE", "shadow")
    assert Settings.from_env().mode == "shadow"
    monkeypatch.setenv("DISTILLGUARD_MODE", "dry-run")
    with pytest.raises(SettingsError, match="DISTILLGUARD_MODE"):
        Settings.from_env()
    with pytest.raises(ValueError, match="enforce, shadow"):
        Settings(mode="off")


def test_the_worker_stages_follow_the_mode_setting() -> None:
    """build_stages turns shadow mode on for the stages that send decisions."""
    from types import SimpleNamespace

    from distillguard.streams.worker.state import build_stages

    tables = SimpleNamespace(account_table=None, cluster_table=None, campaign_table=None)
    s = build_stages(Settings(mode="shadow"), tables)  # type: ignore[arg-type]
    assert s.account.shadow
    assert s.cluster.shadow
    assert not build_stages(Settings(), tables).account.shadow  # type: ignore[arg-type]
