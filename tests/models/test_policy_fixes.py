"""The smaller defects of the first detector, each pinned by a test that fails without its fix."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from distillguard.lab.traffic.randomized import build_random
from distillguard.lab.traffic.simulate import merged
from distillguard.models.account_features import AccountState
from distillguard.models.cluster_features import ClusterObservation
from distillguard.models.config import DetectorConfig
from distillguard.models.detector import AccountDetector, Allowlist, ClusterDetector, Detector
from distillguard.models.event import parse_event
from distillguard.models.policy import SubjectPolicy
from distillguard.models.simhash import prompt_simhash
from tests.factories import T0, event, firehose, replay, resampler


def _acted_accounts(records: list[dict], cfg: DetectorConfig | None = None) -> set[str]:
    """The accounts a fresh detector throttles or blocks on ``records``."""
    det = Detector(cfg)
    return {
        d.subject
        for r in records
        for d in det.observe(parse_event(r))
        if d.subject_type == "account" and d.action != "allow"
    }


def _acted(records: list[dict], cfg: DetectorConfig | None = None) -> bool:
    """Whether a fresh detector throttles or blocks any account on ``records``."""
    return bool(_acted_accounts(records, cfg))


def test_allowlisted_networks_match_clusters_inside_them() -> None:
    """An allowlist entry in CIDR form covers every /24 inside it, not just the same string."""
    allow = Allowlist(frozenset({"34.90.0.0/16", "2001:db8::/32", "acct-7"}))
    assert allow.cluster("34.90.1.0/24")
    assert not allow.cluster("34.91.1.0/24")
    assert allow.cluster("2001:db8:abcd::/48")
    assert allow.account("acct-7")
    assert not allow.account("34.90.0.0/16")


def test_allowlisted_cluster_is_never_throttled() -> None:
    cfg = DetectorConfig(allowlist=frozenset({"34.90.0.0/16"}), cluster_throttle=True)
    det = ClusterDetector(cfg)
    out = []
    for i in range(900):
        acct = f"a{i % 60}"
        out += det.observe(ClusterObservation(1000.0 + i, "34.90.1.0/24", acct, f"e{i}", 0, "ua|tls", 0.9, True, 10.0))
    assert out == []
    unlisted = ClusterDetector(DetectorConfig(cluster_throttle=True))
    for i in range(900):
        acct = f"a{i % 60}"
        out += unlisted.observe(
            ClusterObservation(1000.0 + i, "34.90.1.0/24", acct, f"e{i}", 0, "ua|tls", 0.9, True, 10.0)
        )
    assert {d.action for d in out} == {"throttle"}  # the same traffic unlisted: throttled, never blocked


def test_clusters_are_not_throttled_unless_switched_on() -> None:
    """A /24 whose 60 accounts are all flagged: by default the cluster is tracked, not throttled
    (its accounts are acted on themselves); ``cluster_throttle`` brings back the throttle."""

    def feed(det: ClusterDetector) -> set[str]:
        out = []
        for i in range(900):
            o = ClusterObservation(1000.0 + i, "34.90.1.0/24", f"a{i % 60}", f"e{i}", 0, "ua|tls", 0.9, True, 10.0)
            out += det.observe(o)
        return {d.action for d in out}

    default = ClusterDetector(DetectorConfig())
    assert feed(default) == set()
    assert len(default.states["34.90.1.0/24"].accounts) == 60
    assert feed(ClusterDetector(DetectorConfig(cluster_throttle=True))) == {"throttle"}


def test_allowlisted_account_does_not_count_as_flagged_toward_its_cluster() -> None:
    cfg = DetectorConfig(allowlist=frozenset({"fh"}))
    det = AccountDetector(cfg)
    last = None
    for r in firehose("fh", 120):
        _, last, _ = det.observe(parse_event(r))
    assert last is not None
    assert last.suspect is False
    listed_not = AccountDetector(DetectorConfig())
    for r in firehose("fh", 120):
        _, last, _ = listed_not.observe(parse_event(r))
    assert last.suspect is True


def test_strikes_outlive_idle_eviction() -> None:
    """An actioned account that goes quiet keeps its record (strikes) past idle eviction."""
    cfg = DetectorConfig(idle_evict_s=100, record_keep_s=10_000)
    det = AccountDetector(cfg)
    det.observe(parse_event(event(event_id="a", ts=1000.0, account_id="struck")))
    det.observe(parse_event(event(event_id="b", ts=1000.0, account_id="clean")))
    p = SubjectPolicy()
    p.strikes = 3
    det.states["struck"].policy = p
    assert det.evict(2000.0) == [("clean", 0)]
    assert "struck" in det.states
    assert det.evict(20_000.0) == [("struck", 0)]  # but not forever


def test_refused_requests_do_not_feed_the_features() -> None:
    """A 429 with no output is the gateway's refusal, not the account's behaviour: counted only."""
    st = AccountState(0.0)
    st.update(parse_event(event(event_id="ok", output_tokens=300)))
    before = st.to_state()
    nearest = st.update(parse_event(event(event_id="refused", ts=event()["ts"] + 1, status=429, output_tokens=0)))
    after = st.to_state()
    assert nearest == -1
    assert after["refused"] == 1
    assert {k: v for k, v in after.items() if k != "refused"} == {k: v for k, v in before.items() if k != "refused"}


def test_lone_low_volume_account_is_not_actioned_on_answer_shape() -> None:
    """The cost gate: a harvest-shaped account sending a few requests an hour is left alone;
    the same account at a harvester's rate is acted on."""
    slow = firehose("writer", 60, rpm=0.1)  # 6 an hour
    fast = firehose("fh", 60, rpm=30.0)
    det = Detector()
    acted = {d.subject for r in sorted(slow + fast, key=lambda r: r["ts"]) for d in det.observe(parse_event(r))}
    assert acted == {"fh"}


CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def _dressed(records: list[dict], user_agent: str, tls: str | None) -> list[dict]:
    return [dict(r, user_agent=user_agent, tls_fingerprint=tls) for r in records]


def _crowd_on(tls: str, accounts: int = 24) -> list[dict]:
    """One ordinary question from each of ``accounts`` people in Chrome on the stack ``tls``,
    before the evening below: a stack judged to be Chrome's."""
    return [
        event(
            event_id=f"crowd-{tls}-{k}",
            account_id=f"crowd-{k}",
            ts=T0 - 600 + k,
            user_agent=CHROME,
            tls_fingerprint=tls,
        )
        for k in range(accounts)
    ]


def test_a_lone_browser_is_not_actioned_on_a_few_dozen_long_answers() -> None:
    """The cost gate for a person: 45 long answers at 30 an hour from Chrome, on a stack most
    of whose accounts are Chrome (a student's or a writer's evening), are left alone. The same
    requests are acted on from an SDK, from a browser claim with no fingerprint, on a stack no
    one else uses yet, or on one that offers HTTP/1.1 alone; and from Chrome once it has sent
    50 (at the first evaluation from there)."""
    chrome_tls, h1_tls = "t13d1516h2_8daaf6152771", "t13d1812h1_85036bcba153"
    evening = firehose("person", 45, rpm=0.5)
    assert "person" not in _acted_accounts(_crowd_on(chrome_tls) + _dressed(evening, CHROME, chrome_tls))
    assert _acted(_dressed(evening, "anthropic-python/0.40.0", chrome_tls))
    assert _acted(_dressed(evening, CHROME, None))
    assert _acted(_dressed(evening, CHROME, chrome_tls))
    assert _acted(_crowd_on(h1_tls) + _dressed(evening, CHROME, h1_tls))
    det = Detector()
    for r in _crowd_on(chrome_tls):
        det.observe(parse_event(r))
    kept_up = _dressed(firehose("person", 120, rpm=0.5), CHROME, chrome_tls)
    acts = (any(d.action != "allow" for d in det.observe(parse_event(r))) for r in kept_up)
    assert next(i for i, acted in enumerate(acts, 1) if acted) == 52


def test_a_throttle_that_cannot_bite_becomes_a_block() -> None:
    """At 20 requests an hour, a 1 rpm throttle refuses nothing: the account is blocked instead."""
    det = Detector(DetectorConfig(lone_min_rph=5.0))
    records = sorted(firehose("slow", 80, rpm=20 / 60), key=lambda r: r["ts"])
    actions = [d.action for r in records for d in det.observe(parse_event(r))]
    assert actions
    assert actions[0] == "block"


