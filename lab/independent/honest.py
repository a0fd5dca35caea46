"""Honest populations (label "benign")."""

# Printf-style formatting is kept verbatim from the generator as first written so that its output stays byte-identical
# (e.g. %d truncates floats where a {:d} format spec would raise).
# ruff: noqa: UP031
import math

from . import infra, text
from .core import HUMAN_DIURNAL, PRODUCT_DIURNAL, WORK_DIURNAL
from .core import tok as _tok

CAPS_APP = [1024, 2048, 4096, 4096, 8192]


def _human_net(c, p_mobile=0.3, p_vpn=0.04):
    x = c.rng.random()
    if x < p_vpn:
        f, asn = c.ip_sticky("vpn", c.rng.uniform(1800, 7200), rotate_asn=False)
    elif x < p_vpn + p_mobile:
        f, asn = c.ip_sticky("mobile", c.rng.uniform(600, 5400))
    else:
        f, asn = c.ip_sticky("resi", c.rng.choice([10**7, 10**7, 3 * 3600]))
    return f, asn


def _human_client(c, p_mobile_ua):
    r = c.rng.random()
    if r < p_mobile_ua:
        return infra.mobile_ua(c.rng), True
    if r < p_mobile_ua + 0.12:  # desktop chat app built on an SDK (third-party front-end)
        return infra.sdk_ua(c.rng, c.rng.choice(["anthropic-typescript", "openai-node", "anthropic-python"])), False
    return infra.browser_ua(c.rng), True


def chat_user(c, n, scenario="chat_user", heavy=False, tpl_fn=None, p_tpl=0.0, net=None, client=None, window=None):
    rng = c.rng
    for _ in range(n):
        ipf, asn = net() if net else _human_net(c)
        ua, stream = client() if client else _human_client(c, 0.4)
        a = c.account(
            scenario,
            ua=ua,
            ip_fn=ipf,
            models=("sonnet", "haiku", "opus"),
            model_w=[6, 3, 1],
            temp=rng.choice([None, None, 1.0, 0.7]),
            stream=stream and rng.random() < 0.9,
            sys_tokens=rng.choice([0, 0, 40, 150, 400]),
            sys_p=1.0,
            tz=c.tz_of(asn) + rng.choice([0, 0, 0, -1, 1]),
            p429=0.001,
        )
        cap = rng.choice(CAPS_APP)
        if heavy:
            sess = c.sessions(
                rng.randint(4, 14), rng.uniform(8, 30), rng.uniform(15, 60), a.tz, t0=window[0] if window else None
            )
        else:
            sess = c.sessions(
                rng.choice([1, 1, 1, 2, 2, 3]),
                rng.uniform(2, 8),
                rng.uniform(25, 120),
                a.tz,
                t0=window[0] if window else None,
                t1=window[1] if window else None,
            )
        multi = rng.random() < 0.7
        hist = 0
        for ts, _si, j in sess:
            if j == 0 or not multi:
                hist = 0
                if tpl_fn and rng.random() < p_tpl:
                    p = tpl_fn(rng)
                    kind = "long"
                else:
                    p = text.chat_prompt(rng)
                    kind = rng.choice(["short", "med", "med", "long"])
                nm = 1
            else:
                p = text.followup(rng) if rng.random() < 0.6 else text.chat_prompt(rng)
                kind = rng.choice(["short", "med", "med"])
                nm = 2 * j + 1
            o = c.out_len(kind, cap)
            c.emit(a, ts, p, o, cap, n_msgs=nm, ctx_tok=hist)
            hist += _tok(p) + int(min(o, cap))


