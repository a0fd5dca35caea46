"""What a person runs offline: the traffic simulator, the replay and the evaluation (the yardstick)."""