def test_a_product_description_generator_is_not_a_harvester() -> None:
    """Templated prompts, Poisson 10 rpm, ~400-token answers for three hours: an honest product.
    A script asking the same template for 1,500-token answers at that rate is acted on."""
    import random

    from distillguard.models.simhash import prompt_simhash

    rng = random.Random(3)
    shop, harvest = [], []
    t = event()["ts"]
    for i in range(1800):
        t += rng.expovariate(10 / 60)
        text = f"Write a product description for item {i}: a {rng.choice(['red', 'blue'])} thing number {i * 7}."
        common = {"ts": t, "input_tokens": rng.randint(40, 80), "prompt_simhash": prompt_simhash(text)}
        shop.append(event(event_id=f"s{i}", account_id="shop", output_tokens=int(rng.gauss(400, 80)), **common))
        harvest.append(
            event(
                event_id=f"h{i}", account_id="script", ip="34.1.2.3", output_tokens=int(rng.gauss(1500, 200)), **common
            )
        )
    det = Detector()
    records = sorted(shop + harvest, key=lambda r: r["ts"])
    acted = {d.subject for r in records for d in det.observe(parse_event(r)) if d.action != "allow"}
    assert acted == {"script"}


def test_a_rotating_campaign_does_not_push_a_clusters_honest_neighbours_out_of_memory() -> None:
    """A residential /24: two people use it, then a rotating proxy passes 300 flagged accounts
    through it. The cluster remembers 64 accounts; the flagged ones make room for each other,
    so the neighbours stay remembered and the cluster is never throttled."""
    det = ClusterDetector(DetectorConfig(cluster_throttle=True))
    out = []
    for i in range(20):
        for p in ("neighbour-1", "neighbour-2"):
            out += det.observe(
                ClusterObservation(1000.0 + i, "73.1.2.0/24", p, f"{p}-{i}", 0, "ua|tls", 0.0, False, 9e5)
            )
    for i in range(3000):
        acct = f"proxy-{i // 10}"
        out += det.observe(ClusterObservation(2000.0 + i, "73.1.2.0/24", acct, f"x{i}", 0, "ua|tls", 0.9, True, 10.0))
    assert out == []


def _generator(account: str, cap: int, seed: int = 5, spread: float = 0.06) -> list[dict]:
    """A templated generator at ~18 rpm for two hours: 90-token prompts, ~650-token answers
    (a ratio of 7.2) under a ``max_tokens`` of ``cap``; ``spread``: the standard deviation of
    log answer length (0.06: copy asked for at one length; answers to a sweep of questions
    range far wider)."""
    import random

    from distillguard.models.simhash import prompt_simhash

    rng = random.Random(seed)
    out, t = [], event()["ts"]
    for i in range(2200):
        t += rng.expovariate(18 / 60)
        text = f"Write an engaging description of item {i} for our store: tone {rng.choice(['warm', 'crisp'])}."
        out.append(
            event(
                event_id=f"{account}-{i}",
                account_id=account,
                ts=t,
                ip="34.1.2.3",
                input_tokens=rng.randint(80, 100),
                output_tokens=min(cap, int(650 * rng.lognormvariate(0.0, spread))),
                max_tokens=cap,
                prompt_simhash=prompt_simhash(text),
            )
        )
    return out


def test_answers_sized_by_their_own_cap_are_a_products_copy_not_a_harvest() -> None:
    """Answers a little under the half-way length, filling most of the client's 730-token cap, are
    copy the client sized: not acted on. The same lengths, ranging as answers to a sweep do,
    under a 4,096-token cap (a harvester wants the model's whole answer) are, and so is the
    sized one with the rule ablated."""

    sized = _generator("shop", 730)
    assert not _acted(sized)
    assert _acted(_generator("script", 4096, spread=0.6))
    assert _acted(sized, DetectorConfig(ablate=frozenset({"sized_answers"})))


def test_copy_of_one_length_under_a_generous_cap_is_sized_too() -> None:
    """Many clients send a generous ``max_tokens`` whatever they ask for. A product asking for
    copy of one length (answers within a few percent of each other) is sizing its answers under
    a 4,096-token cap as under a tight one: not acted on. The same traffic whose answers range
    as answers to a sweep of questions do is, and so is the steady one with the rule ablated."""
    steady = _generator("shop", 4096)
    assert not _acted(steady)
    assert _acted(_generator("script", 4096, spread=0.6))
    assert _acted(steady, DetectorConfig(ablate=frozenset({"sized_answers"})))