def writer(c, n):
    rng = c.rng
    for _ in range(n):
        ipf, asn = _human_net(c, 0.35)
        ua, stream = _human_client(c, 0.3)
        a = c.account(
            "writer",
            ua=ua,
            ip_fn=ipf,
            models=("sonnet", "opus"),
            model_w=[3, 1],
            stream=stream,
            sys_tokens=rng.choice([0, 60, 200]),
            sys_p=1.0,
            tz=c.tz_of(asn),
        )
        cap = rng.choice([4096, 8192, 8192, 16000, 32000])
        target = rng.randint(5, 60)
        sess = c.sessions(rng.randint(1, 4), max(1.5, target / 2.5), rng.uniform(60, 400), a.tz)
        hist = 0
        for ts, _si, j in sess:
            if j == 0 or rng.random() < 0.4:
                p, nm, hist = text.write_prompt(rng), 1, 0
            else:
                p, nm = (
                    rng.choice(
                        [
                            "continue",
                            "keep going",
                            "now write the next part",
                            "make it longer and more vivid",
                            "rewrite the ending",
                            text.followup(rng),
                        ]
                    ),
                    2 * j + 1,
                )
            o = c.out_len(rng.choice(["long", "vlong", "code"]), cap, p_cap=0.25)
            c.emit(a, ts, p, o, cap, n_msgs=nm, ctx_tok=hist)
            hist += _tok(p) + int(min(o, cap))


def student(c, n):
    """Homework help: harvest-looking 'explain step by step' questions, from home/mobile, few of them."""
    rng = c.rng

    def tpl(r):
        return text.harvest_prompt(r) if r.random() < 0.6 else text.paraphrase_prompt(r, pad=0.1)

    chat_user(c, n, scenario="student_homework", tpl_fn=tpl, p_tpl=rng.uniform(0.5, 0.9))


def eval_harness(c, n):
    rng = c.rng
    for _ in range(n):
        kind = rng.choice(["cloud", "cloud", "cloud", "univ", "biz"])
        ipf, _asn = c.ip_fixed(kind, k=rng.randint(1, 3))
        ua = infra.sdk_ua(rng, rng.choice(["anthropic-python", "anthropic-python", "openai-python", "aiohttp"]))
        org = c.rid("org_", 10) if rng.random() < 0.6 else None
        a = c.account(
            "eval_harness",
            ua=ua,
            ip_fn=ipf,
            org=org,
            n_keys=rng.randint(1, 3),
            models=tuple(rng.sample(["sonnet", "haiku", "opus", "sonnet37", "haiku35"], rng.randint(1, 3))),
            temp=rng.choice([0.0, 0.0, 0.0, 1.0]),
            p429=0.01,
            endpoint="/v1/chat/completions" if "openai" in ua[0] else "/v1/messages",
        )
        benches = rng.sample(list(text.BENCHMARKS), rng.randint(1, 3))
        cot = rng.random() < 0.5
        fewshot = rng.random() < 0.3
        runs = rng.randint(2, 5)
        conc = rng.choice([1, 2, 4, 8, 16])
        start = rng.uniform(c.t0, c.t1 - 1800)
        t = start
        cap = rng.choice([2048, 4096, 8192]) if cot else rng.choice([5, 16, 32, 256])
        for _r in range(runs):
            model = rng.choice(a.models)
            for b in benches:
                items = text.BENCHMARKS[b][: rng.randint(min(50, len(text.BENCHMARKS[b])), len(text.BENCHMARKS[b]))]
                suf = rng.choice(text.COT_SUFFIXES) if cot else ""
                for q in items:
                    p = q + suf
                    o = c.out_len("long" if cot else "tiny", cap, p_cap=0.05 if cot else 0.3) * (
                        0.5 if b != "humaneval" or cot else 40
                    )
                    c.emit(
                        a,
                        t,
                        p,
                        o,
                        cap,
                        ctx_tok=rng.randint(600, 2500) if fewshot else 0,
                        n_msgs=11 if fewshot else 1,
                        model=model,
                    )
                    dt = (0.6 + o / 70.0) / conc if cot else rng.uniform(0.3, 1.5) / conc
                    t += dt * rng.uniform(0.85, 1.15)
                    if t > c.t1:
                        break
            t += rng.uniform(60, 3600)  # between runs
            if t > c.t1:
                break


