"""Prompt text: word banks, templates, fixed public benchmarks."""

# Printf-style formatting is kept verbatim from the generator as first written so that its output stays byte-identical
# (e.g. %d truncates floats where a {:d} format spec would raise).
# ruff: noqa: UP031
import random

TERMS = """photosynthesis;transistors;vaccines;black holes;inflation;the French Revolution;plate tectonics;
public key cryptography;neural networks;gradient descent;the immune system;compound interest;supply and demand;
the water cycle;quantum entanglement;natural selection;the Krebs cycle;blockchain consensus;TCP congestion control;
garbage collection;the Roman Republic;the Cold War;keynesian economics;CRISPR gene editing;nuclear fission;
the greenhouse effect;monetary policy;hash tables;binary search trees;dynamic programming;the Doppler effect;
protein folding;the stock market;electric motors;lithium ion batteries;mRNA vaccines;the Pythagorean theorem;
Bayesian inference;the central limit theorem;operating system schedulers;database indexing;DNS resolution;
the Renaissance;impressionism;the Industrial Revolution;game theory;the prisoner's dilemma;antibiotic resistance;
climate feedback loops;ocean currents;volcanic eruptions;the human heart;memory consolidation;cognitive dissonance;
behavioral economics;the Federal Reserve;GDP measurement;linear regression;principal component analysis;
transformers in machine learning;reinforcement learning;the Fourier transform;eigenvalues;Maxwell's equations;
general relativity;entropy;the photoelectric effect;semiconductor doping;the Silk Road;the Ottoman Empire;
the Meiji Restoration;the printing press;democracy in ancient Athens;existentialism;utilitarianism;Kant's ethics;
the scientific method;statistical significance;p-values;randomized controlled trials;epidemiology;herd immunity;
insulin regulation;the nitrogen cycle;soil erosion;urban planning;the Marshall Plan;colonialism in Africa;
the Byzantine Empire;jazz improvisation;sonata form;color theory;perspective drawing;Rust ownership;
Python decorators;JavaScript closures;SQL joins;Kubernetes scheduling;load balancing;CAP theorem;
Raft consensus;MapReduce;compilers;regular expressions;recursion;sorting algorithms;graph traversal;
Dijkstra's algorithm;RSA encryption;elliptic curves;zero knowledge proofs;the Higgs boson;dark matter;
the big bang;stellar nucleosynthesis;tides;earthquakes;hurricanes;coral reefs;the carbon cycle;
mitosis;meiosis;DNA replication;enzyme kinetics;acid base chemistry;electrochemistry;organic reaction mechanisms;
thermodynamics;fluid dynamics;aerodynamic lift;jet engines;bridges;concrete curing;contract law;
tort law;constitutional judicial review;international trade;comparative advantage;exchange rates;
the gig economy;marketing funnels;double entry bookkeeping;options pricing;the Black-Scholes model;
portfolio diversification;credit scores;mortgages;index funds""".replace("\n", "").split(";")
TERMS = [t.strip() for t in TERMS if t.strip()]

FIELDS = [
    "biology",
    "physics",
    "chemistry",
    "economics",
    "history",
    "computer science",
    "mathematics",
    "philosophy",
    "law",
    "medicine",
    "engineering",
    "finance",
    "psychology",
    "geology",
    "art history",
    "linguistics",
    "sociology",
    "political science",
    "statistics",
    "astronomy",
]
AUDIENCES = [
    "a beginner",
    "a high school student",
    "a graduate student",
    "an expert",
    "a software engineer",
    "a policy maker",
    "a 10 year old",
    "a university lecture",
    "an exam review",
    "a textbook",
]
CONTEXTS = [
    "in modern industry",
    "in everyday life",
    "in developing countries",
    "during the 20th century",
    "at scale",
    "in small businesses",
    "in healthcare",
    "in climate policy",
    "in practice",
    "from first principles",
    "in the European Union",
    "in East Asia",
    "for distributed systems",
    "under uncertainty",
    "in education",
]

