"""distillguard detection core: pure Python, no Kafka, no Faust, event time only."""