def _saas_template(rng):
    return rng.choice(
        [
            ("Rewrite this email to sound more {tone}:\n{doc}", "med"),
            ("Create a recipe using {ing}. Include ingredients list and steps.", "med"),
            ("Plan a {n}-day trip to {city} for {who}.", "long"),
            ("Improve this resume bullet for a {job} role: {doc}", "short"),
            ("Write an Instagram caption for a post about {prod}. Tone: {tone}.", "short"),
            ("User message: {chat}", "med"),
            ("Generate 5 SEO keywords for: {prod}", "short"),
            (
                "Answer the user's question about their {prod} using the manual excerpt below.\nExcerpt: {doc}\nQuestion: {chat}",
                "med",
            ),
        ]
    )


def _fill_saas(rng, tpl):
    return tpl.format(
        tone=rng.choice(text.TONES),
        doc=text.doc(rng, rng.randint(15, 120)),
        ing=rng.choice(text.INGREDIENTS),
        n=rng.randint(2, 10),
        city=rng.choice(text.CITIES),
        who=rng.choice(["a family", "a couple", "students", "a solo traveller"]),
        job=rng.choice(text.JOBS),
        prod=text.product_name(rng),
        chat=text.chat_prompt(rng),
    )


def _backend_account(c, scenario, org=True, n_keys=None, ua=None, ipf=None, asn=None, **kw):
    rng = c.rng
    if ipf is None:
        ipf, _asn = c.ip_fixed("cloud", k=rng.randint(1, 6))
    if ua is None:
        ua = (
            infra.custom_ua(
                rng, rng.choice(["acme-backend", "svc-gateway", "content-worker", "api-proxy", "orchestrator"])
            )
            if rng.random() < 0.4
            else infra.sdk_ua(
                rng, rng.choice(["anthropic-python", "anthropic-typescript", "go", "java", "openai-python"])
            )
        )
    return (
        c.account(
            scenario,
            ua=ua,
            ip_fn=ipf,
            org=(c.rid("org_", 10) if org is True else (org or None)),
            n_keys=n_keys or rng.randint(1, 4),
            key_w=None,
            **kw,
        ),
        ua,
        ipf,
    )


def saas_backend(c, n, events_each):
    rng = c.rng
    for i in range(n):
        tz = rng.choice([-8, -5, 0, 1, 5.5, 8, 9])
        a, _, _ = _backend_account(
            c,
            "saas_backend",
            models=("sonnet", "haiku"),
            model_w=[1, 1],
            temp=rng.choice([0.3, 0.7, 1.0]),
            stream=rng.random() < 0.5,
            sys_tokens=rng.randint(150, 2500),
            sys_p=1.0,
            tz=tz,
            p429=0.004,
        )
        tpl, kind = _saas_template(rng)
        cap = rng.choice([512, 1024, 2048, 4096])
        peak = min(120, max(8, events_each[i] / (360 * 0.8)))
        for ts in c.poisson(peak, tz=tz, table=PRODUCT_DIURNAL):
            nm = 1 if rng.random() < 0.6 else 2 * rng.randint(1, 6) + 1
            p = _fill_saas(rng, tpl)
            c.emit(a, ts, p, c.out_len(kind, cap), cap, n_msgs=nm, ctx_tok=(nm - 1) * rng.randint(30, 300))


def product_desc(c, n, events_each):
    rng = c.rng
    for i in range(n):
        a, _, _ = _backend_account(
            c,
            "product_desc_gen",
            models=("haiku", "sonnet"),
            model_w=[2, 1],
            temp=0.7,
            sys_tokens=rng.choice([0, 120, 300]),
            sys_p=1.0,
            p429=0.003,
        )
        tpl = rng.choice(
            [
                "Write a product description for {p}. Features: {f1}, {f2}, {f3}. Tone: {t}.",
                "Product: {p}\nKey features: {f1}; {f2}; {f3}\nWrite a compelling {t} listing description of about 150 words.",
                "Generate an Amazon listing (title, 5 bullets, description) for {p} ({f1}, {f2}).",
            ]
        )
        cap = rng.choice([512, 600, 800, 1024])
        rate = min(30, max(3, events_each[i] / 360))
        for ts in c.poisson(rate):
            p = tpl.format(
                p=text.product_name(rng),
                f1=rng.choice(text.ADJS),
                f2=rng.choice(text.ADJS),
                f3=rng.choice(text.ADJS),
                t=rng.choice(text.TONES),
            )
            c.emit(a, ts, p, rng.gauss(400, 60), cap)


