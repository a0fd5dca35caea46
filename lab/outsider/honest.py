"""Honest populations.  Each generator gets (world, rng, number of accounts, event budget)."""

from __future__ import annotations

import math
import random

from . import net
from . import prompts as pr
from . import vocab as vo
from .common import (
    HUMAN_STACKS,
    SERVER_STACKS,
    cloud_egress,
    conversation_sessions,
    home_egress,
    human_bins,
    model_for,
    split,
    wchoice,
    world_tzs,
)
from .core import LAUNCH_MODEL, World
from .timing import Bins, batch_job, regular_times, sessions, uniform_times

B = "benign"


def _org(world: World, rng: random.Random) -> str:
    return world.new_id("org", rng, 6)


# ---------------------------------------------------------------------------- individuals


def chat_individuals(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Individuals chatting through desktop/mobile/web clients or small scripts."""
    for per in split(rng, budget, n_acc, 1.0):
        client = net.make_client(rng, wchoice(rng, HUMAN_STACKS), app=rng.choice(vo.APPS))
        acct = world.add_account(
            "chat_individuals",
            B,
            None,
            None if rng.random() < 0.93 else _org(world, rng),
            client,
            home_egress(world, rng),
            rpm=50,
            temperature=None if rng.random() < 0.6 else rng.choice([0.7, 1.0, 0.5]),
        )
        bins = human_bins(world, acct.rng)
        ss = sessions(acct.rng, bins, per, mean_len=rng.uniform(2, 8), think_median=rng.uniform(25, 120))
        conversation_sessions(
            world,
            acct,
            ss,
            pr.chat_prompt,
            followup_p=rng.uniform(0.3, 0.8),
            models=None,
            max_tokens=[1024, 2048, 4096, 4096, 8192],
        )


def cgnat_mobile_users(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Mobile-app users behind carrier-grade NAT: many accounts share a few v4 /24s, lots of IPv6."""
    prov = rng.choice(net.MOBILE)
    blocks = world.hot_blocks[prov][: rng.randint(1, 3)]
    for per in split(rng, budget, n_acc, 0.9):
        eg = net.mobile_egress(rng, prov)
        eg.blocks = blocks
        client = net.make_client(rng, rng.choice(["mobile-ios", "mobile-android"]), app=rng.choice(vo.APPS))
        acct = world.add_account("cgnat_mobile_users", B, None, None, client, eg, rpm=50)
        ss = sessions(acct.rng, human_bins(world, acct.rng, "evening"), per, rng.uniform(2, 5), rng.uniform(20, 90))
        conversation_sessions(
            world,
            acct,
            ss,
            pr.chat_prompt,
            followup_p=0.5,
            models=["atlas-2-small", "atlas-2-medium"],
            max_tokens=[1024, 2048],
        )


def classroom_nat(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Classrooms behind one school NAT: 15-35 students, one lesson, near-identical assignment prompts."""
    left = n_acc
    while left > 0:
        size = min(left, rng.randint(12, 35))
        left -= size
        prov = rng.choice(["cenic_k12", "janet", "switch", "cenic_k12"])
        eg = net.static_egress(rng, prov, 1)
        field = rng.choice(list(vo.FIELDS))
        topic = rng.choice(vo.FIELDS[field])
        assignment = rng.choice(
            [
                "Explain {t} in your own words and give two examples",
                "Write a short essay about {t}",
                "What are three important facts about {t}",
                "Summarise {t} for a class presentation",
            ]
        ).format(t=topic)
        lesson = rng.uniform(world.t0, max(world.t0 + 1, world.t1 - 3000))
        stack_ver = rng.random()
        org = _org(world, rng) if rng.random() < 0.5 else None
        per_budget = max(1, budget * size // max(1, n_acc))
        for per in split(rng, per_budget, size, 0.6):
            client = net.make_client(rng, "chrome", recency=stack_ver)
            acct = world.add_account("classroom_nat", B, None, org, client, eg, rpm=20)
            t = lesson + acct.rng.uniform(60, 900)
            for i in range(per):
                if i == 0 or acct.rng.random() < 0.4:
                    text = (
                        acct.rng.choice(["", "", "hi ", "pls ", "can you "])
                        + assignment
                        + acct.rng.choice(["", "?", ".", " thanks", " in 200 words"])
                    )
                    kind, msgs = "chat", 1
                else:
                    text, kind = pr.followup(acct.rng)
                    msgs = 3
                world.emit(acct, t, text, kind, model="atlas-2-small", max_tokens=1024, n_messages=msgs)
                t += acct.rng.uniform(30, 400)
                if t > lesson + 3000:
                    break


def launch_burst(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Developers trying the newly launched model: a burst decaying after the launch."""
    tries = [
        "how many r's are in strawberry",
        "what model are you",
        "write a python function to check primes",
        "tell me a joke",
        "solve: a bat and a ball cost $1.10, the bat costs $1 more than the ball. how much is the ball",
        "write a snake game in html",
        "what is 9.11 minus 9.9",
        "hello",
        "test",
        "summarize the news today",
        "write a sonnet about a new model launch",
        "which is bigger, 9.11 or 9.9",
    ]
    launch = world.launch_ts
    for per in split(rng, budget, n_acc, 0.8):
        client = net.make_client(
            rng, wchoice(rng, {"curl": 3, "anthropic-python": 4, "openai-python": 3, "electron": 2, "chrome": 2})
        )
        acct = world.add_account(
            "launch_burst",
            B,
            None,
            _org(world, rng) if rng.random() < 0.3 else None,
            client,
            home_egress(world, rng, 0.3, 0.1) if rng.random() < 0.6 else cloud_egress(rng),
            rpm=50,
        )
        t = launch + rng.expovariate(1 / 1800)
        for _ in range(per):
            if acct.rng.random() < 0.5:
                q = acct.rng.choice(tries)
                text = acct.rng.choice(["", "", "ok ", "new model: "]) + q + acct.rng.choice(["", "?", "!"])
                kind = "chat"
            else:
                text, kind = pr.chat_prompt(acct.rng)
            world.emit(
                acct,
                t,
                text,
                kind,
                model=LAUNCH_MODEL if acct.rng.random() < 0.8 else "atlas-2-large",
                max_tokens=acct.rng.choice([1024, 4096, 8192]),
            )
            t += acct.rng.expovariate(1 / 45) + 3


def longform_writers(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Low-volume writers asking for long pieces in few words."""
    for per in split(rng, budget, n_acc, 0.7):
        client = net.make_client(rng, wchoice(rng, {"electron": 4, "chrome": 3, "safari": 2, "anthropic-python": 1}))
        acct = world.add_account(
            "longform_writers",
            B,
            None,
            None,
            client,
            home_egress(world, rng),
            rpm=50,
            temperature=rng.choice([None, 1.0, 0.9]),
        )
        ss = sessions(acct.rng, human_bins(world, acct.rng, "evening"), per, 2, rng.uniform(120, 600))
        conversation_sessions(
            world,
            acct,
            ss,
            pr.longform_request,
            followup_p=0.35,
            models=["atlas-2-large", "atlas-2-medium"],
            max_tokens=[4096, 8192, 8192, 16000],
        )


# ---------------------------------------------------------------------------- companies


def org_dev_team(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """A company with many developer accounts under one org: office egress, pinned SDK, office hours."""
    left = n_acc
    while left > 0:
        size = min(left, rng.randint(8, 60))
        left -= size
        org = _org(world, rng)
        world.benign_orgs.append(org)
        tz = rng.choice(world_tzs())
        office = net.static_egress(rng, rng.choice([*net.CORPORATE, "aws"]), rng.randint(2, 6))
        stack = rng.choice(["anthropic-python", "openai-python", "anthropic-node", "electron"])
        ver = rng.random()
        bins = Bins(world.t0, world.t1, [tz], "office", 0.15)
        world.org_egress[org] = office
        for per in split(rng, max(size, budget * size // max(1, n_acc)), size, 1.0):
            client = net.make_client(rng, stack, recency=min(1.0, max(0.0, ver + rng.uniform(-0.1, 0.1))))
            eg = office if rng.random() < 0.7 else home_egress(world, rng, 0.3, 0.1)
            acct = world.add_account(
                "org_dev_team",
                B,
                None,
                org,
                client,
                eg,
                n_keys=rng.randint(1, 3),
                rpm=200,
                temperature=rng.choice([None, 0.0, 0.2]),
            )
            ss = sessions(acct.rng, bins, per, rng.uniform(2, 10), rng.uniform(15, 90))
            first = pr.coding_help if rng.random() < 0.6 else pr.chat_prompt
            conversation_sessions(
                world,
                acct,
                ss,
                first,
                followup_p=0.6,
                models=["atlas-2-large", "atlas-2-medium"],
                max_tokens=[4096, 8192],
                system_tokens=rng.choice([0, 0, 350]),
            )


def enterprise_batch(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Enterprise batch jobs: classification / summarisation / extraction at scale, cron-like, many keys."""
    for per in split(rng, budget, n_acc, 0.8, lo=50):
        org = _org(world, rng)
        client = net.make_client(
            rng,
            wchoice(rng, {"anthropic-python": 4, "java-httpclient": 2, "go-sdk": 1, "dotnet": 1, "openai-python": 2}),
        )
        acct = world.add_account(
            "enterprise_batch",
            B,
            None,
            org,
            client,
            cloud_egress(rng, rng.randint(1, 4)),
            n_keys=rng.randint(1, 6),
            rpm=rng.choice([300, 600, 1000, 2000, 4000]),
            temperature=0.0,
        )
        job = rng.choice(["classify", "summary", "extract"])
        labels = ", ".join(
            rng.sample(["billing", "technical", "account", "shipping", "refund", "other", "abuse", "sales"], 4)
        )
        style = rng.choice(["in 3 bullet points", "in one paragraph", "for an executive", "in under 50 words"])
        model = rng.choice(["atlas-2-small", "atlas-2-small", "atlas-2-medium"])
        n_jobs = rng.randint(1, 5)
        starts = sorted(rng.uniform(world.t0, world.t1 - 600) for _ in range(n_jobs))
        if rng.random() < 0.5:  # cron at the top of the hour
            starts = [math.floor(s / 3600) * 3600 + 3600 + rng.uniform(0, 20) for s in starts]
        conc = rng.choice([4, 8, 16, 32])
        times: list[float] = []
        for s in starts:
            times += batch_job(acct.rng, s, world.t1, per // n_jobs + 1, conc, rng.uniform(0.8, 4.0))
        for ts in times:
            if job == "classify":
                text, kind = pr.classify_ticket(acct.rng, labels)
                mt = 16
            elif job == "summary":
                text, kind = pr.summarise_doc(acct.rng, style)
                mt = 512
            else:
                text, kind = pr.extract_fields(acct.rng)
                mt = 256
            world.emit(
                acct,
                ts,
                text,
                kind,
                model=model,
                max_tokens=mt,
                system_tokens=rng.choice([0, 120]) if job != "summary" else 0,
            )


def eval_harness(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Evaluation harnesses re-running public benchmarks; half of the runs with chain-of-thought."""
    for per in split(rng, budget, n_acc, 0.7, lo=100):
        edu = rng.random() < 0.4
        eg = (
            net.static_egress(rng, rng.choice(net.EDU), rng.randint(1, 3))
            if edu
            else cloud_egress(rng, rng.randint(1, 2))
        )
        client = net.make_client(
            rng, wchoice(rng, {"anthropic-python": 4, "openai-python": 4, "aiohttp": 1, "langchain": 1})
        )
        acct = world.add_account(
            "eval_harness",
            B,
            None,
            _org(world, rng),
            client,
            eg,
            n_keys=rng.randint(1, 2),
            rpm=rng.choice([300, 500, 1000, 4000]),
            temperature=0.0,
        )
        left = per
        t = rng.uniform(world.t0, world.t0 + (world.t1 - world.t0) * 0.6)
        while left > 0 and t < world.t1:
            bench = rng.choice(["mmlu", "mmlu", "gsm", "humaneval", "truthy"])
            items = pr.benchmark(bench)
            cot = rng.random() < 0.5
            model = rng.choice(
                [
                    "atlas-2-large",
                    "atlas-2-medium",
                    "atlas-2-small",
                    "atlas-2-reasoner",
                    LAUNCH_MODEL if t > world.launch_ts else "atlas-2-large",
                ]
            )
            k = min(left, len(items), rng.randint(150, 1400))
            start_i = rng.randrange(len(items))
            times = batch_job(
                acct.rng,
                t,
                world.t1,
                k,
                rng.choice([4, 8, 16, 32]),
                rng.uniform(1.5, 8.0) if cot else rng.uniform(0.4, 1.5),
            )
            for j, ts in enumerate(times):
                item = items[(start_i + j) % len(items)]
                if bench == "humaneval":
                    text, kind, mt = item, "code", 1024
                elif cot:
                    text, kind, mt = item + "\nLet's think step by step.", "cot", 1024
                else:
                    text, kind, mt = item, "mcq", 16 if bench != "gsm" else 256
                world.emit(acct, ts, text, kind, model=model, max_tokens=mt)
            left -= len(times)
            t = (times[-1] if times else t) + rng.uniform(60, 2400)


def agent_loops(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Coding/ops agents: long tool loops, growing context, short outputs, seconds apart."""
    for per in split(rng, budget, n_acc, 1.0, lo=10):
        client = net.make_client(
            rng, wchoice(rng, {"anthropic-node": 4, "anthropic-python": 4, "openai-node": 1, "go-sdk": 1})
        )
        local = rng.random() < 0.6
        eg = home_egress(world, rng, 0.3, 0.05) if local else cloud_egress(rng)
        acct = world.add_account(
            "agent_loops",
            B,
            None,
            _org(world, rng) if rng.random() < 0.5 else None,
            client,
            eg,
            n_keys=rng.randint(1, 2),
            rpm=400,
            temperature=rng.choice([None, 0.0]),
        )
        bins = human_bins(world, acct.rng, "office" if local else "flat")
        left = per
        sys_tok = rng.randint(2000, 9000)
        while left > 0:
            t = bins.sample(acct.rng, 1)[0]
            steps = min(left, acct.rng.randint(5, 80))
            hist = 0
            model = model_for(world, acct.rng, t, ["atlas-2-large", "atlas-2-medium"], 0.2)
            for s in range(steps):
                text, kind = pr.agent_task(acct.rng) if s == 0 else pr.agent_tool_result(acct.rng)
                world.emit(
                    acct,
                    t,
                    text,
                    kind,
                    model=model,
                    max_tokens=8192,
                    n_messages=1 + 2 * s,
                    history_tokens=hist,
                    system_tokens=sys_tok,
                    stream=True,
                )
                hist += acct.rng.randint(200, 4000)
                t += acct.rng.uniform(2, 25)
            left -= steps


def saas_backend(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """SaaS backends proxying end users through a prompt template, day and night."""
    for per in split(rng, budget, n_acc, 0.8, lo=200):
        app = rng.choice(vo.APPS)
        client = net.make_client(rng, wchoice(rng, SERVER_STACKS))
        acct = world.add_account(
            "saas_backend",
            B,
            None,
            _org(world, rng),
            client,
            cloud_egress(rng, rng.randint(2, 8)),
            n_keys=rng.randint(2, 4),
            rpm=rng.choice([2000, 4000, 8000]),
            temperature=rng.choice([0.3, 0.7, None]),
        )
        tzs = rng.sample(world_tzs(), rng.randint(2, 6))
        bins = Bins(world.t0, world.t1, tzs, "human", 0.9)
        wrapper = rng.choice(
            [
                "You are helping a user of {app}. User message: {q}",
                "{app} assistant. Customer asks: {q}\nAnswer helpfully.",
                "[{app}] {q}",
                "Context: user is on the {app} {page} page.\nUser: {q}",
            ]
        )
        sys_tok = rng.randint(300, 2500)
        stream = rng.random() < 0.7
        model = rng.choice(["atlas-2-medium", "atlas-2-small", "atlas-2-large"])
        for ts in bins.sample(acct.rng, per):
            q, kind = pr.chat_prompt(acct.rng)
            msgs = 1 if acct.rng.random() < 0.5 else 1 + 2 * acct.rng.randint(1, 8)
            text = wrapper.format(app=app, q=q, page=acct.rng.choice(["billing", "home", "settings", "editor"]))
            world.emit(
                acct,
                ts,
                text,
                kind,
                model=model,
                max_tokens=2048,
                n_messages=msgs,
                history_tokens=(msgs - 1) * 180,
                system_tokens=sys_tok,
                stream=stream,
            )


def product_descriptions(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """E-commerce catalogue: one template over thousands of products, in batch runs."""
    for per in split(rng, budget, n_acc, 0.6, lo=100):
        client = net.make_client(
            rng, wchoice(rng, {"openai-python": 3, "anthropic-python": 3, "openai-node": 2, "python-requests": 1})
        )
        acct = world.add_account(
            "product_descriptions",
            B,
            None,
            _org(world, rng),
            client,
            cloud_egress(rng, 1, net.CLOUDS),
            n_keys=1,
            rpm=rng.choice([60, 120, 500, 1000]),
            temperature=rng.choice([0.7, 0.8, 1.0]),
        )
        tpl = rng.choice(
            [
                "Write a compelling product description (about 120 words) for: {p}. Key features: {f}.",
                "SKU {sku}: {p}. Features: {f}. Write an SEO-friendly description and 3 bullet points.",
                "Product: {p}\nFeatures: {f}\nTone: warm, concise. Description:",
            ]
        )
        n_runs = rng.randint(1, 3)
        for r in range(n_runs):
            s = rng.uniform(world.t0, world.t1 - 300)
            for ts in batch_job(acct.rng, s, world.t1, per // n_runs + 1, rng.choice([2, 4, 8]), rng.uniform(2, 5)):
                text, kind = pr.product_description(acct.rng, tpl)
                world.emit(
                    acct,
                    ts,
                    text,
                    kind,
                    model="atlas-2-small" if r % 2 else "atlas-2-medium",
                    max_tokens=rng.choice([300, 400, 600]),
                )


# ---------------------------------------------------------------------------- invented look-alikes


def synthetic_data_team(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """A legitimate customer generating synthetic training data for its own small model: templated, topic sweeps, long outputs."""
    org = _org(world, rng)
    eg = cloud_egress(rng, rng.randint(1, 3))
    industries = rng.sample(
        ["telecom", "banking", "airline", "insurance", "retail", "healthcare", "utilities", "gaming", "SaaS"], 4
    )
    for per in split(rng, budget, n_acc, 0.5, lo=100):
        client = net.make_client(rng, rng.choice(["anthropic-python", "openai-python", "aiohttp"]))
        acct = world.add_account(
            "synthetic_data_team", B, None, org, client, eg, n_keys=rng.randint(1, 3), rpm=2000, temperature=1.0
        )
        s = rng.uniform(world.t0, world.t0 + (world.t1 - world.t0) * 0.5)
        topics = pr.ALL_TOPICS[:]
        acct.rng.shuffle(topics)
        for i, ts in enumerate(batch_job(acct.rng, s, world.t1, per, rng.choice([8, 16, 32]), rng.uniform(8, 20))):
            if acct.rng.random() < 0.6:
                text, kind = pr.synthetic_data_prompt(acct.rng, industries[i % 4], acct.rng.choice([5, 10, 20]))
            else:
                f, t = topics[i % len(topics)]
                text = f"Write one exam-style question about {t} ({f}) and a model answer with full working. Output JSON with keys question, answer."
                kind = "cot"
            world.emit(acct, ts, text, kind, model=rng.choice(["atlas-2-large", "atlas-2-medium"]), max_tokens=4096)


def rag_pipeline(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Retrieval-augmented QA: big retrieved context, short answers, office-hour users."""
    for per in split(rng, budget, n_acc, 0.8, lo=50):
        domain = rng.choice(vo.RAG_DOMAINS)
        client = net.make_client(
            rng,
            wchoice(
                rng, {"langchain": 3, "anthropic-python": 2, "openai-python": 2, "java-httpclient": 1, "dotnet": 1}
            ),
        )
        acct = world.add_account(
            "rag_pipeline",
            B,
            None,
            _org(world, rng),
            client,
            cloud_egress(rng, rng.randint(1, 4)),
            n_keys=rng.randint(1, 3),
            rpm=1000,
            temperature=rng.choice([0.0, 0.1, None]),
        )
        bins = Bins(world.t0, world.t1, rng.sample(world_tzs(), 2), "office", 0.2)
        for ts in bins.sample(acct.rng, per):
            text, kind, ctx = pr.rag_prompt(acct.rng, domain)
            world.emit(
                acct,
                ts,
                text,
                kind,
                model=rng.choice(["atlas-2-medium", "atlas-2-small"]),
                max_tokens=1024,
                context_tokens=ctx,
                system_tokens=400,
                n_messages=rng.choice([1, 1, 3]),
            )


def book_translation(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Translating whole books chunk by chunk: steady sequential single-turn requests."""
    for per in split(rng, budget, n_acc, 0.4, lo=30):
        client = net.make_client(rng, rng.choice(["python-requests", "anthropic-python", "openai-python"]))
        eg = home_egress(world, rng, 0.5, 0.0) if rng.random() < 0.5 else cloud_egress(rng, 1, net.CLOUDS)
        acct = world.add_account(
            "book_translation",
            B,
            None,
            None if rng.random() < 0.6 else _org(world, rng),
            client,
            eg,
            rpm=50,
            temperature=0.3,
        )
        lang = rng.choice(vo.NATURAL_LANGS)
        book_rng = random.Random(f"book:{world.seed}:{acct.account_id}")
        period = max(4.0, (world.t1 - world.t0) / max(1, per))
        t = world.t0 + rng.uniform(0, period)
        for i in range(per):
            text, kind = pr.translate_chunk(book_rng, lang, i + 1)
            world.emit(acct, t, text, kind, model="atlas-2-large", max_tokens=4096)
            t += period * rng.uniform(0.7, 1.3)


def code_migration_bot(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """CI bots migrating a codebase file by file (py2->py3, Java 8->17, JS->TS)."""
    for per in split(rng, budget, n_acc, 0.6, lo=50):
        src, dst = rng.choice(
            [("Python 2", "Python 3"), ("Java 8", "Java 17"), ("JavaScript", "TypeScript"), ("COBOL", "Java")]
        )
        client = net.make_client(rng, rng.choice(["anthropic-python", "go-sdk", "anthropic-node"]))
        acct = world.add_account(
            "code_migration_bot",
            B,
            None,
            _org(world, rng),
            client,
            cloud_egress(rng, 1, ["azure", "aws", "gcp"]),
            n_keys=rng.randint(1, 2),
            rpm=500,
            temperature=0.0,
        )
        s = rng.uniform(world.t0, world.t0 + (world.t1 - world.t0) * 0.7)
        mod = rng.choice(["billing", "auth", "reports", "core", "api", "legacy"])
        for i, ts in enumerate(batch_job(acct.rng, s, world.t1, per, rng.choice([2, 4, 8]), rng.uniform(10, 30))):
            text, kind = pr.migrate_code(acct.rng, src, dst, f"{mod}/{acct.rng.choice(vo.CODE_IDENTS)}_{i}.py")
            world.emit(acct, ts, text, kind, model="atlas-2-large", max_tokens=8192, system_tokens=600)


def tutoring_app(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Homework-help app backends: step-by-step solutions across the syllabus, after-school peaks."""
    for per in split(rng, budget, n_acc, 0.6, lo=100):
        client = net.make_client(rng, wchoice(rng, SERVER_STACKS))
        acct = world.add_account(
            "tutoring_app",
            B,
            None,
            _org(world, rng),
            client,
            cloud_egress(rng, rng.randint(1, 4)),
            n_keys=rng.randint(1, 3),
            rpm=2000,
            temperature=rng.choice([0.2, 0.5, None]),
        )
        bins = Bins(world.t0, world.t1, rng.sample(world_tzs(), rng.randint(1, 3)), "evening", 1.1)
        for ts in bins.sample(acct.rng, per):
            text, kind = pr.tutoring_prompt(acct.rng, acct.rng.randint(5, 12))
            msgs = 1 if acct.rng.random() < 0.7 else 3
            world.emit(
                acct,
                ts,
                text,
                kind,
                model="atlas-2-medium",
                max_tokens=2048,
                n_messages=msgs,
                history_tokens=(msgs - 1) * 300,
                system_tokens=800,
                stream=True,
            )


def red_team_vendor(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Contracted red-teamers sweeping harm categories with numbered probes (mostly refused)."""
    org = _org(world, rng)
    eg = net.static_egress(rng, rng.choice(net.CORPORATE), 2)
    bins = Bins(world.t0, world.t1, [rng.choice(world_tzs())], "office", 0.2)
    for per in split(rng, budget, n_acc, 0.6, lo=20):
        client = net.make_client(rng, rng.choice(["anthropic-python", "python-requests"]))
        acct = world.add_account(
            "red_team_vendor", B, None, org, client, eg, rpm=300, temperature=rng.choice([0.0, 1.0])
        )
        cats = rng.sample(vo.RED_TEAM_CATEGORIES, 4)
        for i, ts in enumerate(bins.sample(acct.rng, per)):
            text, kind = pr.red_team_prompt(acct.rng, cats[i % 4], i)
            world.emit(
                acct,
                ts,
                text,
                kind,
                model=model_for(world, acct.rng, ts, None, 0.3),
                max_tokens=1024,
                n_messages=1 if acct.rng.random() < 0.6 else 1 + 2 * acct.rng.randint(1, 6),
            )


def data_labelling_vendor(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Labelling vendors: tiny classification prompts at scale from many worker keys, around the clock."""
    org = _org(world, rng)
    eg = cloud_egress(rng, rng.randint(2, 6), net.CLOUDS)
    for per in split(rng, budget, n_acc, 0.5, lo=100):
        client = net.make_client(rng, rng.choice(["python-requests", "aiohttp", "openai-python"]))
        acct = world.add_account(
            "data_labelling_vendor", B, None, org, client, eg, n_keys=rng.randint(3, 12), rpm=3000, temperature=0.0
        )
        kind_of = rng.choice(["sentiment", "toxicity", "intent", "language"])
        for ts in uniform_times(acct.rng, world.t0, world.t1, per):
            item = acct.rng.choice(
                [pr.sentence(acct.rng), pr.ticket_text(acct.rng), acct.rng.choice(vo.COMMON_QUESTIONS)]
            )
            text = f"Label the {kind_of} of this text. Answer with one word.\nText: {item}"
            world.emit(acct, ts, text, "classify", model="atlas-2-small", max_tokens=5)


def research_group_cloud(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """A research group sharing one cloud project: notebooks, ablations sweeping topics, CoT prompts."""
    prov = rng.choice(["gcp", "aws", "azure"])
    block = net.block24(rng, prov)
    org = _org(world, rng) if rng.random() < 0.6 else None
    tz = rng.choice(world_tzs())
    for per in split(rng, budget, n_acc, 1.0, lo=5):
        eg = net.static_egress(rng, prov, rng.randint(1, 3), block=block)
        client = net.make_client(rng, rng.choice(["anthropic-python", "openai-python", "langchain"]))
        acct = world.add_account(
            "research_group_cloud", B, None, org, client, eg, rpm=400, temperature=rng.choice([None, 0.0, 0.7, 1.0])
        )
        if rng.random() < 0.4:  # an ablation sweep
            topics = pr.ALL_TOPICS[:]
            acct.rng.shuffle(topics)
            fam = rng.choice(["cot", "short", "qa"])
            s = rng.uniform(world.t0, world.t1 - 600)
            for i, ts in enumerate(batch_job(acct.rng, s, world.t1, per, rng.choice([1, 2, 4]), rng.uniform(3, 12))):
                f, t = topics[i % len(topics)]
                text, kind = pr.harvest_prompt(acct.rng, fam, t, f, i)
                world.emit(
                    acct,
                    ts,
                    text,
                    kind,
                    model=rng.choice(["atlas-2-large", "atlas-2-medium", "atlas-2-small"]),
                    max_tokens=2048,
                )
        else:
            ss = sessions(acct.rng, Bins(world.t0, world.t1, [tz], "office", 0.5), per, 6, 40)
            conversation_sessions(
                world, acct, ss, pr.explain_casual, followup_p=0.4, models=None, max_tokens=[2048, 4096]
            )


def uptime_monitor(world: World, rng: random.Random, n_acc: int, budget: int) -> None:
    """Health checks: the same tiny prompt every N seconds, exactly."""
    for _ in range(n_acc):
        client = net.make_client(rng, rng.choice(["curl", "go", "python-requests"]))
        acct = world.add_account(
            "uptime_monitor",
            B,
            None,
            _org(world, rng),
            client,
            cloud_egress(rng, 1, net.CLOUDS),
            rpm=60,
            temperature=0.0,
        )
        period = rng.choice([30, 60, 60, 120, 300])
        text = rng.choice(["ping", "Say OK.", "Reply with the word pong.", "health check", "1+1="])
        model = rng.choice(["atlas-2-small", "atlas-2-medium"])
        for ts in regular_times(acct.rng, world.t0, world.t1, period, 0.01):
            world.emit(acct, ts, text, "ping", model=model, max_tokens=rng.choice([1, 5, 16]))


# name -> (function, kind, accounts range at 6 h, per-account events range at 6 h (light kinds), presence probability, weight)
HONEST = {
    "chat_individuals": (chat_individuals, "light", None, (4, 45), 1.0, 10.0),
    "cgnat_mobile_users": (cgnat_mobile_users, "light", None, (3, 25), 0.8, 2.5),
    "classroom_nat": (classroom_nat, "light", None, (4, 20), 0.7, 1.5),
    "launch_burst": (launch_burst, "light", None, (5, 40), 0.75, 2.0),
    "longform_writers": (longform_writers, "light", None, (2, 14), 0.85, 1.8),
    "org_dev_team": (org_dev_team, "light", None, (15, 160), 1.0, 3.0),
    "agent_loops": (agent_loops, "light", None, (60, 900), 0.85, 1.2),
    "enterprise_batch": (enterprise_batch, "volume", (1, 6), None, 0.9, 4.0),
    "eval_harness": (eval_harness, "volume", (2, 10), None, 0.85, 3.0),
    "saas_backend": (saas_backend, "volume", (2, 8), None, 0.9, 4.0),
    "product_descriptions": (product_descriptions, "volume", (1, 5), None, 0.7, 1.5),
    "synthetic_data_team": (synthetic_data_team, "volume", (1, 4), None, 0.7, 2.0),
    "rag_pipeline": (rag_pipeline, "volume", (2, 10), None, 0.8, 2.0),
    "book_translation": (book_translation, "volume", (1, 4), None, 0.6, 0.5),
    "code_migration_bot": (code_migration_bot, "volume", (1, 4), None, 0.6, 1.0),
    "tutoring_app": (tutoring_app, "volume", (1, 4), None, 0.75, 2.0),
    "red_team_vendor": (red_team_vendor, "volume", (2, 8), None, 0.5, 0.6),
    "data_labelling_vendor": (data_labelling_vendor, "volume", (3, 15), None, 0.6, 2.5),
    "research_group_cloud": (research_group_cloud, "volume", (3, 12), None, 0.6, 0.8),
    "uptime_monitor": (uptime_monitor, "fixed", (2, 10), None, 0.8, 0.0),
}
