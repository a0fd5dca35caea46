"""Secrets in settings never leak by printing, concatenation, formatting or serialisation."""

from __future__ import annotations

import json

import orjson
import pytest

from distillguard.streams.settings import Secret, Settings


def test_a_secret_shows_only_through_reveal() -> None:
    s = Secret("hunter2")
    assert "hunter2" not in (str(s), repr(s), f"{s}", f"{s!r}", "{}".format(s))  # noqa: UP032
    assert s.reveal() == "hunter2"
    with pytest.raises(TypeError):
        s + "x"  # type: ignore[operator]
    with pytest.raises(TypeError):
        json.dumps({"password": s})
    with pytest.raises(TypeError):
        orjson.dumps({"password": s})
    assert bool(s)
    assert not Secret("")
    assert s == Secret("hunter2") != Secret("other")


def test_settings_read_the_password_as_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISTILLGUARD_SASL_PASSWORD", "hunter2")
    settings = Settings.from_env()
    assert isinstance(settings.sasl_password, Secret)
    assert "hunter2" not in repr(settings)
    assert settings.sasl_password.reveal() == "hunter2"


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
def test_the_demo_gateway_producer_can_be_built_over_tls(protocol: str) -> None:
    """aiokafka needs an SSL context for SSL and SASL_SSL (the demo gateway failed at start)."""
    import asyncio
    import dataclasses
    import ssl

    from aiokafka import AIOKafkaProducer

    s = dataclasses.replace(
        Settings(), security_protocol=protocol, sasl_username="u", sasl_password=Secret("p"), sasl_mechanism="PLAIN"
    )
    cfg = s.aiokafka_config()
    assert isinstance(cfg["ssl_context"], ssl.SSLContext)
    assert ("sasl_plain_password" in cfg) == protocol.startswith("SASL")

    async def build() -> None:
        AIOKafkaProducer(**cfg, linger_ms=5)  # raises without an SSL context

    asyncio.run(build())
