"""Labelled traffic: honest populations and distillation campaigns, as API request events."""