def pipeline(c, n, events_each):
    rng = c.rng
    for i in range(n):
        mode = rng.choice(["translate", "summarize", "extract"])
        a, _, _ = _backend_account(
            c,
            "translate_summarize_pipeline",
            models=("haiku", "sonnet", "haiku35"),
            model_w=[3, 1, 1],
            temp=0.0 if mode != "summarize" else 0.3,
            sys_tokens=rng.choice([0, 80, 200]),
            sys_p=1.0,
            p429=0.005,
        )
        rate = min(60, max(1, events_each[i] / 360))
        bursty = rng.random() < 0.5
        times = c.poisson(rate * (3 if bursty else 1))
        if bursty:  # jobs arrive in batches
            on = [
                (s, s + rng.uniform(300, 1800))
                for s in sorted(rng.uniform(c.t0, c.t1) for _ in range(rng.randint(3, 10)))
            ]
            times = [t for t in times if any(s <= t < e for s, e in on)]
        lang = rng.choice(text.LANGS)
        for ts in times:
            if mode == "translate":
                d = text.doc(rng, rng.randint(10, 250))
                p = "Translate the following text to %s:\n%s" % (lang, d)
                cap, o = 4096, _tok(d) * rng.uniform(1.0, 1.5)
            elif mode == "summarize":
                d = text.doc(rng, rng.randint(150, 900))
                p = "Summarize the following %s in %d bullet points:\n%s" % (
                    rng.choice(["article", "call transcript", "report", "thread"]),
                    rng.randint(3, 7),
                    d,
                )
                cap, o = 1024, rng.uniform(80, 350)
            else:
                d = text.doc(rng, rng.randint(60, 500))
                p = "Extract vendor, date, total and line items as JSON from this invoice:\n" + d
                cap, o = 1024, rng.uniform(60, 300)
            c.emit(a, ts, p, o, cap)


def support_bot(c, n, events_each):
    rng = c.rng
    for i in range(n):
        tz = rng.choice([-6, -5, 0, 1, 8])
        a, _, _ = _backend_account(
            c,
            "support_bot",
            models=("haiku", "sonnet"),
            model_w=[2, 1],
            temp=0.3,
            stream=True,
            sys_tokens=rng.randint(400, 4000),
            sys_p=1.0,
            tz=tz,
        )
        rate = min(40, max(1, events_each[i] / (360 * 0.7)))
        for ts in c.poisson(rate, tz=tz, table=WORK_DIURNAL, amp=0.8):
            nm = 2 * rng.randint(0, 8) + 1
            p = rng.choice(
                [
                    "Customer: my order %d hasn't arrived, it's been %d days"
                    % (rng.randint(10000, 99999), rng.randint(3, 20)),
                    "Customer: how do I reset my password",
                    "Customer: I was charged twice for %s" % text.product_name(rng),
                    "Customer: " + text.chat_prompt(rng),
                    "Customer: " + text.doc(rng, rng.randint(8, 40)),
                    "Customer: yes",
                    "Customer: thanks, that worked",
                ]
            )
            c.emit(a, ts, p, c.out_len("short", 1024) * 3, 1024, n_msgs=nm, ctx_tok=(nm - 1) * rng.randint(40, 160))