HARVEST_TPLS = [
    "Explain step by step how {t} works.",
    "Explain in detail how {t} works {c}, with examples.",
    "Give a comprehensive, detailed explanation of {t} for {a}.",
    "Write a thorough textbook-style chapter on {t}, covering history, theory and applications.",
    "What are the key principles behind {t}? Reason through them carefully and explain each one.",
    "Compare {t} and {t2} in depth: mechanisms, advantages, disadvantages and use cases.",
    "Describe {t} {c}. Think step by step and be exhaustive.",
    "Teach me {t} as if you were writing lecture notes for {a}. Include worked examples.",
    "Provide a detailed analysis of {t} in {f}, including common misconceptions.",
    "Walk through the reasoning behind {t} in {f}, one step at a time, and justify each step.",
]
PARAPHRASE_OPENERS = [
    "",
    "Hey, ",
    "Quick question: ",
    "I was wondering, ",
    "For my notes, ",
    "Please ",
    "Could you ",
    "I need help. ",
    "So ",
    "Ok so ",
    "Hi! ",
    "Thanks in advance. ",
    "My teacher asked: ",
    "Honestly ",
]
PARAPHRASE_CORES = [
    "explain how {t} works",
    "break down {t} for me",
    "what is really going on with {t}",
    "give me the full picture on {t}",
    "help me understand {t} properly",
    "walk me through {t}",
    "describe the mechanism of {t}",
    "tell me everything important about {t}",
    "go deep on {t}",
    "unpack {t} in {f} terms",
    "summarize and then expand on {t}",
    "what should {a} know about {t}",
    "why does {t} matter and how does it work",
    "lay out the theory of {t} with an example",
]
PARAPHRASE_TAILS = [
    "",
    ".",
    "?",
    " in detail.",
    " thoroughly.",
    ", step by step.",
    " with examples please.",
    " - be as complete as you can.",
    ", I want a long answer.",
    " and show your reasoning.",
    " (detailed)",
    ", covering edge cases too.",
    ". Use headings.",
]
FILLER = [
    "honestly",
    "basically",
    "actually",
    "really",
    "just",
    "maybe",
    "kinda",
    "like",
    "anyway",
    "also",
    "though",
    "still",
    "even",
    "quite",
    "pretty",
    "very",
    "rather",
    "somewhat",
    "literally",
    "seriously",
    "truly",
    "simply",
    "indeed",
    "perhaps",
    "probably",
    "certainly",
    "banana",
    "window",
    "purple",
    "river",
    "seven",
    "lantern",
    "quiet",
    "marble",
    "copper",
    "orbit",
    "meadow",
    "velvet",
]

SHORT_Q = [
    "What is the capital of {x}?",
    "How many {u} are in a {v}?",
    "Who wrote {b}?",
    "What year did {e} happen?",
    "Define {t} in one sentence.",
    "Is {t} related to {t2}? Yes or no.",
    "Give me a synonym for {w}.",
    "What does {w} mean?",
    "Spell {w} backwards.",
]
COUNTRIES = [
    "France",
    "Peru",
    "Kenya",
    "Japan",
    "Canada",
    "Norway",
    "Chile",
    "Egypt",
    "Vietnam",
    "Poland",
    "Ghana",
    "Portugal",
    "Mongolia",
    "Iceland",
    "Morocco",
    "Thailand",
    "Austria",
    "Nepal",
    "Uruguay",
    "Finland",
]
BOOKS = [
    "Moby Dick",
    "Pride and Prejudice",
    "War and Peace",
    "Dune",
    "Beloved",
    "Ulysses",
    "Hamlet",
    "Don Quixote",
    "The Odyssey",
    "Middlemarch",
    "1984",
    "Things Fall Apart",
]
EVENTS = [
    "the moon landing",
    "the fall of the Berlin Wall",
    "the Battle of Hastings",
    "the signing of the Magna Carta",
    "the first World Cup",
    "the invention of the telephone",
]
UNITS = [("inches", "foot"), ("ounces", "pound"), ("seconds", "day"), ("meters", "kilometer"), ("minutes", "week")]
WORDS = [
    "ephemeral",
    "laconic",
    "ubiquitous",
    "serendipity",
    "obfuscate",
    "pragmatic",
    "ambivalent",
    "candid",
    "meticulous",
    "resilient",
    "tenacious",
    "verbose",
    "whimsical",
    "zealous",
]


ASPECTS = [
    "the history of",
    "the mathematics behind",
    "common misconceptions about",
    "recent advances in",
    "the limitations of",
    "real-world applications of",
    "the ethics of",
    "the economics of",
    "experimental evidence for",
    "the origins of",
    "open problems in",
    "the key equations of",
]


def topic(rng):
    x = rng.random()
    t = rng.choice(TERMS)
    if x < 0.4:
        return t
    if x < 0.75:
        return rng.choice(ASPECTS) + " " + t
    return t + " " + rng.choice(CONTEXTS)


