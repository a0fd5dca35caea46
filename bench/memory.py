"""State bytes per tracked account: synthetic accounts through the real feature update.

Each synthetic account gets ``events_per_account`` requests from a small pool of realistic
events (prompt hashes varied per request, so its prompt ring fills), then its policy and
baseline are set as an evaluated account's would be. Bytes are measured with tracemalloc
(everything the state dict holds) or, for large counts, by the growth of the process's resident
set; and with the size of the JSON checkpoint.
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from typing import Any

import orjson

from distillguard.models.account_features import AccountState, Baseline
from distillguard.models.event import parse_event
from distillguard.models.policy import SubjectPolicy
from tests.factories import event


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


def measure(n_accounts: int, events_per_account: int = 8, seed: int = 1, exact: bool = False) -> dict[str, Any]:
    """Bytes per account held in memory and in the checkpoint, for ``n_accounts`` accounts."""
    rng = random.Random(seed)
    e = parse_event(event())
    gc.collect()
    if exact:
        tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0] if exact else _rss()
    states: dict[str, AccountState] = {}
    for i in range(n_accounts):
        acct = f"acct-{i:07d}"
        st = AccountState(1_772_409_600.0)
        e.account_id = acct
        for j in range(events_per_account):
            e.ts = 1_772_409_600.0 + 30 * j
            e.simhash = rng.getrandbits(64)
            e.cluster = f"98.{i % 256}.{j % 256}.0/24"
            st.update(e)
        st.policy = SubjectPolicy()
        st.baseline = Baseline(0.1, 0.01, 5.0, 1.0)
        states[acct] = st
    gc.collect()
    if exact:
        used = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
    else:
        used = _rss() - base
    sample = list(states.values())[:: max(1, n_accounts // 1000)]
    ckpt = sum(len(orjson.dumps(s.to_state())) for s in sample) / len(sample)
    return {
        "accounts": n_accounts,
        "bytes_per_account": round(used / n_accounts),
        "checkpoint_bytes_per_account": round(ckpt),
        "method": "tracemalloc" if exact else "rss",
    }