def coding_agent(c, n):
    rng = c.rng
    for _ in range(n):
        kind = rng.choice(["resi", "resi", "biz", "mobile", "cloud"])
        ipf, asn = c.ip_sticky(kind, 10**7) if kind != "mobile" else c.ip_sticky("mobile", 3600)
        org = c.rid("org_", 10) if rng.random() < 0.4 else None
        tz = c.tz_of(asn) if kind in ("resi", "biz", "mobile") else rng.choice([-8, -5, 1])
        a = c.account(
            "coding_agent",
            ua=infra.agent_ua(rng),
            ip_fn=ipf,
            org=org,
            models=("sonnet", "opus", "haiku"),
            model_w=[6, 2, 2],
            stream=True,
            sys_tokens=rng.randint(2500, 12000),
            sys_p=1.0,
            tz=tz,
            p429=0.01,
            p5xx=0.01,
        )
        cap = rng.choice([8192, 16000, 32000])
        for ts0, _si, _ in c.sessions(rng.randint(2, 8), 1, 600, tz, table=WORK_DIURNAL):
            t = ts0
            nm = 1
            ctx = rng.randint(500, 5000)
            for _step in range(rng.randint(4, 70)):
                p = text.tool_result(rng)
                o = c.out_len(rng.choice(["short", "short", "med", "code"]), cap)
                c.emit(a, t, p, o, cap, n_msgs=nm, ctx_tok=ctx)
                ctx = min(180000, ctx + _tok(p) + int(o))
                nm += 2
                t += rng.uniform(1, 4) + o / 70.0 + (rng.lognormvariate(math.log(40), 1) if rng.random() < 0.15 else 0)
            # a small side request (title generation etc. by haiku)
            c.emit(a, ts0 + 1, "Summarize this coding session in 5 words", 12, 64, model="haiku")


def autonomous_agent(c, n, events_each):
    rng = c.rng
    for i in range(n):
        a, _, _ = _backend_account(
            c,
            "autonomous_agent",
            org=rng.random() < 0.5,
            models=("sonnet", "haiku"),
            model_w=[3, 1],
            sys_tokens=rng.randint(800, 6000),
            sys_p=1.0,
            p429=0.01,
        )
        rate = min(20, max(0.3, events_each[i] / 360))
        t = c.t0 + rng.uniform(0, 1800)
        while t < c.t1:
            nm, ctx = 1, rng.randint(200, 3000)
            steps = rng.randint(3, 60)
            for _ in range(steps):
                p = text.agent_task_prompt(rng)
                o = c.out_len(rng.choice(["short", "med"]), 4096)
                c.emit(a, t, p, o, 4096, n_msgs=nm, ctx_tok=ctx)
                nm += 2
                ctx = min(150000, ctx + _tok(p) + int(o))
                t += rng.uniform(0.5, 8) + o / 80.0
            t += rng.expovariate(rate / 60.0 / steps) if rate > 0 else 3600


def enterprise_batch(c, n, events_each):
    rng = c.rng
    for i in range(n):
        a, _, _ = _backend_account(
            c,
            "enterprise_batch",
            models=("haiku", "sonnet"),
            model_w=[3, 1],
            temp=0.0,
            sys_tokens=rng.randint(100, 900),
            sys_p=1.0,
            p429=0.0,
            retry=True,
        )
        dur = rng.uniform(20, 80) * 60
        rpm = min(600, max(60, events_each[i] / (dur / 60)))
        s = rng.uniform(c.t0, c.t1 - dur)
        task = rng.choice(
            [
                "Classify this support ticket into one of 12 categories and give a priority:\n",
                "Extract the contract parties, dates and termination clauses as JSON:\n",
                "Rewrite this catalogue entry in plain English:\n",
                "Tag the following product reviews with topics:\n",
            ]
        )
        for ts in c.poisson(rpm, t0=s, t1=s + dur):
            st = 429 if rng.random() < (0.05 if rpm > 250 else 0.01) else None
            c.emit(a, ts, task + text.doc(rng, rng.randint(40, 400)), c.out_len("short", 1024) * 2, 1024, status=st)


