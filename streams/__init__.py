"""distillguard's Kafka side: the worker, the gateway side and the tools, behind one command."""
