"""The Faust application, configured from :class:`~distillguard.streams.settings.Settings`."""

from __future__ import annotations

import ssl
from typing import Any

import faust

from distillguard.streams.settings import Settings
from distillguard.streams.worker.batching import BatchingApp


def _credentials(s: Settings) -> faust.types.auth.CredentialsT | ssl.SSLContext | None:
    ctx = s.ssl_context()
    if s.security_protocol.startswith("SASL"):
        return faust.SASLCredentials(
            username=s.sasl_username,
            password=s.sasl_password.reveal(),
            mechanism=s.sasl_mechanism,
            ssl_context=ctx,
        )
    return ctx


class Worker(faust.Worker):
    """Faust's worker, without its progress spinner when stdout is not a terminal: the spinner's
    cursor codes would land in the log between JSON lines."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.stdout.isatty():
            self.spinner = None


def faust_app(settings: Settings) -> BatchingApp:
    """A new Faust app with the worker's configuration; no topics, tables or agents yet."""
    return BatchingApp(
        settings.app_id,
        broker=settings.broker_url,
        broker_credentials=_credentials(settings),
        store=f"{settings.store}://",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        topic_allow_declare=True,
        web_enabled=settings.web_enabled,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        datadir=settings.data_dir,
        stream_buffer_maxsize=16384,
        broker_max_poll_records=5000,
        consumer_max_fetch_size=8 * 1024 * 1024,
        broker_commit_interval=1.0,
        # A killed worker's partitions wait for its session to expire before anyone can take them:
        # Faust's 60 s default made every crash a minute-long stall (the soak's restart).
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 5),
        producer_linger=0.005,
        consumer_auto_offset_reset="earliest",
        table_cleanup_interval=3600.0,
        autodiscover=False,
        Worker=Worker,
    )