def company_org(c, n_orgs, per_org):
    """Companies with several accounts under one org: shared egress /24, internal tools, devs, a prod service."""
    rng = c.rng
    for o in range(n_orgs):
        org = c.rid("org_", 10)
        asn = c.nets.pick_asn("biz") if rng.random() < 0.6 else c.nets.pick_asn("cloud")
        blk = c.nets.block(asn, skew=False)
        egress = [(c.nets.ip_in(blk), asn) for _ in range(rng.randint(1, 3))]
        tz = rng.choice([-8, -5, 0, 1, 9])
        tool_ua = infra.custom_ua(rng, rng.choice(["internal-assistant", "corp-copilot", "kb-search"]))
        for _k in range(per_org[o]):
            role = rng.choice(["tool", "tool", "dev", "service"])
            ipf = c.ip_blocks(None, hosts=egress)
            if role == "tool":
                a = c.account(
                    "company_org",
                    ua=tool_ua,
                    ip_fn=ipf,
                    org=org,
                    models=("sonnet",),
                    sys_tokens=rng.randint(300, 1500),
                    sys_p=1.0,
                    tz=tz,
                    stream=True,
                )
                for ts, _si, j in c.sessions(rng.randint(1, 5), 4, 90, tz, table=WORK_DIURNAL):
                    p = text.chat_prompt(rng) if rng.random() < 0.6 else text.doc(rng, rng.randint(10, 60)) + "?"
                    c.emit(a, ts, p, c.out_len("med", 2048), 2048, n_msgs=2 * j + 1, ctx_tok=j * 400)
            elif role == "dev":
                a = c.account(
                    "company_org",
                    ua=infra.sdk_ua(rng),
                    ip_fn=ipf,
                    org=org,
                    models=("sonnet", "haiku"),
                    n_keys=rng.randint(1, 3),
                    tz=tz,
                )
                for ts, _si, _j in c.sessions(rng.randint(1, 3), 6, 30, tz, table=WORK_DIURNAL):
                    c.emit(
                        a,
                        ts,
                        rng.choice([text.chat_prompt, text.write_prompt, text.tool_result])(rng),
                        c.out_len("med", 4096),
                        4096,
                    )
            else:
                a = c.account(
                    "company_org",
                    ua=infra.custom_ua(rng, "svc-" + rng.choice(["billing", "search", "crm", "docs"])),
                    ip_fn=ipf,
                    org=org,
                    models=("haiku",),
                    sys_tokens=rng.randint(100, 800),
                    sys_p=1.0,
                    n_keys=2,
                    tz=tz,
                )
                tpl, kind = _saas_template(rng)
                for ts in c.poisson(rng.uniform(0.3, 6), tz=tz, table=WORK_DIURNAL):
                    c.emit(a, ts, _fill_saas(rng, tpl), c.out_len(kind, 1024), 1024)


def sharded_product(c, n_products, per):
    """One product run as several accounts WITHOUT an org id: same template, client, cloud /24."""
    rng = c.rng
    for pi in range(n_products):
        asn = c.nets.pick_asn("cloud")
        blk = c.nets.block(asn, skew=False)
        egress = [(c.nets.ip_in(blk), asn) for _ in range(rng.randint(2, 8))]
        ua = infra.custom_ua(rng, rng.choice(["writerly-api", "blogbot", "quizgen", "shopcopy"]))
        tpl, kind = _saas_template(rng)
        sysn = rng.randint(200, 1200)
        tz = rng.choice([-5, 1, 8])
        for _ in range(per[pi]):
            a = c.account(
                "sharded_product",
                ua=ua,
                ip_fn=c.ip_blocks(None, hosts=egress),
                models=("sonnet", "haiku"),
                sys_tokens=sysn,
                sys_p=1.0,
                tz=tz,
            )
            cap = 2048
            for ts in c.poisson(rng.uniform(0.3, 5), tz=tz, table=PRODUCT_DIURNAL):
                c.emit(a, ts, _fill_saas(rng, tpl), c.out_len(kind, cap), cap, n_msgs=rng.choice([1, 1, 3]))