def fill(rng, tpl):
    t = topic(rng)
    t2 = rng.choice(TERMS)
    u, v = rng.choice(UNITS)
    return tpl.format(
        t=t,
        t2=t2,
        c=rng.choice(CONTEXTS),
        a=rng.choice(AUDIENCES),
        f=rng.choice(FIELDS),
        x=rng.choice(COUNTRIES),
        u=u,
        v=v,
        b=rng.choice(BOOKS),
        e=rng.choice(EVENTS),
        w=rng.choice(WORDS),
    )


def harvest_prompt(rng, tpls=None):
    return fill(rng, rng.choice(tpls or HARVEST_TPLS))


def paraphrase_prompt(rng, pad=0.5):
    s = rng.choice(PARAPHRASE_OPENERS) + fill(rng, rng.choice(PARAPHRASE_CORES)) + rng.choice(PARAPHRASE_TAILS)
    if rng.random() < pad:
        ws = s.split()
        for _ in range(rng.randint(1, 6)):
            ws.insert(rng.randint(0, len(ws)), rng.choice(FILLER))
        s = " ".join(ws)
    if rng.random() < 0.3:
        s = s.lower()
    return s


def short_question(rng):
    return fill(rng, rng.choice(SHORT_Q))


# ---- ordinary chat -------------------------------------------------------------------------------------------
CHAT_TASKS = [
    "fix a leaking kitchen tap",
    "make my sourdough rise more",
    "get my toddler to sleep",
    "ask my boss for a raise",
    "stop procrastinating",
    "set up a budget spreadsheet",
    "clean a cast iron pan",
    "improve my resume",
    "learn Spanish faster",
    "train for a 10k",
    "deal with a noisy neighbour",
    "pick a laptop for college",
    "write a birthday message for my mom",
    "plan a surprise party",
    "reduce my phone screen time",
    "fix a slow wifi connection",
    "care for a fiddle leaf fig",
    "cook rice without a rice cooker",
    "negotiate rent",
    "prepare for a job interview",
    "meal prep for the week",
    "get rid of fruit flies",
    "choose a health insurance plan",
    "sort my photos",
    "back up my iphone",
    "start journaling",
    "cancel a gym membership",
    "write a complaint to an airline",
    "calm down before a presentation",
    "remove a stripped screw",
    "make cold brew",
    "get better at chess",
    "pack for a week in Lisbon",
]
CHAT_TPLS = [
    "how do i {k}",
    "how can I {k}?",
    "any tips to {k}",
    "what's the best way to {k}",
    "help me {k} please",
    "I need to {k}, where do I start",
    "can you help me {k}",
    "my friend says I should {k}, is that smart?",
    "what's the difference between {t} and {t2}",
    "what does {w} mean",
    "write an email to my {p} about {s}",
    "can you rewrite this to sound nicer: {s}",
    "give me 5 ideas for {s}",
    "is it normal that {s}",
    "summarize {b} in a few sentences",
    "recommend a book like {b}",
    "what should I cook tonight with {i}",
    "translate 'where is the train station' into {lang}",
    "tell me a joke about {j}",
    "hi",
    "hello!",
    "what time zone is {x} in",
    "how long should I boil an egg",
    "explain {t} simply",
]
PEOPLE = ["landlord", "boss", "teacher", "neighbour", "sister", "coworker", "dentist", "coach", "client", "professor"]
SUBJECTS = [
    "the broken heater",
    "my vacation days",
    "the group project",
    "the late payment",
    "next week's meeting",
    "my kid's birthday party",
    "a refund",
    "the parking situation",
    "the new schedule",
    "moving out",
]
INGREDIENTS = [
    "chickpeas and spinach",
    "leftover chicken",
    "eggs and cheese",
    "tofu",
    "pasta and tomatoes",
    "rice and beans",
]
LANGS = ["Spanish", "German", "French", "Japanese", "Italian", "Portuguese", "Korean", "Hindi", "Dutch", "Turkish"]
JOKES = ["cats", "programmers", "accountants", "the weather", "mondays", "coffee"]
FOLLOWUPS = [
    "thanks! can you make it shorter",
    "what about {t}?",
    "ok and how does that compare to {t2}",
    "explain that again more simply",
    "can you give an example",
    "make it more formal",
    "perfect, thank you",
    "hmm that doesn't seem right",
    "can you add a bit about {s}",
    "now in {lang}",
    "why?",
    "go on",
    "shorter please",
    "can you put that in a table",
    "what would you recommend",
    "and for a beginner?",
]


