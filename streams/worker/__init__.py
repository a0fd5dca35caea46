"""What the always-on worker runs: the Faust app, its topics, tables, agents and web views."""