def test_a_subject_slower_than_its_block_is_blocked_longer_at_each_lapse() -> None:
    """A campaign member sending one request every 67 minutes never meets a one-hour block's
    renewal window and was served at every other request; each block it earns after a lapse now
    lasts twice the one before, so over a day it is served at its first request and two lapses."""
    cfg = DetectorConfig()
    p = SubjectPolicy()
    served = 0
    ttls = []
    for i in range(22):
        ts = i * 4000.0
        served += not p.in_force(ts)
        change = p.step(0.9, ts, 1, cfg, force_block=True)
        if change is not None:
            ttls.append(change.ttl_s)
    assert ttls[:3] == [3600, 7200, 14400]
    assert served == 3
    restored = SubjectPolicy.from_state(p.to_state())
    assert restored.block_ttl(cfg) == p.block_ttl(cfg) == 14400
    old = SubjectPolicy.from_state(p.to_state()[:6])  # a checkpoint from before dg-16
    assert old.block_ttl(cfg) == cfg.block_ttl_s
    p.blocks = 40
    assert p.block_ttl(cfg) == cfg.max_block_ttl_s


def test_the_same_question_sampled_again_at_a_high_temperature_is_a_new_answer() -> None:
    """A distiller sampling each question several times at temperature 1 (reasoning traces to
    choose from) pays for a new answer every time: its repeats are not a client re-asking, and
    it is acted on. The same repeats at temperature 0 (the same answer again) still count
    against a harvest."""

    assert _acted(resampler("sampler", 1.0))
    assert not _acted(resampler("rerun", 0.0))


def test_a_request_that_sets_no_temperature_samples_as_the_api_default_does() -> None:
    """A request without a temperature gets the API's default, which samples: the same questions
    sent again with none set are new answers, to the account's own prompt stream as to the prompt
    memory (until dg-30 the stream counted them as a client re-asking, and a gateway that logs no
    temperature let such a resampler through)."""

    assert _acted(resampler("default", None))
    st = AccountState(T0)
    for i, e in enumerate(resampler("default", None)[:14]):
        st.update(parse_event(e), popular=False, repeat=i % 7 > 0)
    assert st.duplicate_share == 0.0
    assert st.repeat_share == 0.0


def test_no_temperature_is_read_as_the_apis_default_everywhere() -> None:
    """A world whose requests set no temperature gets exactly the decisions of the same world at
    temperature 1 (the API's default) from every stage, and not those of temperature 0: no
    reader of the field may take a missing temperature for a deterministic one."""
    gens, _, _ = build_random(7, 1.0, 0.08)
    world = []
    for e in itertools.islice(merged(gens), 12000):
        e.pop("_text", None)
        world.append(e)
    unset = replay([{k: v for k, v in e.items() if k != "temperature"} for e in world])
    assert unset
    assert unset == replay([{**e, "temperature": 1.0} for e in world])
    assert unset != replay([{**e, "temperature": 0.0} for e in world])


def test_a_history_the_account_did_not_build_is_as_shallow_as_a_single_turn() -> None:
    """Multi-turn padding: requests that each carry 3-11 messages of made-up history, none
    following the account's previous request, are shallow; a conversation the account builds
    turn by turn (1, 3, 5, ... messages) is not, and the last count survives a checkpoint."""

    def shallow(counts: list[int]) -> float:
        st = AccountState(T0)
        for i, m in enumerate(counts):
            e = event(event_id=f"e{i}", ts=T0 + i, n_messages=m, input_tokens=40 + 170 * m, prompt_simhash=f"{i:016x}")
            st.update(parse_event(e))
        return st.shallow_share

    padded = [11 if i % 2 == 0 else 3 for i in range(60)]  # each history unrelated to the one before
    conversations = [1 + 2 * (i % 6) for i in range(60)]  # six-turn threads, one after another
    assert shallow(padded) > 0.95
    assert shallow(conversations) < 0.4
    st = AccountState(T0)
    st.update(parse_event(event(n_messages=5)))
    assert AccountState.from_state(st.to_state()).last_messages == 5