def chat_prompt(rng):
    return rng.choice(CHAT_TPLS).format(
        k=rng.choice(CHAT_TASKS),
        t=rng.choice(TERMS),
        t2=rng.choice(TERMS),
        w=rng.choice(WORDS),
        p=rng.choice(PEOPLE),
        s=rng.choice(SUBJECTS),
        b=rng.choice(BOOKS),
        i=rng.choice(INGREDIENTS),
        lang=rng.choice(LANGS),
        j=rng.choice(JOKES),
        x=rng.choice(COUNTRIES),
    )


def followup(rng):
    return rng.choice(FOLLOWUPS).format(
        t=rng.choice(TERMS), t2=rng.choice(TERMS), s=rng.choice(SUBJECTS), lang=rng.choice(LANGS)
    )


# ---- long-form writers ---------------------------------------------------------------------------------------
WRITE_TPLS = [
    "Write a {n}-word essay on {t}.",
    "write a short story about {ch} who {pl}",
    "Write a complete {pl_lang} program that {task}.",
    "write a long blog post about {k}",
    "Write chapter {m} of my novel: {ch} {pl}",
    "draft a {n} word report on {t} {c}",
    "write a cover letter for a {job} position",
    "Write a detailed lesson plan on {t} for {a}.",
    "write a wedding speech for my {p}",
    "Write a screenplay scene where {ch} {pl}",
]
CHARS = [
    "a retired astronaut",
    "a lonely lighthouse keeper",
    "two rival bakers",
    "a detective in 1920s Shanghai",
    "a robot learning to paint",
    "a girl who can hear plants",
    "an old fisherman",
    "a time-travelling librarian",
]
PLOTS = [
    "finds a map in a bottle",
    "loses everything in one night",
    "has to cross a desert",
    "meets their younger self",
    "discovers a secret door",
    "must win a cooking contest",
    "wakes up in a different century",
]
CODE_TASKS = [
    "parses CSV files and prints summary statistics",
    "implements a todo list REST API",
    "scrapes headlines from a news site",
    "simulates a bank account system",
    "plays tic tac toe against the user",
    "resizes all images in a folder",
    "implements an LRU cache",
    "tracks expenses in SQLite",
    "solves sudoku puzzles",
    "converts markdown to HTML",
]
PL_LANGS = ["Python", "JavaScript", "Java", "C++", "Go", "Rust", "TypeScript", "C#"]
JOBS = ["data analyst", "nurse", "marketing manager", "software engineer", "teacher", "project manager", "chef"]


def write_prompt(rng):
    return rng.choice(WRITE_TPLS).format(
        n=rng.choice([500, 800, 1000, 1500, 2000, 3000]),
        t=rng.choice(TERMS),
        ch=rng.choice(CHARS),
        pl=rng.choice(PLOTS),
        pl_lang=rng.choice(PL_LANGS),
        task=rng.choice(CODE_TASKS),
        k=rng.choice(CHAT_TASKS),
        m=rng.randint(2, 20),
        c=rng.choice(CONTEXTS),
        a=rng.choice(AUDIENCES),
        job=rng.choice(JOBS),
        p=rng.choice(PEOPLE),
    )


# ---- product / pipeline content ------------------------------------------------------------------------------
LOREM = [
    "the",
    "customer",
    "said",
    "order",
    "delivery",
    "was",
    "late",
    "and",
    "the",
    "package",
    "arrived",
    "damaged",
    "we",
    "reviewed",
    "the",
    "account",
    "and",
    "issued",
    "a",
    "partial",
    "refund",
    "quarterly",
    "revenue",
    "grew",
    "while",
    "operating",
    "costs",
    "rose",
    "due",
    "to",
    "supply",
    "chain",
    "pressure",
    "the",
    "committee",
    "approved",
    "the",
    "new",
    "policy",
    "after",
    "a",
    "long",
    "debate",
    "about",
    "budgets",
    "staffing",
    "and",
    "timelines",
    "patients",
    "reported",
    "mild",
    "side",
    "effects",
    "which",
    "resolved",
    "within",
    "two",
    "days",
    "the",
    "study",
    "found",
    "a",
    "significant",
    "effect",
    "our",
    "team",
    "shipped",
    "the",
    "new",
    "dashboard",
    "with",
    "faster",
    "search",
    "and",
    "export",
    "to",
    "spreadsheet",
    "the",
    "weather",
    "this",
    "weekend",
    "looks",
    "sunny",
    "with",
    "light",
    "winds",
    "the",
    "city",
    "council",
    "will",
    "vote",
    "on",
    "the",
    "housing",
    "plan",
    "next",
    "month",
    "the",
    "device",
    "battery",
    "lasts",
    "about",
    "ten",
    "hours",
    "under",
    "normal",
    "use",
    "the",
    "contract",
    "renews",
    "automatically",
    "unless",
    "cancelled",
    "in",
    "writing",
    "please",
    "confirm",
    "the",
    "meeting",
    "time",
    "and",
    "send",
    "the",
    "updated",
    "slides",
    "before",
    "friday",
    "invoice",
    "number",
    "total",
    "amount",
    "due",
    "net",
    "thirty",
    "payment",
    "terms",
    "shipping",
    "address",
    "billing",
    "address",
    "tax",
    "id",
    "vendor",
    "name",
    "product",
    "code",
    "quantity",
    "unit",
    "price",
]


