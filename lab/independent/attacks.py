"""Distillation campaigns (label "attack"). Each archetype takes (ctx, campaign_id, n_accounts, events_target)."""

# Printf-style formatting is kept verbatim from the generator as first written so that its output stays byte-identical
# (e.g. %d truncates floats where a {:d} format spec would raise).
# ruff: noqa: UP031
import math

from . import infra, text
from .core import HUMAN_DIURNAL, PRODUCT_DIURNAL
from .core import tok as _tok


def _tpls(rng, k):
    """A campaign's own template set: a few of the common ones, reworded slightly."""
    base = rng.sample(text.HARVEST_TPLS, k)
    out = []
    for tpl in base:
        b = tpl
        if rng.random() < 0.5:
            b = (
                rng.choice(["", "Please ", "Task: ", "[topic sweep] ", "You are an expert. "])
                + tpl
                + rng.choice(
                    [
                        "",
                        " Be exhaustive.",
                        " Use at least 1500 words.",
                        " Include equations where relevant.",
                        " Answer in markdown.",
                    ]
                )
            )
        out.append(b)
    return out


def _script_client(rng):
    r = rng.random()
    if r < 0.6:
        return infra.sdk_ua(
            rng,
            rng.choice(
                [
                    "anthropic-python",
                    "anthropic-python",
                    "openai-python",
                    "aiohttp",
                    "requests",
                    "go",
                    "anthropic-typescript",
                ]
            ),
        )
    return infra.custom_ua(rng, rng.choice(["dataset-builder", "harvester", "qa-collector", "app", "client", "worker"]))


def _spoofed_browser(rng):
    ua, _, _ = infra.browser_ua(rng)
    stack = rng.choice(["python", "python", "python_h1", "go", "node", "curl"])
    return ua, rng.choice(infra.TLS[stack]), stack


def _long(c, cap, p_cap):
    return c.out_len(c.rng.choice(["long", "long", "vlong"]), cap, p_cap=p_cap)


def _prompt(c, style, tpls, p_short=0.0):
    rng = c.rng
    if p_short and rng.random() < p_short:
        return text.short_question(rng), True
    if style == "template":
        return text.harvest_prompt(rng, tpls), False
    if style == "paraphrase":
        return text.paraphrase_prompt(rng, pad=0.7), False
    if style == "mix":
        return (text.harvest_prompt(rng, tpls) if rng.random() < 0.5 else text.paraphrase_prompt(rng, pad=0.5)), False
    raise ValueError(style)


def _run(c, a, times, style, tpls, cap, p_cap=0.3, p_short=0.0, fake_hist=0.0, wrapper=None, short_cap=None):
    rng = c.rng
    for ts in times:
        p, short = _prompt(c, style, tpls, p_short)
        if wrapper:
            p = wrapper(p)
        nm, ctx = 1, 0
        if fake_hist and rng.random() < fake_hist:
            nm = 2 * rng.randint(1, 5) + 1
            ctx = (nm - 1) * rng.randint(20, 250)
        if short:
            mt = short_cap or rng.choice([64, 256, cap])
            c.emit(a, ts, p, c.out_len("short", mt), mt, n_msgs=nm, ctx_tok=ctx)
        else:
            c.emit(a, ts, p, _long(c, cap, p_cap), cap, n_msgs=nm, ctx_tok=ctx)


def blunt(c, cid, n_acc, ev):
    rng = c.rng
    n_acc = rng.randint(1, 3)
    tpls = _tpls(rng, rng.randint(1, 3))
    ua = _script_client(rng)
    ipf, _asn = c.ip_fixed("cloud", k=rng.randint(1, 2))
    cap = rng.choice([4096, 8192, 8192, 16000])
    for _i in range(n_acc):
        a = c.account(
            "atk_blunt",
            "attack",
            cid,
            ua=ua,
            ip_fn=ipf,
            models=(rng.choice(["sonnet", "opus"]),),
            temp=rng.choice([0.7, 1.0, 0.0]),
            p429=0.02,
        )
        s = rng.uniform(c.t0, c.t0 + 2 * 3600)
        per = ev / n_acc
        interval = max(2.0, (c.t1 - s) / max(1, per))
        _run(c, a, c.regular(interval, t0=s, jitter=rng.uniform(0.02, 0.15)), "template", tpls, cap, p_cap=0.4)
    return n_acc


