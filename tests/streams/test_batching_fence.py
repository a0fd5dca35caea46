"""The Faust patch is fenced: it refuses other versions and notices upstream source changes."""

from __future__ import annotations

from importlib import metadata

import pytest

from distillguard.streams.worker import batching


def test_upstream_drain_loop_is_the_one_the_copy_was_derived_from() -> None:
    assert batching.upstream_drain_sha256() == batching.UPSTREAM_DRAIN_SHA256


def test_pins_match_pyproject() -> None:
    requires = metadata.requires("distillguard") or []
    for name, want in batching.PINNED.items():
        assert any(r.replace(" ", "").startswith(f"{name}=={want}") for r in requires), (name, requires)


def test_other_faust_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = batching.version
    monkeypatch.setattr(batching, "version", lambda name: "9.9.9" if name == "faust-streaming" else real(name))
    with pytest.raises(ImportError, match="faust-streaming"):
        batching.check_pinned_versions()