def doc(rng, n):
    i = rng.randrange(len(LOREM))
    out = []
    while len(out) < n:
        if rng.random() < 0.15:
            i = rng.randrange(len(LOREM))
        out.append(LOREM[i % len(LOREM)])
        i += 1
    return " ".join(out)


PRODUCTS = [
    "wireless earbuds",
    "standing desk",
    "yoga mat",
    "espresso machine",
    "hiking backpack",
    "LED desk lamp",
    "cast iron skillet",
    "kids rain jacket",
    "mechanical keyboard",
    "air purifier",
    "phone case",
    "dog bed",
    "running shoes",
    "smart thermostat",
    "water bottle",
    "office chair",
    "bluetooth speaker",
    "wall clock",
]
ADJS = [
    "lightweight",
    "durable",
    "eco-friendly",
    "waterproof",
    "compact",
    "premium",
    "ergonomic",
    "silent",
    "adjustable",
    "handmade",
    "rechargeable",
    "portable",
    "foldable",
    "non-slip",
    "organic",
]
TONES = ["friendly", "professional", "playful", "luxury", "minimal", "persuasive"]
CITIES = [
    "Lisbon",
    "Kyoto",
    "Mexico City",
    "Prague",
    "Cape Town",
    "Montreal",
    "Seoul",
    "Istanbul",
    "Buenos Aires",
    "Oslo",
]


def product_name(rng):
    return "%s %s %s" % (
        rng.choice(["Nova", "Apex", "Lumi", "Terra", "Zen", "Orbit", "Peak", "Vela", "Kiko", "Brio"]),
        rng.choice(ADJS),
        rng.choice(PRODUCTS),
    )


def code_blob(rng, n):
    toks = [
        "def",
        "return",
        "self",
        "import",
        "for",
        "in",
        "if",
        "else",
        "None",
        "True",
        "x",
        "y",
        "i",
        "data",
        "result",
        "config",
        "path",
        "len",
        "append",
        "raise",
        "ValueError",
        "async",
        "await",
        "const",
        "let",
        "function",
        "=>",
        "{",
        "}",
        "(",
        ")",
        "user",
        "items",
        "index",
        "0",
        "1",
        "test",
        "assert",
        "error",
    ]
    return " ".join(rng.choice(toks) for _ in range(n))


FILES = [
    "src/app.py",
    "src/utils/parse.ts",
    "tests/test_api.py",
    "lib/cache.go",
    "README.md",
    "package.json",
    "src/components/Table.tsx",
    "server/routes.js",
    "Cargo.toml",
    "src/main.rs",
    "migrations/0004_add_index.sql",
]


def tool_result(rng):
    k = rng.random()
    if k < 0.4:
        return "Tool result for read_file %s:\n%s" % (rng.choice(FILES), code_blob(rng, rng.randint(30, 200)))
    if k < 0.6:
        return "Command output: %d passed, %d failed. FAILED %s::test_%s - AssertionError" % (
            rng.randint(0, 80),
            rng.randint(0, 6),
            rng.choice(FILES),
            rng.choice(["parse", "cache", "login", "export"]),
        )
    if k < 0.75:
        return "Tool result for grep: %s" % " ".join(
            "%s:%d" % (rng.choice(FILES), rng.randint(1, 400)) for _ in range(rng.randint(2, 12))
        )
    if k < 0.9:
        return "File written successfully. Diff applied to %s (+%d -%d)" % (
            rng.choice(FILES),
            rng.randint(1, 60),
            rng.randint(0, 30),
        )
    return rng.choice(
        [
            "now fix the failing test",
            "can you also add type hints",
            "run the tests again",
            "refactor %s to use async" % rng.choice(FILES),
            "why is this slow",
            "add logging to the retry path",
            "implement pagination for the list endpoint",
            "update the docs",
        ]
    )