def hydra(c, cid, n_acc, ev):
    """Many young accounts, few requests each, one script, one cloud infrastructure, shared templates."""
    rng = c.rng
    tpls = _tpls(rng, rng.randint(1, 4))
    ua = _script_client(rng)
    asn = c.nets.pick_asn("cloud")
    blocks = [(c.nets.block(asn, skew=False), asn) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.3:  # second provider
        a2 = c.nets.pick_asn("cloud")
        blocks.append((c.nets.block(a2, skew=False), a2))
    cap = rng.choice([4096, 8192])
    per_mean = max(3, ev / n_acc)
    model = rng.choice(["sonnet", "opus"])
    style = rng.choice(["template", "template", "mix"])
    for _i in range(n_acc):
        hosts = [(c.nets.ip_in(b[0]), b[1]) for b in rng.sample(blocks, 1)]
        a = c.account(
            "atk_hydra",
            "attack",
            cid,
            ua=ua,
            ip_fn=c.ip_blocks(None, hosts=hosts),
            models=(model,),
            temp=1.0,
            p429=0.01,
        )
        k = max(1, int(rng.lognormvariate(math.log(per_mean), 0.7)))
        s = rng.uniform(c.t0, c.t1 - 60)
        interval = rng.uniform(4, 90)
        _run(c, a, c.regular(interval, t0=s, n=k, jitter=0.3), style, tpls, cap, p_cap=0.3)
    return n_acc


def resi_rotation(c, cid, n_acc, ev):
    """Every request from a fresh residential proxy exit (in /24s where honest users live)."""
    rng = c.rng
    tpls = _tpls(rng, rng.randint(2, 4))
    ua = _script_client(rng) if rng.random() < 0.6 else _spoofed_browser(rng)
    cap = rng.choice([4096, 8192])
    per = max(4, ev / n_acc)
    style = rng.choice(["template", "mix", "paraphrase"])
    for _i in range(n_acc):
        a = c.account(
            "atk_resi_rotation",
            "attack",
            cid,
            ua=ua,
            ip_fn=c.ip_rotate(["resi", "mobile"], [4, 1]),
            models=("sonnet",),
            temp=rng.choice([None, 1.0]),
            p429=0.005,
        )
        s = rng.uniform(c.t0, c.t1 - 3600)
        rate = per / ((c.t1 - s) / 60.0) * rng.uniform(0.6, 1.4)
        _run(c, a, c.poisson(rate, t0=s), style, tpls, cap, p_cap=0.2)
    return n_acc


def slow_low(c, cid, n_acc, ev):
    """Few requests per hour per account, many accounts, spread over networks and a few client stacks."""
    rng = c.rng
    tpls = _tpls(rng, rng.randint(2, 5))
    clients = [_script_client(rng) for _ in range(rng.randint(2, 4))]
    cap = rng.choice([2048, 4096, 8192])
    per = min(24, max(3, ev / n_acc))
    for _i in range(n_acc):
        kind = rng.choice(["resi", "resi", "mobile", "cloud", "vpn"])
        ipf, _asn = c.ip_sticky(kind, rng.uniform(1800, 3 * 3600), rotate_asn=True)
        a = c.account(
            "atk_slow_low",
            "attack",
            cid,
            ua=rng.choice(clients),
            ip_fn=ipf,
            models=("sonnet", "opus"),
            model_w=[3, 1],
            temp=1.0,
        )
        rate_h = per / 6.0 * rng.uniform(0.5, 1.5)
        times = c.poisson(rate_h / 60.0)
        _run(
            c,
            a,
            times,
            rng.choice(["template", "mix", "paraphrase"]),
            tpls,
            cap,
            p_cap=0.2,
            p_short=rng.uniform(0, 0.2),
        )
    return n_acc


def paraphrase(c, cid, n_acc, ev):
    """No template repeats: paraphrases plus padding words, short answers mixed in, fake conversation history."""
    rng = c.rng
    clients = [_script_client(rng) for _ in range(rng.randint(1, 3))]
    cap = rng.choice([4096, 8192])
    per = max(5, ev / n_acc)
    for _i in range(n_acc):
        kind = rng.choice(["cloud", "cloud", "resi", "vpn"])
        ipf, _asn = c.ip_sticky(kind, rng.uniform(1200, 7200), rotate_asn=rng.random() < 0.5)
        a = c.account(
            "atk_paraphrase",
            "attack",
            cid,
            ua=rng.choice(clients),
            ip_fn=ipf,
            models=("sonnet",),
            temp=rng.choice([0.8, 1.0]),
            sys_tokens=rng.choice([0, 0, 50]),
            sys_p=0.5,
        )
        rate = per / 360 * rng.uniform(0.6, 1.4)
        _run(
            c,
            a,
            c.poisson(rate),
            "paraphrase",
            None,
            cap,
            p_cap=0.15,
            p_short=rng.uniform(0.2, 0.45),
            fake_hist=rng.uniform(0.3, 0.8),
        )
    return n_acc


def human_mimic(c, cid, n_acc, ev):
    """Human-looking timing (sessions, pauses, fake time zone), browser UA over a script TLS stack, padded history."""
    rng = c.rng
    tpls = _tpls(rng, rng.randint(2, 4))
    stack_ua = _spoofed_browser(rng)
    cap = rng.choice([4096, 8192])
    per = max(4, ev / n_acc)
    for _i in range(n_acc):
        ua = (infra.browser_ua(rng)[0], stack_ua[1], None) if rng.random() < 0.7 else stack_ua
        ipf, asn = c.ip_sticky(rng.choice(["resi", "resi", "mobile"]), rng.uniform(1800, 10**6))
        tz = c.tz_of(asn)
        a = c.account(
            "atk_human_mimic",
            "attack",
            cid,
            ua=ua,
            ip_fn=ipf,
            models=("sonnet", "opus"),
            model_w=[3, 1],
            stream=True,
            tz=tz,
        )
        sess = c.sessions(rng.randint(2, 6), max(1.5, per / 4), rng.uniform(20, 90), tz)
        for ts, _si, j in sess:
            p, short = _prompt(c, "mix", tpls, p_short=0.15)
            nm = 2 * j + 1 if rng.random() < 0.7 else 2 * rng.randint(1, 4) + 1
            c.emit(
                a,
                ts,
                p,
                c.out_len("short", cap) if short else _long(c, cap, 0.2),
                cap,
                n_msgs=nm,
                ctx_tok=(nm - 1) * rng.randint(40, 400),
            )
    return n_acc


def saas_disguise(c, cid, n_acc, ev):
    """Dressed as an honest SaaS backend: system prompt on every request, diurnal Poisson at a moderate rate, an org."""
    rng = c.rng
    n_acc = rng.randint(1, 4)
    org = c.rid("org_", 10)
    tpls = _tpls(rng, rng.randint(2, 5))
    ua = infra.custom_ua(rng, rng.choice(["studybuddy-api", "tutorly-backend", "learnpath", "explainr"]))
    ipf, _asn = c.ip_fixed("cloud", k=rng.randint(2, 6))
    tz = rng.choice([-5, 0, 1, 8])
    cap = rng.choice([4096, 8192])
    sysn = rng.randint(200, 1200)
    for _i in range(n_acc):
        a = c.account(
            "atk_saas_disguise",
            "attack",
            cid,
            ua=ua,
            ip_fn=ipf,
            org=org,
            n_keys=rng.randint(1, 3),
            models=("sonnet",),
            temp=0.7,
            stream=rng.random() < 0.5,
            sys_tokens=sysn,
            sys_p=1.0,
            tz=tz,
            p429=0.004,
        )
        peak = min(40, max(3, ev / n_acc / (360 * 0.8)))
        wrapper = rng.choice([lambda p: "Student question: " + p, lambda p: "User: " + p, lambda p: p])
        _run(
            c,
            a,
            c.poisson(peak, tz=tz, table=PRODUCT_DIURNAL),
            "mix",
            tpls,
            cap,
            p_cap=0.2,
            p_short=0.1,
            fake_hist=0.3,
            wrapper=wrapper,
        )
    return n_acc


def chat_mimic(c, cid, n_acc, ev):
    """Real headless browsers through residential/mobile proxies, chat-like sessions; harvest questions part of the time."""
    rng = c.rng
    tpls = _tpls(rng, rng.randint(2, 4))
    p_h = rng.uniform(0.3, 0.7)
    per = max(4, ev / n_acc)
    cap = rng.choice([4096, 8192])
    for _i in range(n_acc):
        ua = infra.browser_ua(rng, "chrome")
        ipf, asn = c.ip_sticky(rng.choice(["resi", "mobile"]), rng.uniform(900, 10**6))
        a = c.account(
            "atk_chat_mimic",
            "attack",
            cid,
            ua=ua,
            ip_fn=ipf,
            models=("sonnet", "haiku"),
            model_w=[4, 1],
            stream=True,
            tz=c.tz_of(asn),
            sys_tokens=rng.choice([0, 40]),
            sys_p=1.0,
        )
        hist = 0
        for ts, _si, j in c.sessions(rng.randint(2, 6), max(1.5, per / 4), rng.uniform(20, 120), a.tz):
            if j == 0:
                hist = 0
            if rng.random() < p_h:
                p, _short = _prompt(c, "mix", tpls)
                o = _long(c, cap, 0.15)
            else:
                p = text.chat_prompt(rng) if j == 0 else text.followup(rng)
                o = c.out_len(rng.choice(["short", "med"]), cap)
            c.emit(a, ts, p, o, cap, n_msgs=2 * j + 1, ctx_tok=hist)
            hist += _tok(p) + int(min(o, cap))
    return n_acc


def benchmark_cot(c, cid, n_acc, ev):
    """Reasoning-trace harvest on public benchmark questions (shared with honest harnesses), many samples each."""
    rng = c.rng
    n_acc = max(1, min(n_acc, rng.randint(2, 10)))
    ua = _script_client(rng)
    ipf, _asn = c.ip_fixed("cloud", k=rng.randint(1, 4))
    cap = rng.choice([8192, 16000])
    pool = [q for b in rng.sample(list(text.BENCHMARKS), 3) for q in text.BENCHMARKS[b]]
    samples = rng.randint(1, 8)
    per = ev / n_acc
    for _i in range(n_acc):
        a = c.account(
            "atk_benchmark_cot",
            "attack",
            cid,
            ua=ua,
            ip_fn=ipf,
            models=(rng.choice(["opus", "sonnet"]),),
            temp=1.0,
            p429=0.01,
        )
        t = rng.uniform(c.t0, c.t0 + 3600)
        gap = max(1.0, (c.t1 - t) / max(1, per))
        while t < c.t1:
            q = rng.choice(pool)
            if rng.random() < 0.4:
                q = (
                    rng.choice(["Solve carefully. ", "Question: ", ""])
                    + q
                    + rng.choice(["", " Show every step.", " Explain your reasoning in full."])
                )
            q += rng.choice(text.COT_SUFFIXES)
            for _ in range(samples):
                c.emit(a, t, q, _long(c, cap, 0.1), cap)
                t += gap * rng.uniform(0.5, 1.5)
    return n_acc


def agent_trajectory(c, cid, n_acc, ev):
    """Fake agentic sessions (tool results, long contexts) sweeping topics to harvest tool-use trajectories."""
    rng = c.rng
    n_acc = max(2, min(n_acc, 20))
    ua = infra.agent_ua(rng) if rng.random() < 0.5 else _script_client(rng)
    blocks = [(c.nets.block(asn, skew=False), asn) for asn in [c.nets.pick_asn("cloud")] for _ in range(2)]
    cap = 8192
    per = ev / n_acc
    for _i in range(n_acc):
        a = c.account(
            "atk_agent_trajectory",
            "attack",
            cid,
            ua=ua,
            ip_fn=c.ip_blocks(blocks),
            models=("sonnet", "opus"),
            stream=True,
            sys_tokens=rng.randint(1500, 6000),
            sys_p=1.0,
            p429=0.01,
        )
        t = rng.uniform(c.t0, c.t0 + 1800)
        gap = 360 * 60 / max(1, per)
        while t < c.t1:
            nm, ctx = 1, rng.randint(1000, 4000)
            for step in range(rng.randint(3, 25)):
                p = (
                    text.harvest_prompt(rng)
                    if step == 0
                    else (text.tool_result(rng) if rng.random() < 0.7 else text.agent_task_prompt(rng))
                )
                o = _long(c, cap, 0.1) if step == 0 or rng.random() < 0.3 else c.out_len("med", cap)
                c.emit(a, t, p, o, cap, n_msgs=nm, ctx_tok=ctx)
                nm += 2
                ctx = min(150000, ctx + _tok(p) + int(o))
                t += max(0.5, gap * rng.uniform(0.3, 1.7))
    return n_acc


def key_rotation(c, cid, n_acc, ev):
    """Few accounts, each with dozens of API keys rotated per request, on a cloud pool."""
    rng = c.rng
    n_acc = rng.randint(1, 3)
    tpls = _tpls(rng, rng.randint(1, 3))
    ua = _script_client(rng)
    cap = rng.choice([4096, 8192])
    for _i in range(n_acc):
        ipf, _asn = c.ip_fixed("cloud", k=rng.randint(5, 30))
        a = c.account(
            "atk_key_rotation",
            "attack",
            cid,
            ua=ua,
            ip_fn=ipf,
            n_keys=rng.randint(20, 80),
            models=("sonnet",),
            temp=1.0,
            p429=0.02,
        )
        rate = ev / n_acc / 360
        _run(c, a, c.poisson(rate), rng.choice(["template", "mix"]), tpls, cap, p_cap=0.3)
    return n_acc


def multi_org(c, cid, n_acc, ev):
    """Several shell companies, each a handful of accounts with an org id, office-like networks, shared templates."""
    rng = c.rng
    tpls = _tpls(rng, rng.randint(2, 4))
    n_orgs = max(2, min(8, n_acc // 4))
    cap = rng.choice([4096, 8192])
    per = max(4, ev / n_acc)
    made = 0
    for _o in range(n_orgs):
        org = c.rid("org_", 10)
        asn = c.nets.pick_asn(rng.choice(["biz", "cloud"]))
        b = c.nets.block(asn, skew=False)
        blk = [(c.nets.ip_in(b), asn) for _ in range(rng.randint(1, 4))]
        ua = _script_client(rng)
        wrap_pre = rng.choice(["", "Context: internal knowledge base.\n", "[%s] " % rng.choice(["kb", "docs", "wiki"])])
        for _k in range(max(1, n_acc // n_orgs)):
            a = c.account(
                "atk_multi_org",
                "attack",
                cid,
                ua=ua,
                ip_fn=c.ip_blocks(None, hosts=blk),
                org=org,
                models=("sonnet",),
                sys_tokens=rng.choice([0, 300]),
                sys_p=1.0,
                tz=c.tz_of(asn),
            )
            _run(
                c,
                a,
                c.poisson(per / 360 * rng.uniform(0.5, 1.5), tz=a.tz, table=HUMAN_DIURNAL, amp=0.5),
                "mix",
                tpls,
                cap,
                p_cap=0.2,
                p_short=0.1,
                wrapper=lambda p, w=wrap_pre: w + p,
            )
            made += 1
    return made


ARCHETYPES = {
    # name: (fn, many_accounts, weight)
    "blunt": (blunt, False, 1.0),
    "hydra": (hydra, True, 1.3),
    "resi_rotation": (resi_rotation, True, 1.0),
    "slow_low": (slow_low, True, 1.0),
    "paraphrase": (paraphrase, True, 0.9),
    "human_mimic": (human_mimic, True, 0.9),
    "saas_disguise": (saas_disguise, False, 0.9),
    "chat_mimic": (chat_mimic, True, 0.9),
    "benchmark_cot": (benchmark_cot, False, 0.7),
    "agent_trajectory": (agent_trajectory, False, 0.6),
    "key_rotation": (key_rotation, False, 0.6),
    "multi_org": (multi_org, True, 0.7),
}
