"""What a person runs: the demo, the simulator, evaluation and explanation, the decision tail."""
