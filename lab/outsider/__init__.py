"""Outsider traffic generator: a labelled LLM-API traffic set written from the data contract and a
threat model of distillation campaigns alone (see NOTES.md)."""

from .plan import generate, plan
from .simhash import simhash

__all__ = ["generate", "plan", "simhash"]