def agent_task_prompt(rng):
    return rng.choice(
        [
            "Research %s and write a summary report" % rng.choice(TERMS),
            "Book the cheapest flight to %s next month" % rng.choice(CITIES),
            "Monitor the inbox and draft replies to %s" % rng.choice(SUBJECTS),
            "Find 10 suppliers for %s and compare prices" % rng.choice(PRODUCTS),
            "Observation: page loaded. %s" % doc(rng, rng.randint(20, 120)),
            "Observation: search returned %d results: %s" % (rng.randint(1, 20), doc(rng, rng.randint(20, 80))),
            "Tool result: %s" % doc(rng, rng.randint(10, 60)),
        ]
    )


# ---- fixed public benchmarks (independent of the run seed: shared by everyone, every run) ---------------------
def _build_benchmarks():
    r = random.Random(20240601)
    names = ["Ava", "Liam", "Noah", "Mia", "Zoe", "Omar", "Priya", "Chen", "Lucas", "Sofia", "Yuki", "Ivan"]
    items = ["apples", "marbles", "stickers", "books", "cookies", "pencils", "tickets", "stamps", "shells"]
    gsm = []
    for _ in range(400):
        n, it = r.choice(names), r.choice(items)
        a, b, c = r.randint(3, 90), r.randint(2, 40), r.randint(2, 9)
        gsm.append(
            r.choice(
                [
                    "{n} has {a} {it}. She buys {b} more and then gives away a third of them. How many {it} does she have left?",
                    "{n} sells {it} for ${c} each. On Monday {n} sells {a} and on Tuesday {b}. How much money does {n} make in total?",
                    "A box holds {c} {it}. {n} has {a} {it} and {b} empty boxes. How many {it} will not fit in the boxes?",
                    "{n} reads {c} pages a day. The book has {a}{b} pages. How many days will it take to finish the book?",
                ]
            ).format(n=n, it=it, a=a, b=b, c=c)
        )
    mmlu = []
    stems = [
        "Which of the following best describes {t}?",
        "Which statement about {t} is correct?",
        "In {f}, {t} is most closely associated with which concept?",
        "What is the primary function of {t}?",
    ]
    for _ in range(500):
        t, f = r.choice(TERMS), r.choice(FIELDS)
        opts = r.sample(TERMS, 4)
        mmlu.append(r.choice(stems).format(t=t, f=f) + "\nA. %s\nB. %s\nC. %s\nD. %s\nAnswer:" % tuple(opts))
    heval = []
    verbs = [
        "return the sum of",
        "count the vowels in",
        "reverse",
        "check whether",
        "sort",
        "remove duplicates from",
        "find the longest run in",
        "return the median of",
        "flatten",
        "merge",
    ]
    objs = [
        "a list of integers",
        "a string",
        "a nested list",
        "two sorted lists",
        "a dictionary of scores",
        "a list of words",
        "a matrix",
    ]
    for i in range(164):
        heval.append('def task_%d(arg):\n    """Write a function to %s %s."""\n' % (i, r.choice(verbs), r.choice(objs)))
    arc = []
    for _ in range(300):
        t = r.choice(TERMS)
        arc.append(
            "Question: A student is studying %s. Which observation would best support the hypothesis that %s affects %s? (A) %s (B) %s (C) %s (D) %s"
            % (t, t, r.choice(TERMS), *r.sample(WORDS, 4))
        )
    truth = []
    for _ in range(200):
        truth.append("Q: Is it true that %s causes %s? Answer truthfully." % (r.choice(TERMS), r.choice(TERMS)))
    return {"gsm": gsm, "mmlu": mmlu, "humaneval": heval, "arc": arc, "truthfulqa": truth}


BENCHMARKS = _build_benchmarks()
COT_SUFFIXES = [
    "\nLet's think step by step.",
    "\nThink step by step and then give the final answer.",
    "\nExplain your reasoning before answering.",
]

QUICKSTART = [
    "Hello, Claude",
    "Hello, world",
    "Write a haiku about the ocean.",
    "What is the capital of France?",
    "Say hello",
    "test",
    "Tell me a joke",
    "Why is the sky blue?",
    "Hello",
    "ping",
    "Write a haiku about recursion.",
]
