"""One frozen settings object, read from ``DISTILLGUARD_*`` environment variables."""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field, fields
from typing import Any

from distillguard.models.config import DetectorConfig


class Secret:
    """A value that never prints, concatenates or serialises itself: only :meth:`reveal` gives it.

    Not a ``str`` subclass, because a subclass leaks through ``+``, f-string format specs and
    ``json.dumps`` (which read the underlying string, not ``__str__``).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def reveal(self) -> str:
        """The real value, for the one place that needs it."""
        return self._value


def _env(name: str, default: str) -> str:
    return os.environ.get(f"DISTILLGUARD_{name}", default)


MODES = ("enforce", "shadow")
"""``enforce``: decisions are to be enforced; ``shadow``: every decision is sent with
``enforce: false`` (gateways count what they would have refused, and refuse nothing)."""


@dataclass(frozen=True)
class Settings:
    """Every setting of the worker, the CLI and the gateway tools (see the README table)."""

    broker: str = "127.0.0.1:9092"
    app_id: str = "distillguard"
    topic_events: str = "api-requests"
    topic_decisions: str = "throttle-decisions"
    topic_dlq: str = "api-requests-dlq"
    partitions: int = 4
    replication: int = 1
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-256"
    sasl_username: str = ""
    sasl_password: Secret = field(default_factory=lambda: Secret(""))
    ssl_cafile: str = ""
    web_port: int = 6066
    web_enabled: bool = True
    data_dir: str = ".state/worker"
    log_format: str = "auto"
    log_level: str = "info"
    batch_max: int = 2000
    batch_within_s: float = 0.02
    checkpoint_interval_s: float = 2.0
    session_timeout_s: float = 15.0
    decisions_retention_ms: int = 7 * 24 * 3600 * 1000
    mode: str = "enforce"
    detector: DetectorConfig = field(default_factory=DetectorConfig)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"DISTILLGUARD_MODE={self.mode!r} must be one of {', '.join(MODES)}")

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings; unset variables keep their defaults."""
        kw: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "detector":
                continue
            raw = os.environ.get(f"DISTILLGUARD_{f.name.upper()}")
            if raw is None:
                continue
            kw[f.name] = _convert(f.type, raw, f.name)
        allow = _env("ALLOWLIST", "")
        det = DetectorConfig(
            allowlist=frozenset(x.strip() for x in allow.split(",") if x.strip()),
            lateness_s=float(_env("LATENESS_S", "300")),
            future_allowance_s=float(_env("FUTURE_ALLOWANCE_S", "300")),
            idle_evict_s=float(_env("IDLE_EVICT_S", str(6 * 3600))),
        )
        try:
            return cls(**kw, detector=det)
        except ValueError as err:
            raise SystemExit(str(err)) from None

    def aiokafka_config(self) -> dict[str, Any]:
        """Connection keyword arguments for an aiokafka client: the same security as
        :meth:`kafka_python_config`, with the SSL context aiokafka needs for SSL and SASL_SSL."""
        cfg = self.kafka_python_config()
        kw: dict[str, Any] = {"bootstrap_servers": cfg["bootstrap_servers"]}
        if self.security_protocol != "PLAINTEXT":
            kw["security_protocol"] = self.security_protocol
        if self.security_protocol.startswith("SASL"):
            kw |= {k: cfg[k] for k in ("sasl_mechanism", "sasl_plain_username", "sasl_plain_password")}
        if "SSL" in self.security_protocol:
            kw["ssl_context"] = ssl.create_default_context(cafile=self.ssl_cafile or None)
        return kw

    @property
    def broker_url(self) -> str:
        """Broker list in Faust's ``kafka://`` form."""
        return ";".join(f"kafka://{b.strip()}" for b in self.broker.split(",") if b.strip())

    @property
    def cluster_topic(self) -> str:
        """Internal repartition topic (prefixed with the app id)."""
        return f"{self.app_id}-cluster-observations"

    @property
    def campaign_topic(self) -> str:
        """Internal repartition topic of campaign observations, keyed by linkage key."""
        return f"{self.app_id}-campaign-observations"

    @property
    def verdict_topic(self) -> str:
        """Internal topic of campaign verdicts, keyed by account (co-partitioned with the events)."""
        return f"{self.app_id}-campaign-verdicts"

    def kafka_python_config(self) -> dict[str, Any]:
        """Connection settings for kafka-python clients (producer, consumer, admin)."""
        cfg: dict[str, Any] = {"bootstrap_servers": self.broker.split(",")}
        if self.security_protocol != "PLAINTEXT":
            cfg["security_protocol"] = self.security_protocol
        if self.security_protocol.startswith("SASL"):
            cfg["sasl_mechanism"] = self.sasl_mechanism
            cfg["sasl_plain_username"] = self.sasl_username
            cfg["sasl_plain_password"] = self.sasl_password.reveal()
        if self.ssl_cafile:
            cfg["ssl_cafile"] = self.ssl_cafile
        return cfg


def _convert(typ: Any, raw: str, name: str) -> Any:
    t = str(typ)
    try:
        if t == "int":
            return int(raw)
        if t == "float":
            return float(raw)
        if t == "bool":
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if t == "Secret":
            return Secret(raw)
    except ValueError:
        raise SystemExit(f"DISTILLGUARD_{name.upper()}={raw!r} is not a valid {t}") from None
    return raw