def test_a_thread_that_does_not_carry_its_answers_was_not_built_by_the_account() -> None:
    """A turn that follows the previous one but carries a few hundred tokens after an answer of
    thousands is made up (its depth is one message); a turn that carries the previous prompt and
    answer, or a single turn, keeps its own; the previous turn's size survives a checkpoint."""

    def depths(turns: list[tuple[int, int, int]]) -> list[int]:
        st = AccountState(T0)
        out = []
        for i, (m, inp, answer) in enumerate(turns):
            e = parse_event(event(event_id=f"d{i}", ts=T0 + i, n_messages=m, input_tokens=inp, output_tokens=answer))
            out.append(st.depth(e))
            st.update(e)
        return out

    assert depths([(1, 30, 2500), (3, 2600, 2400), (5, 5100, 2000)]) == [1, 3, 5]
    assert depths([(1, 30, 2500), (3, 400, 2400), (5, 800, 2000)]) == [1, 1, 1]
    assert depths([(7, 3000, 300), (3, 900, 300)]) == [1, 1]  # does not follow: not this account's thread
    st = AccountState(T0)
    st.update(parse_event(event(input_tokens=40, output_tokens=2500)))
    assert AccountState.from_state(st.to_state()).last_context == 2540


def test_a_thread_that_never_was_is_as_shallow_as_a_single_turn_unless_a_product_sends_it() -> None:
    """Six-turn threads whose every turn follows the last but carries a few hundred tokens after
    answers of thousands are shallow; the same threads carrying their answers are not, nor made-up
    threads sent with a system prompt (a product's users, whose histories the product keeps)."""

    def shallow(carried: bool, system: bool) -> float:
        st = AccountState(T0)
        for i in range(60):
            turn = i % 6
            inp = 30 + (turn * 2600 if carried else turn * 300)
            e = event(event_id=f"t{i}", ts=T0 + 60.0 * i, n_messages=2 * turn + 1, input_tokens=inp,
                      output_tokens=2500, has_system_prompt=system)  # fmt: skip
            st.update(parse_event(e))
        return st.shallow_share

    assert shallow(carried=False, system=False) > 0.95
    assert shallow(carried=True, system=False) < 0.4
    assert shallow(carried=False, system=True) < 0.4


