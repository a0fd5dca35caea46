"""One frozen settings object, read from ``DISTILLGUARD_*`` environment variables."""

from __future__ import annotations

import difflib
import math
import os
import ssl
from collections.abc import Mapping
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


PREFIX = "DISTILLGUARD_"

EXTRA_VARIABLES = ("ALLOWLIST", "LATENESS_S", "FUTURE_ALLOWANCE_S", "IDLE_EVICT_S", "CLUSTER_THROTTLE", "BUSY_FLEET")
"""``DISTILLGUARD_*`` names that are not fields of :class:`Settings`: the detector settings
(:class:`~distillguard.models.config.DetectorConfig`) read by :meth:`Settings.from_env`."""

CHOICES: dict[str, tuple[str, ...]] = {
    "security_protocol": ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"),
    "sasl_mechanism": ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"),
    "log_format": ("auto", "json", "console"),
    "log_level": ("debug", "info", "warning", "warn", "error", "critical"),
    "mode": ("enforce", "shadow"),  # see MODES
    "store": ("memory", "rocksdb"),  # see STORES
}
"""Settings that take one of a few values (as written; the log level in any case)."""

BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


class SettingsError(ValueError):
    """A ``DISTILLGUARD_*`` variable that is unknown or holds a value the setting cannot take.

    The message is one line that names the variable (the CLI prints it and exits with code 2).
    """


def variable_names() -> list[str]:
    """Every ``DISTILLGUARD_*`` variable the project reads."""
    return [PREFIX + f.name.upper() for f in fields(Settings) if f.name != "detector"] + [
        PREFIX + x for x in EXTRA_VARIABLES
    ]


def check_names(environ: Mapping[str, str]) -> None:
    """Raise :class:`SettingsError` for a ``DISTILLGUARD_*`` variable that no setting reads,
    naming the closest valid name (a misspelled variable would otherwise be silently ignored)."""
    known = variable_names()
    unknown = sorted(k for k in environ if k.startswith(PREFIX) and k not in known)
    if not unknown:
        return
    msgs = []
    for name in unknown:
        # Compared without the shared prefix, which would make every name look close.
        close = difflib.get_close_matches(name[len(PREFIX) :], [k[len(PREFIX) :] for k in known], n=1, cutoff=0.6)
        hint = f"did you mean {PREFIX}{close[0]}?" if close else "see the Settings table in the README"
        msgs.append(f"{name} is not a distillguard setting ({hint})")
    raise SettingsError("; ".join(msgs))


