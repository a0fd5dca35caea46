"""distillguard's Kafka side: the Faust app, its topics and agents, the CLI and gateway tools."""
