"""An independently written labelled-traffic generator, built from the threat model and the public contracts only.

It was written without reading the detector (`distillguard.models`): only `contracts/` was read. It is used as a second
exam next to `lab/traffic`, so its value lies in that independence. Do not tune the detector on it beyond its
diagnosis seeds 1-4; other seeds stay a held-out exam. Populations and parameter ranges are described in `NOTES.md`.

Run: `python -m distillguard.lab.independent --seed N --hours 6 --out DIR` writes `DIR/events.jsonl`,
`DIR/labels.json` and `DIR/meta.json`.
"""