STORES = ("memory", "rocksdb")
"""Where the worker keeps its tables between restarts. ``memory``: nowhere; a start replays the
state changelogs in full. ``rocksdb``: RocksDB files (``rocksdict``) under ``data_dir``; a start
reads only the changelog records written after the last one it stored."""

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
    topic_verdicts: str = "analyst-verdicts"
    partitions: int = 4
    replication: int = 1
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-256"
    sasl_username: str = ""
    sasl_password: Secret = field(default_factory=lambda: Secret(""))
    ssl_cafile: str = ""
    web_host: str = "127.0.0.1"
    web_port: int = 6066
    web_enabled: bool = True
    data_dir: str = ".state/worker"
    """Faust's data folder: with ``store=rocksdb`` the tables' RocksDB files (one worker per folder)."""
    store: str = "memory"
    log_format: str = "auto"
    log_level: str = "info"
    batch_max: int = 2000
    batch_within_s: float = 0.02
    checkpoint_interval_s: float = 2.0
    session_timeout_s: float = 15.0
    decisions_retention_ms: int = 7 * 24 * 3600 * 1000
    mode: str = "enforce"
    console_users: str = ""
    max_subjects: int = 1_000_000
    """Subjects tracked per worker and per stage (accounts, campaigns, IP clusters) at most; at
    the cap a new subject is admitted at its second sighting and the least recently active
    subject without a decision in force makes room (README, reliability)."""
    detector: DetectorConfig = field(default_factory=DetectorConfig)

    def __post_init__(self) -> None:
        """Refuse values no part of the project can work with (:class:`SettingsError`)."""
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if (value.lower() if name == "log_level" else value) not in allowed:
                raise SettingsError(f"{PREFIX}{name.upper()}={value!r} is not one of {', '.join(allowed)}")
        positive = (
            "partitions",
            "replication",
            "batch_max",
            "checkpoint_interval_s",
            "session_timeout_s",
            "max_subjects",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise SettingsError(f"{PREFIX}{name.upper()}={getattr(self, name)!r} must be greater than 0")
        if not 0 <= self.batch_within_s < math.inf:
            raise SettingsError(f"{PREFIX}BATCH_WITHIN_S={self.batch_within_s!r} must be 0 or more")
        if not 0 <= self.web_port <= 65535:
            raise SettingsError(f"{PREFIX}WEB_PORT={self.web_port!r} is not a TCP port (0-65535)")
        if not self.web_host.strip():
            raise SettingsError(f"{PREFIX}WEB_HOST is empty (an address to bind, such as 0.0.0.0)")
        if self.decisions_retention_ms != -1 and self.decisions_retention_ms <= 0:
            raise SettingsError(
                f"{PREFIX}DECISIONS_RETENTION_MS={self.decisions_retention_ms!r} must be greater than 0 (or -1: forever)"
            )
        if not any(b.strip() for b in self.broker.split(",")):
            raise SettingsError(f"{PREFIX}BROKER is empty (host:port, comma-separated)")
        if self.uses_tls and self.ssl_cafile:
            _check_cafile(self.ssl_cafile)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default: the process environment); unset
        variables keep their defaults.

        Raises :class:`SettingsError` for an unknown ``DISTILLGUARD_*`` variable or a value its
        setting cannot take.
        """
        env = os.environ if environ is None else environ
        check_names(env)
        kw: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "detector":
                continue
            raw = env.get(PREFIX + f.name.upper())
            if raw is None:
                continue
            kw[f.name] = _convert(f.type, raw, f.name)
        allow = env.get(PREFIX + "ALLOWLIST", "")
        det = DetectorConfig(
            allowlist=frozenset(x.strip() for x in allow.split(",") if x.strip()),
            lateness_s=_non_negative(env, "LATENESS_S", 300.0),
            future_allowance_s=_non_negative(env, "FUTURE_ALLOWANCE_S", 300.0),
            idle_evict_s=_non_negative(env, "IDLE_EVICT_S", 6 * 3600.0),
            cluster_throttle=_flag(env, "CLUSTER_THROTTLE", False),
            busy_fleet=_flag(env, "BUSY_FLEET", False),
        )
        return cls(**kw, detector=det)

    @property
    def uses_tls(self) -> bool:
        """Whether the brokers are reached over TLS (``SSL`` or ``SASL_SSL``)."""
        return "SSL" in self.security_protocol

    def ssl_context(self) -> ssl.SSLContext | None:
        """The context every Kafka client verifies the brokers with (``None`` without TLS): the CA
        certificates of ``DISTILLGUARD_SSL_CAFILE``, or the system's when it is empty."""
        if not self.uses_tls:
            return None
        return ssl.create_default_context(cafile=self.ssl_cafile or None)

    def aiokafka_config(self) -> dict[str, Any]:
        """Connection keyword arguments for an aiokafka client: the same security as
        :meth:`kafka_python_config`, with the SSL context aiokafka needs for SSL and SASL_SSL."""
        cfg = self.kafka_python_config()
        kw: dict[str, Any] = {"bootstrap_servers": cfg["bootstrap_servers"]}
        keys = ("security_protocol", "sasl_mechanism", "sasl_plain_username", "sasl_plain_password", "ssl_context")
        return kw | {k: cfg[k] for k in keys if k in cfg}

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

    @property
    def models_topic(self) -> str:
        """Internal compacted topic of population model snapshots (one partition, newest wins)."""
        return f"{self.app_id}-models"

    def kafka_python_config(self) -> dict[str, Any]:
        """Connection settings for kafka-python clients (producer, consumer, admin)."""
        cfg: dict[str, Any] = {"bootstrap_servers": self.broker.split(",")}
        if self.security_protocol != "PLAINTEXT":
            cfg["security_protocol"] = self.security_protocol
        if self.security_protocol.startswith("SASL"):
            cfg["sasl_mechanism"] = self.sasl_mechanism
            cfg["sasl_plain_username"] = self.sasl_username
            cfg["sasl_plain_password"] = self.sasl_password.reveal()
        ctx = self.ssl_context()
        if ctx is not None:
            cfg["ssl_context"] = ctx
        return cfg


def _check_cafile(path: str) -> None:
    """:class:`SettingsError` unless ``path`` is a readable file of PEM CA certificates."""
    var = f"{PREFIX}SSL_CAFILE={path!r}"
    try:
        ssl.create_default_context(cafile=path)
    except ssl.SSLError as err:
        raise SettingsError(f"{var} holds no PEM CA certificate ({err.reason})") from None
    except OSError as err:
        raise SettingsError(f"{var} cannot be read as a CA file ({err.strerror})") from None


def _convert(typ: Any, raw: str, name: str) -> Any:
    """``raw`` as the setting's type; :class:`SettingsError` when it is not one."""
    t = str(typ)
    var = f"{PREFIX}{name.upper()}={raw!r}"
    if t == "int":
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{var} is not a whole number") from None
    if t == "float":
        return _float(var, raw)
    if t == "bool":
        word = raw.strip().lower()
        if word not in BOOL_WORDS:
            raise SettingsError(f"{var} is not a boolean (1/0, true/false, yes/no, on/off)")
        return BOOL_WORDS[word]
    if t == "Secret":
        return Secret(raw)
    return raw


def _float(var: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{var} is not a number") from None
    if not math.isfinite(value):
        raise SettingsError(f"{var} is not a finite number")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(PREFIX + name)
    if raw is None:
        return default
    result: bool = _convert("bool", raw, name.lower())
    return result


def _non_negative(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(PREFIX + name)
    if raw is None:
        return default
    value = _float(f"{PREFIX}{name}={raw!r}", raw)
    if value < 0:
        raise SettingsError(f"{PREFIX}{name}={raw!r} must be 0 or more")
    return value