def classroom(c, n_classes, per):
    """A class on campus NAT: many new accounts behind one or two IPs, same assignment, in one class hour."""
    rng = c.rng
    for ci in range(n_classes):
        asn = rng.choice(infra.UNIV)
        blk = c.nets.block(asn, skew=False)
        nat = [(c.nets.ip_in(blk), asn) for _ in range(rng.randint(1, 3))]
        s = rng.uniform(c.t0, c.t1 - 5400)
        e = s + rng.uniform(3000, 5400)
        topic = rng.sample(text.TERMS, rng.randint(2, 5))
        assign = [
            "Explain step by step how %s works." % topic[0],
            "explain %s" % topic[0],
            "what is %s" % rng.choice(topic),
            "Give a detailed explanation of %s with examples" % rng.choice(topic),
            "compare %s and %s" % (topic[0], topic[-1]),
            "write 500 words on %s for my assignment" % rng.choice(topic),
        ]

        def tpl(r, assign=assign):
            return r.choice(assign)

        chat_user(
            c,
            per[ci],
            scenario="classroom_nat",
            tpl_fn=tpl,
            p_tpl=0.7,
            net=lambda nat=nat, asn=asn: (c.ip_blocks(None, hosts=nat), asn),
            client=lambda: (infra.browser_ua(rng), True),
            window=(s, e),
        )


def launch_burst(c, n, start, dur):
    """Launch day: many new accounts trying the quickstart in a short window."""
    rng = c.rng
    for _ in range(n):
        kind = rng.choice(["resi", "resi", "cloud", "mobile", "biz"])
        ipf, asn = c.ip_fixed(kind)
        ua = infra.sdk_ua(
            rng, rng.choice(["anthropic-python", "anthropic-python", "anthropic-typescript", "curl", "requests"])
        )
        a = c.account("launch_burst", ua=ua, ip_fn=ipf, models=("sonnet", "haiku", "opus"), tz=c.tz_of(asn), p429=0.03)
        t = rng.uniform(start, start + dur)
        k = rng.choice([1, 1, 2, 3, 4, 6, 10, 15])
        cap = rng.choice([1024, 1024, 256, 4096])
        for j in range(k):
            p = (
                rng.choice(text.QUICKSTART)
                if j == 0 or rng.random() < 0.4
                else rng.choice([text.chat_prompt, text.write_prompt, text.harvest_prompt])(rng)
            )
            c.emit(
                a, t, p, c.out_len(rng.choice(["short", "med"]), cap), cap, status=400 if rng.random() < 0.05 else None
            )
            t += rng.lognormvariate(math.log(40), 1.2)


def retry_storm(c, n):
    rng = c.rng
    for _ in range(n):
        a, _, _ = _backend_account(
            c, "retry_storm", models=("sonnet",), sys_tokens=rng.randint(0, 500), sys_p=1.0, p429=0.0, retry=False
        )
        tpl, kind = _saas_template(rng)
        storms = [(s, s + rng.uniform(120, 1200)) for s in (rng.uniform(c.t0, c.t1) for _ in range(rng.randint(1, 4)))]
        for ts in c.poisson(rng.uniform(2, 20)):
            p = _fill_saas(rng, tpl)
            if any(s <= ts < e for s, e in storms):
                t = ts
                for r in range(rng.randint(2, 25)):  # no backoff: hammer until it goes through
                    st = rng.choice([429, 429, 429, 529, 500]) if r < 20 and rng.random() < 0.85 else 200
                    c.emit(a, t, p, c.out_len(kind, 2048), 2048, status=st)
                    if st == 200:
                        break
                    t += rng.uniform(0.05, 1.0)
            else:
                c.emit(a, ts, p, c.out_len(kind, 2048), 2048)


