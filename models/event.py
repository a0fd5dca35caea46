"""API request events: decoding and validation against ``api_request_event.schema.json``.

A hand-written validator: every check the schema makes, plus plausibility limits on values
that the schema leaves open (absurd token counts, timestamps from the future). No invalid
record gets past :func:`parse_event`; the error names the field and what is wrong with it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from distillguard.models.config import DetectorConfig
from distillguard.models.ipcluster import InvalidIP, ip_cluster

MAX_TOKENS = 10_000_000
"""Token counts above this are absurd for any model served today and are rejected."""
MAX_TS = float(2**32)
"""Event times are epoch seconds in [0, 2^32) (until 2106): a negative or larger time is absurd,
and the per-account clock-hour slots store whole seconds in 32 bits."""
MAX_MESSAGES = 100_000
_HEX_DIGITS = "0123456789abcdef"


def _is_simhash(sh: object) -> bool:
    """Whether ``sh`` is a prompt SimHash as the contract writes it: 16 lower-case hex digits.

    >>> _is_simhash("0123456789abcdef"), _is_simhash("0123456789ABCDEF"), _is_simhash("12ab")
    (True, False, False)
    """
    return type(sh) is str and len(sh) == 16 and not sh.strip(_HEX_DIGITS)


class InvalidEvent(ValueError):
    """A record that does not satisfy the event contract; ``str(err)`` is the reason."""


@dataclass(slots=True)
class Event:
    """One validated API request event. ``data`` keeps the record as sent, unknown fields too."""

    event_id: str
    ts: float
    account_id: str
    api_key_id: str
    ip: str
    cluster: str
    model: str
    input_tokens: int
    output_tokens: int
    max_tokens: int
    n_messages: int
    simhash: int
    status: int
    has_system_prompt: bool
    user_agent: str | None
    tls_fingerprint: str | None
    temperature: float | None
    """The sampling temperature the client set, if it sent one (validated: finite, >= 0)."""
    data: dict[str, Any]


def _str(d: dict[str, Any], name: str, max_len: int = 128, min_len: int = 1) -> str:
    v = d.get(name, _MISSING)
    if v is _MISSING:
        raise InvalidEvent(f"missing field '{name}'")
    if type(v) is not str:
        raise InvalidEvent(f"field '{name}' must be a string, got {_kind(v)}")
    if not min_len <= len(v) <= max_len:
        raise InvalidEvent(f"field '{name}' length {len(v)} outside [{min_len}, {max_len}]")
    return v


def _opt_str(d: dict[str, Any], name: str, max_len: int) -> str | None:
    v = d.get(name)
    if v is None:
        return None
    if type(v) is not str:
        raise InvalidEvent(f"field '{name}' must be a string or null, got {_kind(v)}")
    if len(v) > max_len:
        raise InvalidEvent(f"field '{name}' length {len(v)} exceeds {max_len}")
    return v


def _int(d: dict[str, Any], name: str, lo: int, hi: int) -> int:
    v = d.get(name, _MISSING)
    if v is _MISSING:
        raise InvalidEvent(f"missing field '{name}'")
    if type(v) is not int:
        raise InvalidEvent(f"field '{name}' must be an integer, got {_kind(v)}")
    if not lo <= v <= hi:
        raise InvalidEvent(f"field '{name}' = {v} outside [{lo}, {hi}]")
    return v


def _bool(d: dict[str, Any], name: str) -> bool:
    v = d.get(name, False)
    if type(v) is not bool:
        raise InvalidEvent(f"field '{name}' must be a boolean, got {_kind(v)}")
    return v


def _opt_number(d: dict[str, Any], name: str, lo: float = 0.0, integer: bool = False) -> None:
    v = d.get(name)
    if v is None:
        return
    ok = type(v) is int if integer else type(v) in (int, float)
    if not ok:
        want = "an integer" if integer else "a number"
        raise InvalidEvent(f"field '{name}' must be {want} or null, got {_kind(v)}")
    if not math.isfinite(v) or v < lo:
        raise InvalidEvent(f"field '{name}' = {v} must be finite and >= {lo}")


_MISSING = object()


def _kind(v: object) -> str:
    return "null" if v is None else type(v).__name__


_NUM = (int, float)
_INF = math.inf
_OPTIONAL = (
    "user_agent",
    "tls_fingerprint",
    "org_id",
    "has_system_prompt",
    "asn",
    "temperature",
    "latency_ms",
    "stream",
    "endpoint",
)
OPTIONAL_FIELDS = frozenset(_OPTIONAL)
"""The contract's optional fields (the gateway's enrichment and the request's details): an
event without any of them is still valid, and is judged on less."""
_FIELDS = (
    "ts",
    "ip",
    "prompt_simhash",
    "event_id",
    "account_id",
    "api_key_id",
    "model",
    "input_tokens",
    "output_tokens",
    "max_tokens",
    "n_messages",
    "status",
    *_OPTIONAL,
)
"""Every field of the contract, in the order :func:`parse_event` unpacks them: the required ones,
then the optional ones."""


def _decoded_keys(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` as the very string objects that orjson's key cache puts in decoded records: a
    dict lookup by the same object skips comparing the strings (half the cost of the 21 reads)."""
    return tuple(orjson.loads(orjson.dumps(dict.fromkeys(names, 0))))