def _terse(account: str, mean_out: int) -> list[dict]:
    """A developer calling the API in loops from home: 20-token prompts of its own, answers of
    ``mean_out`` tokens under a generous cap, 30 requests a minute for four minutes at a time."""
    rng = random.Random(account)
    out = []
    for i in range(160):
        text = f"write a python function number {i} that {rng.choice(['sorts', 'parses', 'merges'])} {rng.random()}"
        out.append(
            event(
                event_id=f"{account}-{i}",
                account_id=account,
                ts=T0 + (i // 40) * 3600.0 + (i % 40) * 2.0,
                ip="98.10.20.31",
                input_tokens=rng.randint(15, 25),
                output_tokens=max(1, int(rng.gauss(mean_out, 80))),
                max_tokens=4096,
                prompt_simhash=prompt_simhash(text),
            )
        )
    return out


def test_terse_prompts_with_answers_of_ordinary_length_are_not_a_harvest() -> None:
    """A high answer-to-prompt ratio made by terse prompts alone (answers of an ordinary 350
    tokens, a ratio of 17) is not acted on; the same account asking for 2,000-token answers is."""

    assert not _acted(_terse("dev", 350))
    assert _acted(_terse("sweeper", 2000))


def _org(tool: bool, out_mean: int) -> list[dict]:
    """Fourteen accounts of one organisation on one app and one cloud /24, ten requests each,
    one every twenty minutes: novel single-turn questions in 25-40 tokens (a shell organisation
    spreading a sweep thin), or, with ``tool``, an internal chat tool's conversations (a system
    prompt, each thread built turn by turn)."""
    rng = random.Random(3)
    out = []
    for a in range(14):
        for i in range(10):
            text = f"{rng.choice(['describe', 'explain', 'analyse'])} {rng.random()} {rng.random()} in depth for account {a} item {i}"
            out.append(
                event(
                    event_id=f"org{a}-{i}",
                    account_id=f"m-{a}",
                    org_id="org-1",
                    ts=T0 + a * 60.0 + i * 1200.0 * rng.uniform(0.8, 1.2),
                    ip=f"34.7.8.{10 + a % 3}",
                    input_tokens=rng.randint(25, 40) + (300 * (i % 4) if tool else 0),
                    output_tokens=max(1, int(rng.gauss(out_mean, out_mean // 10))),
                    max_tokens=8192,
                    user_agent="app/4.1",
                    tls_fingerprint="t13d-app",
                    prompt_simhash=prompt_simhash(text),
                    n_messages=1 + 2 * (i % 4) if tool else 1,
                    has_system_prompt=tool,
                )
            )
    return sorted(out, key=lambda r: r["ts"])


def test_an_organisation_whose_steady_accounts_all_harvest_is_acted_on_whatever_their_pace() -> None:
    """An organisation is one customer: when nearly all its steady accounts ask for long answers
    in few words, its slow members are one harvest spread thin, and every one is acted on (eight
    of fourteen were, at a reading pace). An internal chat tool's accounts are not."""

    assert len(_acted_accounts(_org(False, 2000))) == 14
    assert _acted_accounts(_org(True, 600)) == set()


def _small_org(templated: bool, org: str | None = "org-2", accounts: int = 6, gap_s: float = 1200.0) -> list[dict]:
    """``accounts`` accounts (six) of one organisation on one app and one cloud /24, sixteen
    requests each, one every ``gap_s`` (twenty minutes), long answers to short prompts: one in
    three on a shared template with two words swapped (a shell organisation's sweep), or all in
    their own words (writers)."""
    rng = random.Random(4)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    out = []
    for a in range(accounts):
        for i in range(16):
            w1, w2 = f"{rng.choice(words)}{rng.randint(0, 999)}", f"{rng.choice(words)}{rng.randint(0, 999)}"
            text = (
                f"Write a long detailed essay with headings and worked examples about {w1} and {w2} for the course reader of our academy"
                if templated and i % 3 == 0
                else f"{rng.random()} {w1} {rng.random()} {w2} {rng.random()} account {a} draft {i}"
            )
            out.append(
                event(
                    event_id=f"so{a}-{i}",
                    account_id=f"so-{a}",
                    org_id=org,
                    ts=T0 + a * 60.0 + i * gap_s * rng.uniform(0.8, 1.2),
                    ip=f"34.9.8.{10 + a % 3}",
                    input_tokens=rng.randint(25, 40),
                    output_tokens=max(1, int(rng.gauss(2000, 200))),
                    max_tokens=8192,
                    user_agent="app/4.1",
                    tls_fingerprint="t13d-app",
                    prompt_simhash=prompt_simhash(text),
                )
            )
    return sorted(out, key=lambda r: r["ts"])


def test_a_small_organisation_sweeping_one_template_is_acted_on_at_a_readers_pace() -> None:
    """Two ties, one customer and one template, let five steady members with twelve requests
    each make an organisation pure (twelve steady members are needed otherwise): a shell
    organisation of six accounts at a reading pace is acted on (none was before); the same
    organisation writing in its own words is not, nor the same accounts without an organisation."""
    assert len(_acted_accounts(_small_org(True))) == 6
    assert _acted_accounts(_small_org(False)) == set()
    assert _acted_accounts(_small_org(True, org=None)) == set()


def test_a_small_organisation_sweeping_one_template_is_acted_on_after_six_requests_a_member() -> None:
    """Five steady members with six requests each (``TIE_EVIDENCE``, as any steady member) make such
    an organisation pure: eight accounts, a question every twenty minutes each, are acted on
    before any has sent ten (with twelve requests a member required, at the thirteenth)."""
    events = _small_org(True, accounts=8)
    decisions = replay(events)
    first = min(d["ts"] for d in decisions if d["action"] != "allow")
    sent = Counter(r["account_id"] for r in events if r["ts"] <= first)
    assert len({d["subject"] for d in decisions if d["action"] != "allow"}) == 8
    assert max(sent.values()) < 10, sent


def test_a_prompt_is_public_whoever_sent_it_first() -> None:
    """The account that sent a prompt first is owed it as popular once another account (another
    client and network) sends it too: a public benchmark's first runner is not the only account
    whose questions count as its own."""
    first = [
        event(
            event_id=f"f{i}",
            account_id="first",
            ts=T0 + i,
            prompt_simhash=prompt_simhash(f"question {i} of the benchmark"),
        )
        for i in range(10)
    ]
    later = [
        event(
            event_id=f"l{i}",
            account_id="later",
            ts=T0 + 100 + i,
            ip="81.2.3.4",
            tls_fingerprint="t13d-other",
            prompt_simhash=prompt_simhash(f"question {i} of the benchmark"),
        )
        for i in range(6)
    ]
    again = event(
        event_id="f-again", account_id="first", ts=T0 + 200, prompt_simhash=prompt_simhash("another question")
    )
    det = Detector()
    for r in [*first, *later, again]:
        det.observe(parse_event(r))
    st = det.accounts.states["first"]
    assert st.n == 11
    assert st.n_popular == 6
    assert det.accounts.states["later"].n_popular == 6
    assert det.accounts.popularity.credits == {}


def _burst(account: str, answer: int, n: int = 120, seed: int = 9) -> list[dict]:
    """A developer's burst from an SDK at home: ``n`` terse prompts of its own a few seconds
    apart, answers of about ``answer`` tokens under a 4,096-token cap."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(3000)]
    out, t = [], T0
    for i in range(n):
        t += rng.uniform(2.0, 12.0)
        text = " ".join(rng.choice(words) for _ in range(rng.randint(5, 20)))
        out.append(
            event(
                event_id=f"{account}-{i}",
                account_id=account,
                ts=t,
                ip="73.10.153.172",
                asn=7922,
                user_agent="anthropic-python/0.39.2",
                input_tokens=rng.randint(10, 30),
                output_tokens=max(1, int(rng.gauss(answer, answer / 4))),
                max_tokens=4096,
                prompt_simhash=prompt_simhash(text),
            )
        )
    return out


def test_a_developers_burst_of_ordinary_answers_is_not_a_lone_harvest() -> None:
    """Alone, an account is judged on its answer shape, and during a person's burst (its first
    200 requests) a long answer is one over a thousand tokens: a developer bursting terse prompts
    for code answers of about 600 tokens is not acted on (it was up to ``dg-18``), the same burst
    asking for about 1,800 is, and so is the same traffic kept up past the burst (its volume is
    the harvest at stake)."""
    assert not _acted(_burst("dev", 600))
    assert _acted(_burst("lone", 1800))
    assert _acted(_burst("steady", 600, n=500))


def _sampling_team(asn: int | None) -> list[dict]:
    """Three accounts of one script on three addresses of one cloud, in three /16s, each sampling
    the same thirty public questions at temperature 1 for long reasoning answers."""
    out = []
    for k, ip in enumerate(("34.90.1.9", "35.190.2.9", "104.196.3.9")):
        for r in resampler(f"team-{k}", 1.0):
            r["ts"] += k * 1.0
            r["ip"], r["asn"], r["user_agent"] = ip, asn, "python-httpx/0.27"
            out.append(r)
    return sorted(out, key=lambda r: r["ts"])


def test_without_an_asn_one_clients_samples_are_not_public_to_its_own_accounts() -> None:
    """With no ASN the network is a /16: a team sampling the same questions from three /16s of
    one cloud would find each other's prompts public (asked from another network) and sweep
    nothing of its own. Its prompt memory key is then its client alone, as one ASN would have
    joined it (before dg-31 none of them was acted on)."""
    assert _acted_accounts(_sampling_team(15169)) == {"team-0", "team-1", "team-2"}
    assert _acted_accounts(_sampling_team(None)) == {"team-0", "team-1", "team-2"}


def test_without_an_asn_or_a_client_fingerprint_a_prompt_from_another_network_is_public() -> None:
    """The client alone keys the prompt memory only when it is known by both its user agent and
    its TLS stack: with neither (nor an ASN), every account would share one key, and a question
    two people ask from two networks would be public to neither."""
    det = Detector()
    for k, ip in enumerate(("98.10.20.30", "81.2.3.4")):
        det.observe(
            parse_event(
                event(
                    event_id=f"p-{k}",
                    account_id=f"person-{k}",
                    ts=T0 + k,
                    ip=ip,
                    asn=None,
                    user_agent=None,
                    tls_fingerprint=None,
                    temperature=None,
                    prompt_simhash=prompt_simhash("what is the capital of australia"),
                )
            )
        )
    assert det.accounts.states["person-1"].n_popular == 1