def hobby_dev(c, n):
    rng = c.rng
    for _ in range(n):
        ipf, asn = _human_net(c, 0.1)
        ua = infra.sdk_ua(rng)
        a = c.account(
            "hobby_dev",
            ua=ua,
            ip_fn=ipf,
            models=("sonnet", "haiku", "opus"),
            temp=rng.choice([None, 0.0, 1.0]),
            tz=c.tz_of(asn),
            endpoint="/v1/chat/completions" if "openai" in ua[0].lower() else "/v1/messages",
        )
        cap = rng.choice([256, 1024, 4096, 8192])
        for ts, _si, _j in c.sessions(rng.randint(1, 3), rng.uniform(2, 15), rng.uniform(10, 200), a.tz):
            if rng.random() < 0.2:  # a little loop script over a list
                t = ts
                f = rng.choice([text.write_prompt, text.harvest_prompt, text.chat_prompt])
                for _ in range(rng.randint(5, 40)):
                    o = c.out_len("med", cap)
                    c.emit(a, t, f(rng), o, cap)
                    t += 0.5 + o / 60.0
            else:
                c.emit(
                    a,
                    ts,
                    rng.choice([text.chat_prompt, text.write_prompt, text.tool_result, text.short_question])(rng),
                    c.out_len(rng.choice(["short", "med", "long"]), cap),
                    cap,
                    status=400 if rng.random() < 0.03 else None,
                )


def vpn_user(c, n):
    rng = c.rng

    def net():
        return c.ip_sticky(rng.choice(["vpn", "vpn", "cloud"]), rng.uniform(900, 7200), rotate_asn=rng.random() < 0.3)

    chat_user(c, n, scenario="vpn_user", net=net)


def labeler(c, n):
    rng = c.rng
    for _ in range(n):
        ipf, _asn = c.ip_fixed(rng.choice(["univ", "cloud"]))
        a = c.account(
            "research_labeler",
            ua=infra.sdk_ua(rng, rng.choice(["anthropic-python", "openai-python", "requests"])),
            ip_fn=ipf,
            models=("haiku", "sonnet"),
            temp=0.0,
            org=c.rid("org_", 10) if rng.random() < 0.3 else None,
        )
        task = rng.choice(
            [
                "Label the sentiment of this review as positive, negative or neutral: ",
                "Is the following tweet toxic? Answer yes or no: ",
                "Which topic fits this abstract best? ",
                "Rate the helpfulness of this answer from 1 to 5: ",
            ]
        )
        s = rng.uniform(c.t0, c.t1 - 600)
        for ts in c.regular(rng.uniform(1.5, 10), t0=s, t1=s + rng.uniform(600, 3 * 3600), jitter=0.3):
            c.emit(a, ts, task + text.doc(rng, rng.randint(10, 80)), rng.randint(1, 8), rng.choice([5, 10, 20]))


def edu_saas(c, n, events_each):
    """A real tutoring product: long step-by-step explanations for its students (harvest-shaped, honest)."""
    rng = c.rng
    for i in range(n):
        tz = rng.choice([-5, 1, 5.5, 8])
        a, _, _ = _backend_account(
            c, "edu_saas", models=("sonnet",), sys_tokens=rng.randint(300, 1500), sys_p=1.0, tz=tz, stream=True
        )
        rate = min(40, max(2, events_each[i] / (360 * 0.7)))
        for ts in c.poisson(rate, tz=tz, table=HUMAN_DIURNAL, amp=0.9):
            nm = 1 if rng.random() < 0.7 else 2 * rng.randint(1, 4) + 1
            p = rng.choice(
                [
                    "Student (grade %d) asks: " % rng.randint(6, 12) + text.paraphrase_prompt(rng, pad=0.0),
                    "Student asks: " + text.chat_prompt(rng),
                    "Student asks: " + text.short_question(rng),
                    text.harvest_prompt(rng),
                ]
            )
            c.emit(a, ts, p, c.out_len("long", 4096, p_cap=0.05), 4096, n_msgs=nm, ctx_tok=(nm - 1) * 300)