_ALL_FIELDS = operator.itemgetter(*_decoded_keys(_FIELDS))


def parse_event(
    d: object,
    *,
    now: float | None = None,
    future_allowance_s: float = 300.0,
    v4_prefix: int = 24,
    v6_prefix: int = 48,
) -> Event:
    """Validate a decoded record and return it as an :class:`Event`.

    The common, valid record takes a fast path of plain type and range checks; anything it does
    not accept goes through the field-by-field validator, which raises the precise reason.
    ``now`` is the wall clock used only to reject events from the future (more than
    ``future_allowance_s`` ahead); ``None`` skips that check. Old events are never rejected
    here: lateness is judged against the stream's watermark by the detector.

    Examples
    --------
    >>> try:
    ...     parse_event({"event_id": "e1"})
    ... except InvalidEvent as err:
    ...     print(err)
    missing field 'ts'
    """
    if type(d) is dict:
        try:  # every field present (what a gateway sends): one C call reads them all
            ts, ip, sh, eid, acct, key, model, it, ot, mt, nm, st, ua, tls, org, hsp, asn, temp, lat, stream, ep = (
                _ALL_FIELDS(d)
            )
        except KeyError:
            g: Callable[..., Any] = d.get
            ts, ip, sh = g("ts"), g("ip"), g("prompt_simhash")
            eid, acct, key, model = g("event_id"), g("account_id"), g("api_key_id"), g("model")
            it, ot, mt, nm, st = g("input_tokens"), g("output_tokens"), g("max_tokens"), g("n_messages"), g("status")
            ua, tls, org, hsp = g("user_agent"), g("tls_fingerprint"), g("org_id"), g("has_system_prompt", False)
            asn, temp, lat = g("asn"), g("temperature"), g("latency_ms")
            stream, ep = g("stream", False), g("endpoint", "")
        if (
            type(ts) in _NUM
            and 0 <= ts < MAX_TS
            and (now is None or ts <= now + future_allowance_s)
            and type(eid) is str
            and type(acct) is str
            and type(key) is str
            and type(model) is str
            and 0 < len(eid) <= 128
            and 0 < len(acct) <= 128
            and 0 < len(key) <= 128
            and 0 < len(model) <= 128
            and (ua is None or (type(ua) is str and len(ua) <= 512))
            and (tls is None or (type(tls) is str and len(tls) <= 128))
            and (org is None or (type(org) is str and len(org) <= 128))
            and type(ip) is str
            and 2 <= len(ip) <= 64
            and type(it) is int
            and type(ot) is int
            and type(mt) is int
            and type(nm) is int
            and type(st) is int
            and 0 <= it <= MAX_TOKENS
            and 0 <= ot <= MAX_TOKENS
            and 0 <= mt <= MAX_TOKENS
            and 1 <= nm <= MAX_MESSAGES
            and 100 <= st <= 599
            and type(sh) is str
            and len(sh) == 16
            and not sh.strip(_HEX_DIGITS)  # _is_simhash(sh), inlined: once per event
            and type(hsp) is bool
            and type(stream) is bool
            and (asn is None or (type(asn) is int and asn >= 0))
            and (temp is None or (type(temp) in _NUM and 0 <= temp < _INF))
            and (lat is None or (type(lat) in _NUM and 0 <= lat < _INF))
            and type(ep) is str
        ):
            try:
                cluster = ip_cluster(ip, v4_prefix, v6_prefix)
            except InvalidIP:
                pass
            else:
                return Event(
                    eid, float(ts), acct, key, ip, cluster, model, it, ot, mt, nm, int(sh, 16), st, hsp, ua, tls, temp,
                    d,
                )  # fmt: skip
    return _parse_slow(d, now=now, future_allowance_s=future_allowance_s, v4_prefix=v4_prefix, v6_prefix=v6_prefix)


