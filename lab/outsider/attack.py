"""Attack archetypes: distillation campaigns.  Each generator gets (world, rng, accounts, event budget, campaign id)."""

from __future__ import annotations

import random

from . import net
from . import prompts as pr
from . import vocab as vo
from .common import HUMAN_STACKS, SERVER_STACKS, cloud_egress, home_egress, split, sweep_topics, wchoice, world_tzs
from .core import LAUNCH_MODEL, MODELS, World
from .timing import Bins, batch_job, regular_times, sessions, uniform_times

A = "attack"


class Sweep:
    """A campaign-wide systematic walk over topics (shared by all accounts of the campaign)."""

    def __init__(self, rng: random.Random, families: list[str]):
        self.topics = sweep_topics(rng)
        self.families = families
        self.i = rng.randrange(len(self.topics))

    def next(self, rng: random.Random) -> tuple[str, str, str, str, int]:
        self.i += 1
        f, t = self.topics[self.i % len(self.topics)]
        fam = (
            self.families[(self.i // len(self.topics)) % len(self.families)]
            if len(self.families) > 1 and rng.random() < 0.5
            else rng.choice(self.families)
        )
        if rng.random() < 0.35:  # widen the sweep with an aspect / audience qualifier
            t = f"{t} ({rng.choice(vo.ASPECTS)})"
        return f, t, fam, "", self.i

    def prompt(self, rng: random.Random) -> tuple[str, str]:
        f, t, fam, _, i = self.next(rng)
        return pr.harvest_prompt(rng, fam, t, f, i)

    def paraphrased(self, rng: random.Random, short_share: float) -> tuple[str, str]:
        f, t, _fam, _, i = self.next(rng)
        return pr.paraphrased_harvest(rng, t, f, i, short_share)


def _big_max(rng: random.Random) -> int:
    return rng.choice([4096, 8192, 8192, 16000])


def bulk_harvest(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Classic: a few accounts, very high volume, datacenter IPs, templated CoT/long-answer sweep, machine-regular."""
    sweep = Sweep(rng, rng.sample(["cot", "long", "qa", "code", "instruct"], rng.randint(1, 3)))
    stack = rng.choice(["aiohttp", "python-requests", "go", "anthropic-python", "rust-reqwest"])
    model = rng.choice(["atlas-2-large", "atlas-2-large", "atlas-2-reasoner", "atlas-2-medium"])
    temp = rng.choice([None, 0.7, 1.0, 0.0])
    for per in split(rng, budget, n_acc, 0.4, lo=200):
        eg = cloud_egress(rng, rng.randint(1, 2), ["hetzner", "ovh", "digitalocean", "vultr", "aws", "alibaba"])
        acct = world.add_account(
            "atk_bulk_harvest",
            A,
            camp,
            None,
            net.make_client(rng, stack, 0.5),
            eg,
            rpm=rng.choice([200, 1000, 2000, 4000]),
            temperature=temp,
        )
        s = rng.uniform(world.t0, world.t0 + (world.t1 - world.t0) * 0.2)
        if rng.random() < 0.5:
            times = regular_times(acct.rng, s, world.t1, (world.t1 - s) / per, rng.uniform(0.0, 0.05))
        else:
            times = batch_job(acct.rng, s, world.t1, per, rng.choice([4, 8, 16]), rng.uniform(15, 40))
        for ts in times:
            text, kind = sweep.prompt(acct.rng)
            world.emit(acct, ts, text, kind, model=model, max_tokens=_big_max(rng))


def sybil_swarm(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Hundreds of fresh accounts, each under any per-account threshold; shared datacenter blocks, one client build, one template family."""
    fam = rng.choice(["cot", "long", "qa", "instruct"])
    sweep = Sweep(rng, [fam])
    prov = rng.choice(["hetzner", "ovh", "digitalocean", "vultr", "aws", "oracle"])
    blocks = [net.block24(rng, prov) for _ in range(rng.randint(2, 8))]
    stack = rng.choice(["anthropic-python", "openai-python", "aiohttp", "go-sdk"])
    ver = rng.random()
    period = rng.uniform(20, 120)
    model = rng.choice(["atlas-2-large", "atlas-2-medium"])
    mt = _big_max(rng)
    for per in split(rng, budget, n_acc, 0.3, lo=5):
        eg = net.rotating_egress(prov, blocks)
        acct = world.add_account(
            "atk_sybil_swarm", A, camp, None, net.make_client(rng, stack, ver), eg, rpm=50, temperature=0.7
        )
        s = rng.uniform(world.t0, world.t1 - per * period * 0.5)
        for ts in regular_times(acct.rng, s, world.t1, period, 0.15)[:per]:
            text, kind = sweep.prompt(acct.rng)
            world.emit(acct, ts, text, kind, model=model, max_tokens=mt)


def paraphrase_sweep(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Prompts freshly paraphrased (no template repeats) over a systematic topic sweep; mixed networks and clients."""
    sweep = Sweep(rng, ["cot"])
    short = rng.uniform(0.0, 0.3)
    for per in split(rng, budget, n_acc, 0.7, lo=10):
        stack = wchoice(rng, SERVER_STACKS)
        eg = cloud_egress(rng, 1, net.CLOUDS) if rng.random() < 0.5 else home_egress(world, rng, 0.5, 0.2)
        acct = world.add_account(
            "atk_paraphrase_sweep",
            A,
            camp,
            None,
            net.make_client(rng, stack),
            eg,
            rpm=200,
            temperature=rng.choice([None, 0.8, 1.0]),
        )
        for ts in uniform_times(acct.rng, world.t0, world.t1, per):
            text, kind = sweep.paraphrased(acct.rng, short)
            world.emit(
                acct,
                ts,
                text,
                kind,
                model=rng.choice(["atlas-2-large", "atlas-2-medium"]),
                max_tokens=512 if kind == "short" else _big_max(acct.rng),
            )


def multiturn_camouflage(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Adaptive: fake multi-turn history, short answers in part, human-like sessions, residential proxies."""
    sweep = Sweep(rng, ["cot", "long", "short", "compare"])
    spoof = rng.random() < 0.5
    short_p = rng.uniform(0.2, 0.5)
    for per in split(rng, budget, n_acc, 0.6, lo=10):
        prov = rng.choice(net.RESIDENTIAL)
        eg = net.rotating_egress(prov, world.hot_blocks[prov], net.v6_prefix64(rng, prov), net.PROVIDERS[prov][4] * 0.5)
        client = (
            net.make_client(rng, "python-requests", spoof_ua_of="chrome")
            if spoof
            else net.make_client(rng, wchoice(rng, HUMAN_STACKS))
        )
        acct = world.add_account("atk_multiturn_camouflage", A, camp, None, client, eg, rpm=50, temperature=None)
        bins = Bins(world.t0, world.t1, [rng.choice(world_tzs())], "human", 0.9)
        for sess in sessions(acct.rng, bins, per, rng.uniform(3, 10), rng.uniform(20, 80)):
            for ts in sess:
                pad = acct.rng.randint(1, 7)
                if acct.rng.random() < short_p:
                    f, t, _, _, i = sweep.next(acct.rng)
                    text, kind = pr.harvest_prompt(acct.rng, "short", t, f, i)
                    mt = acct.rng.choice([128, 256, 512])
                else:
                    text, kind = sweep.paraphrased(acct.rng, 0.0) if acct.rng.random() < 0.5 else sweep.prompt(acct.rng)
                    mt = _big_max(acct.rng)
                world.emit(
                    acct,
                    ts,
                    text,
                    kind,
                    model=rng.choice(["atlas-2-large", "atlas-2-medium"]),
                    max_tokens=mt,
                    n_messages=1 + 2 * pad,
                    history_tokens=pad * acct.rng.randint(40, 300),
                )


def dressed_saas(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """A campaign dressed as an honest SaaS workload: org, system prompt, wrapper template, day-and-night, streaming."""
    org = world.new_id("org", rng, 6)
    app = rng.choice(vo.APPS)
    wrapper = rng.choice(
        [
            "You are helping a user of {app}. User message: {q}",
            "{app} assistant. Customer asks: {q}\nAnswer helpfully.",
            "[{app}] {q}",
        ]
    )
    sweep = Sweep(rng, ["cot", "qa", "long", "code"])
    tzs = rng.sample(world_tzs(), 4)
    for per in split(rng, budget, n_acc, 0.5, lo=100):
        acct = world.add_account(
            "atk_dressed_saas",
            A,
            camp,
            org,
            net.make_client(rng, wchoice(rng, SERVER_STACKS)),
            cloud_egress(rng, rng.randint(2, 6)),
            n_keys=rng.randint(2, 4),
            rpm=4000,
            temperature=0.7,
        )
        bins = Bins(world.t0, world.t1, tzs, "human", 0.9)
        for ts in bins.sample(acct.rng, per):
            q, kind = sweep.paraphrased(acct.rng, 0.15) if acct.rng.random() < 0.5 else sweep.prompt(acct.rng)
            msgs = 1 if acct.rng.random() < 0.6 else 1 + 2 * acct.rng.randint(1, 4)
            world.emit(
                acct,
                ts,
                wrapper.format(app=app, q=q),
                kind,
                model="atlas-2-large",
                max_tokens=4096,
                n_messages=msgs,
                history_tokens=(msgs - 1) * 150,
                system_tokens=900,
                stream=True,
            )


def resi_proxy_farm(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Residential proxy farm: every request from a different household address in blocks honest users live in."""
    sweep = Sweep(rng, [rng.choice(["cot", "qa", "long"])])
    provs = rng.sample(net.RESIDENTIAL + net.MOBILE, rng.randint(2, 5))
    stack = rng.choice(["anthropic-python", "openai-python", "python-requests"])
    for per in split(rng, budget, n_acc, 0.5, lo=10):
        prov = rng.choice(provs)
        eg = net.rotating_egress(prov, world.hot_blocks[prov], net.v6_prefix64(rng, prov), net.PROVIDERS[prov][4])
        acct = world.add_account(
            "atk_resi_proxy_farm", A, camp, None, net.make_client(rng, stack), eg, rpm=60, temperature=None
        )
        for ts in uniform_times(acct.rng, world.t0, world.t1, per):
            text, kind = sweep.prompt(acct.rng)
            world.emit(acct, ts, text, kind, model="atlas-2-large", max_tokens=8192)


def aged_accounts(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Bought aged accounts: each keeps its previous owner's look (client, home network, chat habits) with harvest sessions on top."""
    sweep = Sweep(rng, ["cot", "long", "qa"])
    for per in split(rng, budget, n_acc, 0.7, lo=10):
        acct = world.add_account(
            "atk_aged_accounts",
            A,
            camp,
            None,
            net.make_client(rng, wchoice(rng, HUMAN_STACKS)),
            home_egress(world, rng),
            rpm=50,
            temperature=rng.choice([None, 1.0]),
        )
        bins = Bins(world.t0, world.t1, [rng.choice(world_tzs())], "human", 0.9)
        harvest_share = rng.uniform(0.6, 0.95)
        for sess in sessions(acct.rng, bins, per, rng.uniform(4, 20), rng.uniform(8, 40)):
            for ts in sess:
                if acct.rng.random() < harvest_share:
                    text, kind = sweep.prompt(acct.rng)
                    world.emit(acct, ts, text, kind, model="atlas-2-large", max_tokens=8192)
                else:
                    text, kind = pr.chat_prompt(acct.rng)
                    world.emit(
                        acct,
                        ts,
                        text,
                        kind,
                        model="atlas-2-medium",
                        max_tokens=2048,
                        n_messages=acct.rng.choice([1, 3, 5]),
                        history_tokens=300,
                    )


def trojan_product(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """A genuine product whose backend mixes harvest requests into its real user traffic (same keys, same system prompt)."""
    sweep = Sweep(rng, ["cot", "long", "code"])
    for per in split(rng, budget, n_acc, 0.4, lo=100):
        app = rng.choice(vo.APPS)
        acct = world.add_account(
            "atk_trojan_product",
            A,
            camp,
            world.new_id("org", rng, 6),
            net.make_client(rng, wchoice(rng, SERVER_STACKS)),
            cloud_egress(rng, rng.randint(2, 6)),
            n_keys=rng.randint(2, 3),
            rpm=4000,
            temperature=0.7,
        )
        bins = Bins(world.t0, world.t1, rng.sample(world_tzs(), 3), "human", 0.9)
        share = rng.uniform(0.25, 0.6)
        for ts in bins.sample(acct.rng, per):
            if acct.rng.random() < share:
                q, kind = sweep.prompt(acct.rng)
                mt = 8192
            else:
                q, kind = pr.chat_prompt(acct.rng)
                mt = 2048
            world.emit(
                acct, ts, f"{app} user: {q}", kind, model="atlas-2-large", max_tokens=mt, system_tokens=700, stream=True
            )


def model_rotation(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Rotates across every model (per-model limits, per-model answers); cloud providers rotated per account."""
    sweep = Sweep(rng, ["cot", "long", "qa"])
    models = [m for m in MODELS if m != LAUNCH_MODEL]
    for per in split(rng, budget, n_acc, 0.5, lo=20):
        stack = rng.choice(["go", "rust-reqwest", "curl", "aiohttp"])
        eg = net.static_egress(rng, rng.choice(net.CLOUDS), rng.randint(1, 4))
        acct = world.add_account(
            "atk_model_rotation",
            A,
            camp,
            None,
            net.make_client(rng, stack),
            eg,
            rpm=500,
            temperature=rng.choice([0.0, 0.7]),
        )
        s = rng.uniform(world.t0, world.t0 + (world.t1 - world.t0) * 0.4)
        for j, ts in enumerate(batch_job(acct.rng, s, world.t1, per, rng.choice([2, 4, 8]), rng.uniform(10, 30))):
            text, kind = sweep.prompt(acct.rng)
            m = models[j % len(models)] if ts < world.launch_ts or j % 3 else LAUNCH_MODEL
            world.emit(acct, ts, text, kind, model=m, max_tokens=_big_max(acct.rng))


def low_and_slow(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """A relay of short-lived accounts: each lives 20-90 minutes, a few requests a minute, then is retired."""
    sweep = Sweep(rng, ["cot", "long"])
    for per in split(rng, budget, n_acc, 0.4, lo=5):
        eg = cloud_egress(rng, 1, net.CLOUDS) if rng.random() < 0.4 else home_egress(world, rng, 0.6, 0.2)
        acct = world.add_account(
            "atk_low_and_slow",
            A,
            camp,
            None,
            net.make_client(rng, wchoice(rng, SERVER_STACKS)),
            eg,
            rpm=50,
            temperature=rng.choice([None, 0.7]),
        )
        life = rng.uniform(1200, 5400)
        s = rng.uniform(world.t0 - life * 0.3, world.t1 - life * 0.5)
        for ts in uniform_times(acct.rng, s, s + life, per):
            text, kind = sweep.paraphrased(acct.rng, 0.1) if acct.rng.random() < 0.5 else sweep.prompt(acct.rng)
            world.emit(acct, ts, text, kind, model=rng.choice(["atlas-2-large", "atlas-2-medium"]), max_tokens=4096)


def tz_shifted_humans(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Operators emulate humans in many time zones: sessions, think times, varied answer lengths, consumer clients."""
    sweep = Sweep(rng, ["cot", "long", "short", "qa"])
    for per in split(rng, budget, n_acc, 0.6, lo=5):
        eg = home_egress(world, rng, 0.5, 0.35)
        acct = world.add_account(
            "atk_tz_shifted_humans",
            A,
            camp,
            None,
            net.make_client(rng, wchoice(rng, HUMAN_STACKS)),
            eg,
            rpm=50,
            temperature=None,
        )
        bins = Bins(world.t0, world.t1, [rng.choice(world_tzs())], "human", 0.9)
        for sess in sessions(acct.rng, bins, per, rng.uniform(4, 15), rng.uniform(15, 60)):
            msgs = 1
            for ts in sess:
                text, kind = sweep.paraphrased(acct.rng, 0.25)
                world.emit(
                    acct,
                    ts,
                    text,
                    kind,
                    model="atlas-2-large",
                    max_tokens=acct.rng.choice([256, 1024, 2048, 4096, 8192]),
                    n_messages=msgs,
                    history_tokens=(msgs - 1) * 400,
                )
                msgs = msgs + 2 if acct.rng.random() < 0.4 else 1


def eval_mimic(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Dressed as an evaluation harness (benchmark format, temperature 0, CoT) but the items are new and sweep every subject."""
    sweep = sweep_topics(rng)
    i0 = rng.randrange(len(sweep))
    for per in split(rng, budget, n_acc, 0.5, lo=50):
        eg = net.static_egress(rng, rng.choice(net.EDU), 1) if rng.random() < 0.4 else cloud_egress(rng, 1)
        acct = world.add_account(
            "atk_eval_mimic",
            A,
            camp,
            world.new_id("org", rng, 6),
            net.make_client(rng, rng.choice(["anthropic-python", "openai-python"])),
            eg,
            rpm=1000,
            temperature=0.0,
        )
        s = rng.uniform(world.t0, world.t0 + (world.t1 - world.t0) * 0.5)
        for j, ts in enumerate(batch_job(acct.rng, s, world.t1, per, rng.choice([8, 16]), rng.uniform(4, 10))):
            f, t = sweep[(i0 + j * 7 + acct.rng.randrange(3)) % len(sweep)]
            if acct.rng.random() < 0.5:
                text = f"Question: {pr.math_problem(acct.rng)}\nLet's think step by step."
            else:
                text = (
                    f"The following are multiple choice questions (with answers) about {f}.\n\nWhich statement about {t} and "
                    f"{acct.rng.choice(vo.ASPECTS)} is correct? Explain your reasoning step by step before answering.\nAnswer:"
                )
            world.emit(acct, ts, text, "cot", model=rng.choice(["atlas-2-large", "atlas-2-reasoner"]), max_tokens=2048)


def piggyback_org(world: World, rng: random.Random, n_acc: int, budget: int, camp: str) -> None:
    """Accounts slipped into a legitimate company's org, behind its office egress, harvesting at office-hour pace."""
    org = rng.choice(world.benign_orgs) if world.benign_orgs else world.new_id("org", rng, 6)
    office = world.org_egress.get(org) or net.static_egress(rng, rng.choice(net.CORPORATE), 3)
    sweep = Sweep(rng, ["cot", "code", "long"])
    bins = Bins(world.t0, world.t1, [rng.choice(world_tzs())], "office", 0.3)
    for per in split(rng, budget, n_acc, 0.5, lo=20):
        acct = world.add_account(
            "atk_piggyback_org",
            A,
            camp,
            org,
            net.make_client(rng, rng.choice(["anthropic-python", "electron"])),
            office,
            n_keys=rng.randint(1, 3),
            rpm=200,
            temperature=None,
        )
        for ts in bins.sample(acct.rng, per):
            text, kind = sweep.prompt(acct.rng) if acct.rng.random() < 0.6 else sweep.paraphrased(acct.rng, 0.2)
            world.emit(
                acct, ts, text, kind, model="atlas-2-large", max_tokens=8192, system_tokens=acct.rng.choice([0, 350])
            )


# name -> (function, accounts range at 6 h, weight for the event budget, tell)
ATTACKS = {
    "atk_bulk_harvest": (bulk_harvest, (1, 8), 2.0, "volume"),
    "atk_sybil_swarm": (sybil_swarm, (80, 400), 1.5, "coordination"),
    "atk_paraphrase_sweep": (paraphrase_sweep, (10, 60), 1.2, "content sweep"),
    "atk_multiturn_camouflage": (multiturn_camouflage, (20, 120), 1.0, "hard"),
    "atk_dressed_saas": (dressed_saas, (1, 6), 1.5, "content sweep"),
    "atk_resi_proxy_farm": (resi_proxy_farm, (30, 200), 1.2, "coordination"),
    "atk_aged_accounts": (aged_accounts, (15, 100), 0.8, "hard"),
    "atk_trojan_product": (trojan_product, (1, 3), 1.0, "hard"),
    "atk_model_rotation": (model_rotation, (5, 40), 1.0, "volume / content"),
    "atk_low_and_slow": (low_and_slow, (60, 300), 0.8, "coordination"),
    "atk_tz_shifted_humans": (tz_shifted_humans, (30, 150), 0.8, "hard"),
    "atk_eval_mimic": (eval_mimic, (3, 15), 1.0, "content sweep"),
    "atk_piggyback_org": (piggyback_org, (3, 20), 0.7, "hard"),
}