def _parse_slow(
    d: object,
    *,
    now: float | None = None,
    future_allowance_s: float = 300.0,
    v4_prefix: int = 24,
    v6_prefix: int = 48,
) -> Event:
    """Validate field by field, raising the first problem found."""
    if type(d) is not dict:
        raise InvalidEvent(f"record must be a JSON object, got {_kind(d)}")
    event_id = _str(d, "event_id")
    ts = d.get("ts", _MISSING)
    if ts is _MISSING:
        raise InvalidEvent("missing field 'ts'")
    if type(ts) not in (int, float):
        raise InvalidEvent(f"field 'ts' must be a number, got {_kind(ts)}")
    if not math.isfinite(ts):
        raise InvalidEvent(f"field 'ts' = {ts} is not finite")
    if not 0 <= ts < MAX_TS:
        raise InvalidEvent(f"field 'ts' = {ts} is outside 0 .. 2^32 epoch seconds")
    if now is not None and ts > now + future_allowance_s:
        raise InvalidEvent(f"field 'ts' = {ts} is {ts - now:.0f} s in the future")
    account_id = _str(d, "account_id")
    api_key_id = _str(d, "api_key_id")
    ip = _str(d, "ip", max_len=64, min_len=2)
    try:
        cluster = ip_cluster(ip, v4_prefix, v6_prefix)
    except InvalidIP as err:
        raise InvalidEvent(f"field 'ip': {err}") from None
    model = _str(d, "model")
    input_tokens = _int(d, "input_tokens", 0, MAX_TOKENS)
    output_tokens = _int(d, "output_tokens", 0, MAX_TOKENS)
    max_tokens = _int(d, "max_tokens", 0, MAX_TOKENS)
    n_messages = _int(d, "n_messages", 1, MAX_MESSAGES)
    sh = d.get("prompt_simhash", _MISSING)
    if sh is _MISSING:
        raise InvalidEvent("missing field 'prompt_simhash'")
    if not _is_simhash(sh):
        raise InvalidEvent("field 'prompt_simhash' must be 16 lower-case hex digits")
    status = _int(d, "status", 100, 599)
    _opt_str(d, "org_id", 128)
    user_agent = _opt_str(d, "user_agent", 512)
    tls = _opt_str(d, "tls_fingerprint", 128)
    _opt_number(d, "asn", integer=True)
    _opt_number(d, "temperature")
    temperature = d.get("temperature")
    _opt_number(d, "latency_ms")
    if "endpoint" in d and type(d["endpoint"]) is not str:
        raise InvalidEvent(f"field 'endpoint' must be a string, got {_kind(d['endpoint'])}")
    _bool(d, "stream")
    return Event(
        event_id=event_id,
        ts=float(ts),
        account_id=account_id,
        api_key_id=api_key_id,
        ip=ip,
        cluster=cluster,
        model=model,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        max_tokens=max_tokens,
        n_messages=n_messages,
        simhash=int(sh, 16),
        status=status,
        has_system_prompt=_bool(d, "has_system_prompt"),
        user_agent=user_agent,
        tls_fingerprint=tls,
        temperature=temperature,
        data=d,
    )


def _loads(raw: bytes | str) -> object:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise InvalidEvent(f"not valid JSON: {err}") from None


def decode_event(raw: bytes | str, **kwargs: Any) -> Event:
    """Decode one JSON record (bytes or str) and validate it; raises :class:`InvalidEvent`."""
    return parse_event(_loads(raw), **kwargs)


def decode_for(cfg: DetectorConfig, raw: bytes | str, now: float | None = None) -> Event:
    """:func:`decode_event` with a detector configuration's prefixes and future allowance."""
    try:  # _loads, inlined: once per event
        d = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise InvalidEvent(f"not valid JSON: {err}") from None
    return parse_event(
        d,
        now=now,
        future_allowance_s=cfg.future_allowance_s,
        v4_prefix=cfg.v4_prefix,
        v6_prefix=cfg.v6_prefix,
    )
